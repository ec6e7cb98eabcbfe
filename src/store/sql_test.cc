#include "store/sql.h"

#include <gtest/gtest.h>

#include "store/postgres/pg_connection.h"

namespace gongzhi::sql {
namespace {

TEST(PlaceholderTest, RewritesOutsideQuotesOnly) {
  EXPECT_EQ(RewritePlaceholders("SELECT ? , '?', \"a?\", ?"), "SELECT $1 , '?', \"a?\", $2");
  EXPECT_EQ(RewritePlaceholders("INSERT INTO t VALUES (?, ?), (?, ?)"), "INSERT INTO t VALUES ($1, $2), ($3, $4)");
}

TEST(RowTest, ConvertsTextValuesFromPostgres) {
  Row r({std::string("42"), std::string("1.5"), std::monostate{}, int64_t{7}});
  EXPECT_EQ(r.Int(0), 42);
  EXPECT_DOUBLE_EQ(r.Real(1), 1.5);
  EXPECT_TRUE(r.IsNull(2));
  EXPECT_EQ(r.Text(3), "7");
}

}  // namespace
}  // namespace gongzhi::sql
