#include "core/region.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

TEST(RegionTest, LevelFollowsCodeLength) {
  EXPECT_EQ(LevelOfCode("13"), RegionLevel::kProvince);
  EXPECT_EQ(LevelOfCode("1304"), RegionLevel::kCity);
  EXPECT_EQ(LevelOfCode("130404"), RegionLevel::kCounty);
  EXPECT_EQ(LevelOfCode("130404001"), RegionLevel::kTownship);
  EXPECT_EQ(LevelOfCode("130404001008"), RegionLevel::kVillage);
  EXPECT_FALSE(LevelOfCode("1304040"));
  EXPECT_FALSE(LevelOfCode("13040a"));
  EXPECT_FALSE(LevelOfCode(""));
}

TEST(RegionTest, PublishedLevelNamesAreAccepted) {
  EXPECT_EQ(ParseRegionLevel("district"), RegionLevel::kCounty);
  EXPECT_EQ(ParseRegionLevel("street"), RegionLevel::kTownship);
  EXPECT_EQ(ParseRegionLevel("community"), RegionLevel::kVillage);
  EXPECT_FALSE(ParseRegionLevel("galaxy"));
}

TEST(RegionTest, ValidateNamesTheBadField) {
  Region ok{"130404001", "胜利桥街道", RegionLevel::kTownship, "130404"};
  EXPECT_TRUE(ValidateRegion(ok, "line 2").ok());

  Region wrong_level = ok;
  wrong_level.level = RegionLevel::kVillage;
  auto s = ValidateRegion(wrong_level, "line 2");
  EXPECT_EQ(s.field(), "line 2.level");

  Region bad_parent = ok;
  bad_parent.parent_code = "130405";
  EXPECT_EQ(ValidateRegion(bad_parent, "line 3").field(), "line 3.parent_code");

  Region no_name = ok;
  no_name.name = "";
  EXPECT_EQ(ValidateRegion(no_name, "line 4").field(), "line 4.name");
}

}  // namespace
}  // namespace gongzhi
