#include "app/demo.h"

namespace gongzhi {

extern const char* const kFuxingDivisionsCsv;  // data/fuxing-divisions.csv, embedded at build time

Result<size_t> LoadDemoGrids(GridService& grids) {
  // Approximate extent of 复兴区 (WGS-84); the lattice inside it is synthetic.
  return grids.GenerateDemoGrids(kDemoDistrict, 114.30, 36.57, 114.47, 36.65);
}

Result<DemoSummary> LoadDemo(RegionService& regions, GridService& grids, Store& store) {
  DemoSummary s;
  GZ_ASSIGN_OR_RETURN(auto counts, regions.ImportDivisions(kFuxingDivisionsCsv, "", nullptr));
  s.regions_written = counts.written;
  GZ_ASSIGN_OR_RETURN(auto existing_grids, store.ListGrids(kDemoDistrict));
  if (existing_grids.empty()) {
    GZ_ASSIGN_OR_RETURN(s.grids, LoadDemoGrids(grids));
  }
  UnitFilter uf;
  uf.under = kDemoDistrict;
  uf.limit = 1;
  GZ_ASSIGN_OR_RETURN(auto units, store.ListUnits(uf));
  if (units.empty()) {
    struct DemoUnit { UnitKind kind; const char* name; const char* region; const char* phone; };
    const DemoUnit demo[] = {
        {UnitKind::kDepartment, "复兴区城市管理综合行政执法局", "130404", "0310-1234501"},
        {UnitKind::kDepartment, "复兴区住房和城乡建设局", "130404", "0310-1234502"},
        {UnitKind::kDepartment, "复兴区市场监督管理局", "130404", "0310-1234503"},
        {UnitKind::kDepartment, "复兴区民政局", "130404", "0310-1234504"},
        {UnitKind::kDepartment, "胜利桥派出所", "130404001", "0310-1234505"},
        {UnitKind::kDepartment, "胜利桥街道司法所", "130404001", "0310-1234506"},
        {UnitKind::kDepartment, "百家村街道市场监管所", "130404002", "0310-1234507"},
        {UnitKind::kPartyOrg, "中共复兴区委", "130404", ""},
        {UnitKind::kPartyOrg, "胜利桥街道党工委", "130404001", ""},
        {UnitKind::kResidentUnit, "邯郸钢铁集团有限责任公司", "130404", ""},
        {UnitKind::kSocialOrg, "复兴区志愿者协会", "130404", ""},
    };
    for (const auto& d : demo) {
      Unit u;
      u.kind = d.kind, u.name = d.name, u.region_code = d.region, u.phone = d.phone;
      GZ_ASSIGN_OR_RETURN(auto created, regions.CreateUnit(u));
      ++s.units;
    }
  }
  WorkerFilter wf;
  wf.under = kDemoDistrict;
  wf.limit = 1;
  GZ_ASSIGN_OR_RETURN(auto workers, store.ListWorkers(wf));
  if (workers.empty()) {
    GZ_ASSIGN_OR_RETURN(auto all_grids, store.ListGrids(kDemoDistrict));
    // One worker per two grids for the first communities; enough to see assignment at work.
    const char* names[] = {"王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强"};
    for (size_t i = 0; i < 8 && 2 * i + 1 < all_grids.size(); ++i) {
      GridWorker w;
      w.name = names[i];
      w.phone = "1380310" + std::to_string(1000 + i);
      w.capacity = 8;
      w.grid_codes = {all_grids[2 * i].code, all_grids[2 * i + 1].code};
      GZ_ASSIGN_OR_RETURN(auto created, grids.CreateWorker(w));
      ++s.workers;
    }
  }
  return s;
}

}  // namespace gongzhi
