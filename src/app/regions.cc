#include "app/regions.h"

#include "core/division_csv.h"

namespace gongzhi {
namespace {

class CsvRegionSource : public RegionSource {
 public:
  CsvRegionSource(DivisionCsv& csv, const ProgressFn& progress) : csv_(csv), progress_(progress) {}

  bool NextBatch(std::vector<Region>& batch, size_t max) override {
    batch.clear();
    Region r;
    while (batch.size() < max && csv_.Next(r)) batch.push_back(r);
    if (progress_ && csv_.rows_read() >= next_report_) {
      progress_(csv_.rows_read());
      next_report_ = csv_.rows_read() + 50000;
    }
    return !batch.empty();
  }
  Status status() const override { return csv_.status(); }

 private:
  DivisionCsv& csv_;
  const ProgressFn& progress_;
  size_t next_report_ = 50000;
};

}  // namespace

Result<ImportCounts> RegionService::ImportDivisions(std::string_view text, const std::string& under,
                                                    const ProgressFn& progress) {
  if (!under.empty() && !LevelOfCode(under))
    return Status::Invalid("under", "'" + under + "' is not a division code of 2, 4, 6, 9 or 12 digits");
  DivisionCsv csv(text, under);
  GZ_RETURN_IF_ERROR(csv.Open());
  CsvRegionSource source(csv, progress);
  GZ_ASSIGN_OR_RETURN(auto counts, store_.ImportRegions(source));
  if (progress) progress(csv.rows_read());
  return counts;
}

Result<RegionView> RegionService::GetRegion(const std::string& code) {
  if (!LevelOfCode(code)) return Status::Invalid("code", "'" + code + "' is not a division code of 2, 4, 6, 9 or 12 digits");
  GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(code));
  if (!r) return Status::NotFound("no region with code " + code);
  RegionView v;
  v.region = *r;
  std::string parent = r->parent_code;
  while (!parent.empty()) {
    GZ_ASSIGN_OR_RETURN(auto p, store_.GetRegion(parent));
    if (!p) break;
    v.ancestors.insert(v.ancestors.begin(), *p);
    parent = p->parent_code;
  }
  GZ_ASSIGN_OR_RETURN(v.children, store_.ChildRegions(code));
  return v;
}

Status RegionService::CheckUnit(const Unit& unit) {
  GZ_RETURN_IF_ERROR(ValidateUnit(unit));
  GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(unit.region_code));
  if (!r) return Status::Invalid("region_code", "no region with code " + unit.region_code);
  return Status::Ok();
}

Result<Unit> RegionService::CreateUnit(Unit unit) {
  GZ_RETURN_IF_ERROR(CheckUnit(unit));
  return store_.InsertUnit(unit);
}

Result<Unit> RegionService::GetUnit(int64_t id) {
  GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(id));
  if (!u) return Status::NotFound("no unit with id " + std::to_string(id));
  return *u;
}

Result<std::vector<Unit>> RegionService::ListUnits(const UnitFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Status::Invalid("limit", "must be between 1 and 1000");
  if (filter.offset < 0) return Status::Invalid("offset", "must not be negative");
  return store_.ListUnits(filter);
}

Result<Unit> RegionService::UpdateUnit(Unit unit) {
  GZ_ASSIGN_OR_RETURN(auto old, GetUnit(unit.id));
  GZ_RETURN_IF_ERROR(CheckUnit(unit));
  unit.created_at = old.created_at;
  GZ_RETURN_IF_ERROR(store_.UpdateUnit(unit));
  return unit;
}

Status RegionService::DeleteUnit(int64_t id) { return store_.DeleteUnit(id); }

}  // namespace gongzhi
