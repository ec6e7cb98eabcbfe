#include "app/bench_gen.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "app/demo.h"
#include "core/routing.h"
#include "core/work_calendar.h"

namespace gongzhi {
namespace {

constexpr BenchScale kScales[] = {
    {"district", kDemoDistrict, 100'000},
    {"city", "1304", 1'000'000},
    {"province", "13", 3'000'000},
    {"country", "", 10'000'000},
};
constexpr int64_t kChunk = 200'000;  // rows per history import (its limit)
constexpr InstantMs kMinuteMs = 60'000;

// The county departments every rule set names, and the categories routed to each (by 大类).
struct Department {
  const char* name;
  std::vector<std::string> majors;
};
const Department kDepartments[] = {
    {"城市管理综合行政执法局", {"01", "02", "04", "25"}},
    {"住房和城乡建设局", {"03", "05", "06", "07", "08", "09", "21"}},
    {"市场监督管理局", {"11", "13", "15"}},
    {"民政局", {"12", "23", "24"}},
};

std::string Csv(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

const BenchScale* FindBenchScale(const std::string& name) {
  for (const auto& s : kScales)
    if (name == s.name) return &s;
  return nullptr;
}

Result<BenchGenSummary> GenerateBenchData(const BenchGenOptions& o, RegionService& regions, GridService& grids,
                                          CaseService& cases, Store& store, const Clock& clock) {
  BenchGenSummary sum;
  auto step = [&](const char* name, int64_t done, int64_t total) {
    if (o.progress) o.progress(name, done, total);
  };
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto chance = [&](double p) { return uniform(0, 1) < p; };

  // Regions, then the configuration (categories, 2026 calendar, admission list).
  GZ_ASSIGN_OR_RETURN(auto counts, regions.ImportDivisions(o.divisions_csv, o.root, nullptr));
  sum.regions = static_cast<int64_t>(counts.written);
  GZ_RETURN_IF_ERROR(cases.LoadConfig());
  GZ_RETURN_IF_ERROR(cases.LoadDemoConfig());
  step("regions", sum.regions, sum.regions);

  // Grids: the counties side by side on a lattice of boxes the size of 复兴区, the first one where
  // 复兴区 lies (so the demo's intake load script hits grids at every scale); inside each, 2×2
  // synthetic grids per village-level unit.
  GZ_ASSIGN_OR_RETURN(auto counties, store.RegionsUnder(o.root, RegionLevel::kCounty));
  if (counties.empty()) return Status::NotFound("no county under '" + o.root + "' in the division codes");
  const int side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(counties.size()))));
  for (size_t i = 0; i < counties.size(); ++i) {
    double lng = 114.30 + 0.18 * static_cast<double>(i % side), lat = 36.57 + 0.09 * static_cast<double>(i / side);
    auto made = grids.GenerateDemoGrids(counties[i].code, lng, lat, lng + 0.17, lat + 0.08);
    if (!made.ok() && made.status().code() != ErrorCode::kNotFound) return made.status();  // a county without villages
    step("grids", static_cast<int64_t>(i + 1), static_cast<int64_t>(counties.size()));
  }
  GZ_ASSIGN_OR_RETURN(auto all_grids, store.ListGrids(o.root));
  sum.grids = static_cast<int64_t>(all_grids.size());
  if (all_grids.empty()) return Status::NotFound("no village-level units under '" + o.root + "': no grids");

  // Units and rules: four departments per county, a police station per township that takes 举报
  // (14) and 邻里纠纷 (22) there: nested scopes, as in a real 权责清单.
  GZ_ASSIGN_OR_RETURN(auto townships, store.RegionsUnder(o.root, RegionLevel::kTownship));
  std::vector<ResponsibilityRule> rules;
  for (const auto& c : counties) {
    for (const auto& d : kDepartments) {
      Unit u;
      u.kind = UnitKind::kDepartment, u.name = c.name + d.name, u.region_code = c.code;
      GZ_ASSIGN_OR_RETURN(auto made, regions.CreateUnit(u));
      ++sum.units;
      for (const auto& m : d.majors) {
        GZ_ASSIGN_OR_RETURN(auto r, cases.AddRule({0, m, c.code, made.id}));
        rules.push_back(r);
      }
    }
  }
  for (size_t i = 0; i < townships.size(); ++i) {
    Unit u;
    u.kind = UnitKind::kDepartment, u.name = townships[i].name + "派出所", u.region_code = townships[i].code;
    GZ_ASSIGN_OR_RETURN(auto made, regions.CreateUnit(u));
    ++sum.units;
    for (const char* m : {"14", "22"}) {
      GZ_ASSIGN_OR_RETURN(auto r, cases.AddRule({0, m, townships[i].code, made.id}));
      rules.push_back(r);
    }
    step("units", static_cast<int64_t>(i + 1), static_cast<int64_t>(townships.size()));
  }
  sum.rules = static_cast<int64_t>(rules.size());

  // One grid worker per village-level unit, for its 2×2 grids.
  std::map<std::string, std::vector<std::string>> by_community;
  for (const auto& g : all_grids) by_community[g.community_code].push_back(g.code);
  std::map<std::string, int64_t> worker_of;  // community → worker id
  for (const auto& [community, codes] : by_community) {
    GridWorker w;
    w.name = "网格员" + std::to_string(sum.workers + 1);
    w.phone = "139" + std::to_string(10'000'000 + sum.workers);
    w.capacity = 20;
    w.grid_codes = codes;
    GZ_ASSIGN_OR_RETURN(auto made, grids.CreateWorker(w));
    worker_of[community] = made.id;
    if (++sum.workers % 500 == 0) step("workers", sum.workers, static_cast<int64_t>(by_community.size()));
  }

  // The history. Categories: leaves, weighted so that a few dominate (垃圾, 占道, 噪音...); places:
  // grids weighted so that hot spots exist (a power law over a shuffled order); times: 80% inside
  // working hours of working days (holidays and 调休 from the calendar).
  GZ_ASSIGN_OR_RETURN(auto cats, cases.Categories());
  GZ_ASSIGN_OR_RETURN(auto admitted, cases.Admission());
  std::vector<std::string> leaves;
  for (const auto& c : cats)
    if (!c.parent_code.empty() || std::none_of(cats.begin(), cats.end(), [&](const Category& x) { return x.parent_code == c.code; }))
      leaves.push_back(c.code);
  std::sort(leaves.begin(), leaves.end());
  std::vector<double> cat_weight(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) cat_weight[i] = 1.0 / std::pow(static_cast<double>(i % 7) + 1.0, 1.1);
  std::discrete_distribution<size_t> pick_category(cat_weight.begin(), cat_weight.end());
  std::vector<size_t> grid_order(all_grids.size());
  for (size_t i = 0; i < grid_order.size(); ++i) grid_order[i] = i;
  std::shuffle(grid_order.begin(), grid_order.end(), rng);
  auto pick_grid = [&]() -> const Grid& {
    double u = uniform(0, 1);
    return all_grids[grid_order[static_cast<size_t>(std::pow(u, 2.2) * static_cast<double>(grid_order.size())) %
                                grid_order.size()]];
  };
  GZ_ASSIGN_OR_RETURN(auto days, cases.CalendarDays());
  std::map<CivilDay, bool> special;  // day → working?
  for (const auto& d : days)
    if (auto day = ParseDate(d.day); day.ok()) special[*day] = d.kind == "work";
  auto working_day = [&](CivilDay d) {
    auto it = special.find(d);
    return it != special.end() ? it->second : Weekday(d) < 5;
  };
  const InstantMs now = clock.Now();
  const CivilDay last = LocalDay(now) - 1;  // finished cases end yesterday at the latest
  const CivilDay first = last - o.days + 1;
  const char* descriptions[] = {"楼道口垃圾堆放多日", "路边占道经营影响通行", "井盖松动有安全隐患", "小区路灯不亮",
                                "噪音扰民影响休息",   "违规张贴小广告",       "绿化带被占用种菜",   "邻里因漏水发生纠纷"};
  const char* channels[] = {"resident", "resident", "hotline", "hotline", "grid_worker", "api"};
  const std::string header =
      "state,category_code,description,grid_code,region_code,channel,unit_id,worker_id,lng,lat,reported_at,"
      "dispatched_at,claimed_at,resolved_at,closed_at,returns,reworks,rating_solved,rating_satisfaction\n";
  std::string csv = header;
  int64_t in_chunk = 0;
  auto flush = [&]() -> Status {
    GZ_ASSIGN_OR_RETURN(auto written, cases.ImportHistoryCsv(csv));
    sum.cases += written;
    step("cases", sum.cases, o.cases);
    csv = header;
    in_chunk = 0;
    return Status::Ok();
  };
  for (int64_t n = 0; n < o.cases; ++n) {
    const std::string& cat = leaves[pick_category(rng)];
    const Grid& g = pick_grid();
    CivilDay day;
    int minute;  // after local midnight
    if (chance(0.8)) {
      do day = first + static_cast<CivilDay>(uniform(0, o.days)); while (!working_day(day));
      minute = chance(0.45) ? static_cast<int>(uniform(510, 720)) : static_cast<int>(uniform(810, 1050));
    } else {
      day = first + static_cast<CivilDay>(uniform(0, o.days));
      minute = static_cast<int>(uniform(6 * 60, 22 * 60));
    }
    InstantMs reported = LocalMidnight(day) + minute * kMinuteMs + static_cast<InstantMs>(uniform(0, 60'000));
    std::string row;
    if (chance(0.06)) {  // 不予受理
      row = "rejected," + cat + "," + Csv(descriptions[n % 8]) + "," + g.code + "," + g.community_code + "," +
            channels[n % 6] + ",,," + std::to_string(uniform(g.min_lng, g.max_lng)) + "," +
            std::to_string(uniform(g.min_lat, g.max_lat)) + "," + FormatLocalTime(reported) + ",,,," +
            FormatLocalTime(reported + static_cast<InstantMs>(uniform(10, 120)) * kMinuteMs) + ",,,,\n";
    } else {
      const bool to_worker = std::find(admitted.begin(), admitted.end(), cat) != admitted.end() && chance(0.5);
      std::string unit, worker;
      if (to_worker) {
        worker = std::to_string(worker_of[g.community_code]);
      } else {
        RouteDecision r = Route(rules, cat, g.community_code);
        if (!r.unit_id) continue;  // 属地兜底 cases stay with the township: not part of this history
        unit = std::to_string(*r.unit_id);
      }
      InstantMs dispatched = reported + static_cast<InstantMs>(uniform(3, 90)) * kMinuteMs;
      InstantMs claimed = dispatched + static_cast<InstantMs>(std::exponential_distribution<double>(1.0 / 45)(rng) + 2) * kMinuteMs;
      InstantMs resolved = claimed + static_cast<InstantMs>(std::exponential_distribution<double>(1.0 / 1800)(rng) + 20) * kMinuteMs;
      InstantMs closed = resolved + static_cast<InstantMs>(uniform(60, 3 * 24 * 60)) * kMinuteMs;
      if (closed > now) closed = now - 1;
      if (resolved > closed) resolved = closed;
      if (claimed > resolved) claimed = resolved;
      const int returns = chance(0.05) ? 1 : 0, reworks = chance(0.04) ? 1 : 0;
      std::string solved, satisfaction;
      if (chance(0.7)) {  // rated by the resident; the rest closed automatically
        solved = chance(0.9) ? "true" : "false";
        double s = uniform(0, 1);
        satisfaction = s < 0.72 ? "satisfied" : s < 0.93 ? "basically_satisfied" : "unsatisfied";
      }
      row = "closed," + cat + "," + Csv(descriptions[n % 8]) + "," + g.code + "," + g.community_code + "," +
            channels[n % 6] + "," + unit + "," + worker + "," + std::to_string(uniform(g.min_lng, g.max_lng)) + "," +
            std::to_string(uniform(g.min_lat, g.max_lat)) + "," + FormatLocalTime(reported) + "," +
            FormatLocalTime(dispatched) + "," + FormatLocalTime(claimed) + "," + FormatLocalTime(resolved) + "," +
            FormatLocalTime(closed) + "," + std::to_string(returns) + "," + std::to_string(reworks) + "," + solved +
            "," + satisfaction + "\n";
    }
    csv += row;
    if (++in_chunk == kChunk) GZ_RETURN_IF_ERROR(flush());
  }
  if (in_chunk) GZ_RETURN_IF_ERROR(flush());
  return sum;
}

}  // namespace gongzhi
