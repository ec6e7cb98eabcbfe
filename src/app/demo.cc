#include "app/demo.h"

namespace gongzhi {

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

Result<std::vector<std::string>> LoadDemoAccounts(AccountService& accounts, Store& store) {
  std::vector<std::string> out;
  GZ_ASSIGN_OR_RETURN(auto units, store.ListUnits({.under = kDemoDistrict, .limit = 1000}));
  auto unit = [&](const std::string& name) -> int64_t {
    for (const auto& u : units)
      if (u.name == name) return u.id;
    return 0;
  };
  GZ_ASSIGN_OR_RETURN(auto workers, store.ListWorkers({.under = "130404001", .limit = 1}));
  struct Demo {
    const char* login;
    const char* name;
    RoleGrant grant;
  };
  std::vector<Demo> demo = {
      {"admin", "系统管理员", {Role::kAdmin, "", 0, 0}},
      {"leader", "区领导", {Role::kLeader, kDemoDistrict, 0, 0}},
      {"slq.dispatch", "胜利桥街道调度员", {Role::kTownshipDispatcher, "130404001", 0, 0}},
      {"chengguan", "区城管执法局工作人员", {Role::kDepartmentStaff, "", unit("复兴区城市管理综合行政执法局"), 0}},
      {"slq.police", "胜利桥派出所民警", {Role::kDepartmentStaff, "", unit("胜利桥派出所"), 0}},
  };
  if (!workers.empty()) demo.push_back({"grid.worker", "网格员", {Role::kGridWorker, "", 0, workers[0].id}});
  for (const auto& d : demo) {
    if (d.grant.role == Role::kDepartmentStaff && !d.grant.unit_id) continue;  // demo units not loaded
    GZ_ASSIGN_OR_RETURN(auto existing, store.GetAccountByLogin(d.login));
    if (!existing) GZ_RETURN_IF_ERROR(accounts.Create(d.login, d.name, kDemoPassword, {d.grant}, "demo").status());
    out.push_back(std::string(d.login) + "  " + RoleGrantText(d.grant) + "  (" + d.name + ")");
  }
  return out;
}

}  // namespace gongzhi
