#include "core/csv.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string_view text) {
  CsvReader r(text);
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> f;
  while (r.Next(f)) out.push_back(f);
  return out;
}

TEST(CsvTest, QuotedFieldsAndDoubledQuotes) {
  auto rows = ReadAll("code,name\n110101,\"东城区\"\n1,\"a,\"\"b\"\"\"\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], "东城区");
  EXPECT_EQ(rows[2][1], "a,\"b\"");
}

TEST(CsvTest, CrLfBomCommentsAndBlankLines) {
  CsvReader r("\xEF\xBB\xBF# comment\r\ncode,name\r\n\r\n1,x\r\n");
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"code", "name"}));
  EXPECT_EQ(r.line(), 2u);
  ASSERT_TRUE(r.Next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"1", "x"}));
  EXPECT_EQ(r.line(), 4u);
  EXPECT_FALSE(r.Next(f));
}

TEST(CsvTest, UnterminatedQuoteIsReported) {
  CsvReader r("a,\"oops\n");
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(f));
  EXPECT_TRUE(r.malformed());
}

TEST(CsvTest, LastLineWithoutNewline) {
  auto rows = ReadAll("a,b\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "2");
}

// A reader started at a record's offset reads that record again, quoted line breaks, CRLF and a
// last line without its newline included (the case import reads rows again in another order).
TEST(CsvTest, ARecordIsReadAgainFromItsOffset) {
  const std::string text = "\xEF\xBB\xBF# c\r\nh1,h2\r\n\r\n1,\"two\nlines\"\r\n2,\"a,\"\"b\"\"\"\n3,z";
  CsvReader r(text);
  std::vector<std::string> f, again;
  std::vector<std::vector<std::string>> rows;
  while (r.Next(f)) {
    CsvReader from(std::string_view(text).substr(r.offset()));
    ASSERT_TRUE(from.Next(again));
    EXPECT_EQ(again, f);
    rows.push_back(f);
  }
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "two\nlines"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"3", "z"}));
}

}  // namespace
}  // namespace gongzhi
