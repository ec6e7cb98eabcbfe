// Use cases of the region tree and the units attached to it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/store.h"

namespace gongzhi {

// Called now and then during long imports with the rows read so far.
using ProgressFn = std::function<void(size_t rows_read)>;

struct RegionView {
  Region region;
  std::vector<Region> ancestors;  // root first, those present in the tree
  std::vector<Region> children;
};

class RegionService {
 public:
  explicit RegionService(Store& store) : store_(store) {}

  // Imports a division CSV (see DivisionCsv for the layouts). All or nothing: a bad row is
  // reported with its line number and nothing is written. Idempotent.
  Result<ImportCounts> ImportDivisions(std::string_view csv, const std::string& under, const ProgressFn& progress);

  Result<RegionView> GetRegion(const std::string& code);

  // Units: the region must exist.
  Result<Unit> CreateUnit(Unit unit);
  Result<Unit> GetUnit(int64_t id);
  Result<std::vector<Unit>> ListUnits(const UnitFilter& filter);
  Result<Unit> UpdateUnit(Unit unit);
  Status DeleteUnit(int64_t id);

 private:
  Status CheckUnit(const Unit& unit);
  Store& store_;
};

}  // namespace gongzhi
