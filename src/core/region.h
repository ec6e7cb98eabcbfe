// The region tree (行政区划) keyed by the national statistical division codes (统计用区划代码):
// 2 digits province, 4 city, 6 county, 9 township (乡镇街道), 12 village/community (村/社区).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gongzhi {

enum class RegionLevel { kProvince = 1, kCity = 2, kCounty = 3, kTownship = 4, kVillage = 5 };

// "province", "city", "county", "township", "village".
const char* RegionLevelName(RegionLevel level);
// Accepts the names above plus the aliases used in published files ("district" = county,
// "street"/"town" = township, "community" = village). Case-sensitive, ASCII.
std::optional<RegionLevel> ParseRegionLevel(std::string_view name);
// The level a code of this length has (2/4/6/9/12 digits), or nullopt.
std::optional<RegionLevel> LevelOfCode(std::string_view code);

struct Region {
  std::string code;
  std::string name;
  RegionLevel level = RegionLevel::kVillage;
  std::string parent_code;  // empty for a root
};

// Validates one region row: digits only, a length that matches `level`, a non-empty name of at
// most 200 bytes, and a parent code that is a proper prefix of `code`. `field` prefixes the error.
Status ValidateRegion(const Region& r, const std::string& field);

// True when every character is an ASCII digit and the string is not empty.
bool IsDigits(std::string_view s);

}  // namespace gongzhi
