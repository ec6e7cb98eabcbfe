#include "core/region.h"

namespace gongzhi {

const char* RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince: return "province";
    case RegionLevel::kCity: return "city";
    case RegionLevel::kCounty: return "county";
    case RegionLevel::kTownship: return "township";
    case RegionLevel::kVillage: return "village";
  }
  return "village";
}

std::optional<RegionLevel> ParseRegionLevel(std::string_view n) {
  if (n == "province") return RegionLevel::kProvince;
  if (n == "city") return RegionLevel::kCity;
  if (n == "county" || n == "district" || n == "area") return RegionLevel::kCounty;
  if (n == "township" || n == "street" || n == "town") return RegionLevel::kTownship;
  if (n == "village" || n == "community") return RegionLevel::kVillage;
  return std::nullopt;
}

std::optional<RegionLevel> LevelOfCode(std::string_view code) {
  if (!IsDigits(code)) return std::nullopt;
  switch (code.size()) {
    case 2: return RegionLevel::kProvince;
    case 4: return RegionLevel::kCity;
    case 6: return RegionLevel::kCounty;
    case 9: return RegionLevel::kTownship;
    case 12: return RegionLevel::kVillage;
    default: return std::nullopt;
  }
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

Status ValidateRegion(const Region& r, const std::string& field) {
  auto level = LevelOfCode(r.code);
  if (!level)
    return Status::Invalid(field + ".code", "'" + r.code + "' is not a division code of 2, 4, 6, 9 or 12 digits");
  if (*level != r.level)
    return Status::Invalid(field + ".level", std::string("code ") + r.code + " has the length of a " +
                                                 RegionLevelName(*level) + ", not a " + RegionLevelName(r.level));
  if (r.name.empty()) return Status::Invalid(field + ".name", "must not be empty");
  if (r.name.size() > 200) return Status::Invalid(field + ".name", "longer than 200 bytes");
  if (!r.parent_code.empty()) {
    if (!IsDigits(r.parent_code) || r.parent_code.size() >= r.code.size() ||
        !r.code.starts_with(r.parent_code))
      return Status::Invalid(field + ".parent_code",
                             "'" + r.parent_code + "' is not a prefix of code " + r.code);
  }
  return Status::Ok();
}

}  // namespace gongzhi
