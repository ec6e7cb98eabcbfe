#include "core/model.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

TEST(Utf8Test, AcceptsTextRefusesBrokenBytes) {
  EXPECT_TRUE(IsCleanUtf8("复兴区 city\tA\n"));
  EXPECT_TRUE(IsCleanUtf8("😀"));
  EXPECT_FALSE(IsCleanUtf8("\xff"));
  EXPECT_FALSE(IsCleanUtf8("\xe5\xa4"));          // truncated
  EXPECT_FALSE(IsCleanUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsCleanUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsCleanUtf8(std::string("a\0b", 3)));
  EXPECT_FALSE(IsCleanUtf8("\x1b[31m"));
}

TEST(UnitTest, Validation) {
  Unit u;
  u.name = "城管局";
  u.region_code = "130404";
  EXPECT_TRUE(ValidateUnit(u).ok());
  u.phone = "0310-123 4567";
  EXPECT_TRUE(ValidateUnit(u).ok());
  u.phone = "call me";
  EXPECT_EQ(ValidateUnit(u).field(), "phone");
  u.phone = "";
  u.region_code = "1304041";
  EXPECT_EQ(ValidateUnit(u).field(), "region_code");
  u.region_code = "130404";
  u.name = std::string(201, 'a');
  EXPECT_EQ(ValidateUnit(u).field(), "name");
  EXPECT_EQ(ParseUnitKind("party_org"), UnitKind::kPartyOrg);
  EXPECT_FALSE(ParseUnitKind("Department"));
}

TEST(GridWorkerTest, Validation) {
  GridWorker w;
  w.name = "王芳";
  w.grid_codes = {"130404001008001"};
  EXPECT_TRUE(ValidateGridWorker(w).ok());
  w.capacity = 0;
  EXPECT_EQ(ValidateGridWorker(w).field(), "capacity");
  w.capacity = 5;
  w.grid_codes.push_back("130404001008001");
  EXPECT_EQ(ValidateGridWorker(w).field(), "grids[1]");
  w.grid_codes = {"123"};
  EXPECT_EQ(ValidateGridWorker(w).field(), "grids[0]");
}

}  // namespace
}  // namespace gongzhi
