// Bulk import of historical cases (历史数据导入) from CSV: the columns of the case export, so an
// export of one system's finished cases can be loaded into another. Each row becomes a case
// whose events are synthesized from its times (report, dispatches and returns, claim, resolutions
// and reworks, rating or auto-close, or rejection), so the assessment, the audit chain and the
// roll-up rebuild read imported cases exactly like live ones.
#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "app/assessment.h"
#include "app/audit.h"
#include "app/cases.h"
#include "core/csv.h"
#include "core/model.h"
#include "core/region.h"

namespace gongzhi {
namespace {

namespace json = boost::json;

constexpr size_t kMaxImportRows = 200'000;
constexpr size_t kImportStep = 2'000;  // cases written between two reads of the file

// The columns of the export; those marked required must be present in the header.
struct Column {
  const char* name;
  bool required;
};
constexpr Column kColumns[] = {
    {"id", false},           {"state", true},          {"category_code", true}, {"description", true},
    {"grid_code", false},    {"region_code", true},    {"township_code", false}, {"channel", false},
    {"unit_id", false},      {"worker_id", false},     {"lng", false},           {"lat", false},
    {"reported_at", true},   {"dispatched_at", false}, {"claimed_at", false},    {"resolved_at", false},
    {"closed_at", true},     {"response_due", false},  {"handling_due", false},  {"returns", false},
    {"reworks", false},      {"rating_solved", false}, {"rating_satisfaction", false}};

}  // namespace

Result<int64_t> CaseService::ImportHistoryCsv(std::string_view csv) {
  auto cfg = config();
  if (!cfg) return Status::Unavailable("configuration not loaded");
  std::map<std::string, size_t> col;  // column name -> index in the row
  std::map<std::string, bool> regions_seen, grids_seen;
  std::map<int64_t, bool> units_seen, workers_seen;
  // The case of one row (`f`, `line` naming it in errors), with its synthesized events and facts;
  // or why the row is refused.
  auto parse = [&](const std::vector<std::string>& f, const std::string& line) -> Result<CaseStore::ImportedCase> {
    if (f.size() != col.size())
      return Status::Invalid(line, "has " + std::to_string(f.size()) + " fields, the header " + std::to_string(col.size()));
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it == col.end() ? std::string() : f[it->second];
    };
    auto bad = [&](const char* name, const std::string& why) { return Status::Invalid(line + "." + name, why); };
    auto time = [&](const char* name, bool required) -> Result<InstantMs> {
      std::string v = get(name);
      if (v.empty()) {
        if (required) return bad(name, "is required");
        return InstantMs{0};
      }
      auto t = ParseInstant(v);
      if (!t.ok()) return bad(name, t.status().message());
      return *t;
    };
    auto id = [&](const char* name) -> Result<std::optional<int64_t>> {
      std::string v = get(name);
      if (v.empty()) return std::optional<int64_t>();
      if (!IsDigits(v) || v.size() > 15 || std::stoll(v) < 1) return bad(name, "must be a positive integer");
      return std::optional<int64_t>(std::stoll(v));
    };
    auto count = [&](const char* name) -> Result<int> {
      std::string v = get(name);
      if (v.empty()) return 0;
      if (!IsDigits(v) || v.size() > 2) return bad(name, "must be a whole number from 0 to 99");
      return std::stoi(v);
    };

    CaseRecord c;
    auto state = ParseCaseState(get("state"));
    if (!state || (*state != CaseState::kClosed && *state != CaseState::kRejected))
      return bad("state", "historical cases are finished: closed or rejected (open cases enter through intake)");
    c.category_code = get("category_code");
    auto cat = cfg->categories.find(c.category_code);
    if (cat == cfg->categories.end()) return bad("category_code", "no category with code " + c.category_code);
    c.description = get("description");
    if (c.description.empty()) return bad("description", "is required");
    if (!IsCleanUtf8(c.description)) return bad("description", "must be plain UTF-8 text");
    if (Utf8Length(c.description) > 4000) return bad("description", "longer than 4000 characters");
    c.region_code = get("region_code");
    if (!IsDigits(c.region_code) || c.region_code.size() < 9)
      return bad("region_code", "must be the code of a township or a community");
    if (!regions_seen.count(c.region_code)) {
      GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(c.region_code));
      if (!r) return bad("region_code", "no region with code " + c.region_code);
      regions_seen[c.region_code] = true;
    }
    c.township_code = c.region_code.substr(0, 9);
    if (!get("township_code").empty() && get("township_code") != c.township_code)
      return bad("township_code", "is not the township of region_code " + c.region_code);
    c.grid_code = get("grid_code");
    if (!c.grid_code.empty() && !grids_seen.count(c.grid_code)) {
      GZ_ASSIGN_OR_RETURN(auto g, store_.GetGrid(c.grid_code));
      if (!g) return bad("grid_code", "no grid with code " + c.grid_code);
      if (!c.grid_code.starts_with(c.region_code.substr(0, std::min<size_t>(12, c.region_code.size()))))
        return bad("grid_code", "lies outside region_code " + c.region_code);
      grids_seen[c.grid_code] = true;
    }
    auto channel = ParseChannel(get("channel").empty() ? "hotline" : get("channel"));
    if (!channel) return bad("channel", "must be resident, grid_worker, hotline or api");
    c.channel = *channel;
    for (auto [name, target, lo, hi] : {std::tuple{"lng", &c.lng, -180.0, 180.0}, std::tuple{"lat", &c.lat, -90.0, 90.0}}) {
      std::string v = get(name);
      if (v.empty()) continue;
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (end != v.c_str() + v.size() || !(d >= lo && d <= hi)) return bad(name, "must be a decimal degree");
      *target = d;
    }
    if (c.lng.has_value() != c.lat.has_value()) return bad(c.lng ? "lat" : "lng", "lng and lat go together");
    GZ_ASSIGN_OR_RETURN(c.unit_id, id("unit_id"));
    GZ_ASSIGN_OR_RETURN(c.worker_id, id("worker_id"));
    if (c.unit_id && c.worker_id) return bad("worker_id", "a case is handled by a unit or a grid worker, not both");
    if (c.unit_id && !units_seen.count(*c.unit_id)) {
      GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(*c.unit_id));
      if (!u) return bad("unit_id", "no unit with id " + std::to_string(*c.unit_id));
      units_seen[*c.unit_id] = true;
    }
    if (c.worker_id && !workers_seen.count(*c.worker_id)) {
      GZ_ASSIGN_OR_RETURN(auto w, store_.GetWorker(*c.worker_id));
      if (!w) return bad("worker_id", "no grid worker with id " + std::to_string(*c.worker_id));
      workers_seen[*c.worker_id] = true;
    }
    GZ_ASSIGN_OR_RETURN(c.created_at, time("reported_at", true));
    GZ_ASSIGN_OR_RETURN(c.dispatched_at, time("dispatched_at", false));
    GZ_ASSIGN_OR_RETURN(c.claimed_at, time("claimed_at", false));
    GZ_ASSIGN_OR_RETURN(c.resolved_at, time("resolved_at", false));
    GZ_ASSIGN_OR_RETURN(c.closed_at, time("closed_at", true));
    GZ_ASSIGN_OR_RETURN(c.deadlines.response_due, time("response_due", false));
    GZ_ASSIGN_OR_RETURN(c.deadlines.handling_due, time("handling_due", false));
    GZ_ASSIGN_OR_RETURN(c.return_count, count("returns"));
    GZ_ASSIGN_OR_RETURN(c.rework_count, count("reworks"));
    if (c.closed_at > clock_.Now()) return bad("closed_at", "lies in the future");
    // The times in the order a case goes through them.
    InstantMs prev = c.created_at;
    const char* prev_name = "reported_at";
    for (auto [name, t] : {std::pair{"dispatched_at", c.dispatched_at}, std::pair{"claimed_at", c.claimed_at},
                           std::pair{"resolved_at", c.resolved_at}, std::pair{"closed_at", c.closed_at}}) {
      if (!t) continue;
      if (t < prev) return bad(name, std::string("is before ") + prev_name);
      prev = t, prev_name = name;
    }
    const bool handled = c.unit_id || c.worker_id;
    if (c.dispatched_at && !handled) return bad("unit_id", "a dispatched case names its unit or grid worker");
    if (handled && !c.dispatched_at) return bad("dispatched_at", "is required when a unit or grid worker is named");
    if ((c.claimed_at || c.resolved_at) && !c.dispatched_at) return bad("dispatched_at", "is required once claimed or resolved");
    if (c.resolved_at && !c.claimed_at) return bad("claimed_at", "is required once resolved");
    if ((c.return_count || c.rework_count) && !c.dispatched_at) return bad("dispatched_at", "is required with returns or reworks");
    if (c.rework_count && !c.resolved_at) return bad("resolved_at", "is required with reworks");
    std::string solved = get("rating_solved"), satisfaction = get("rating_satisfaction");
    if (!solved.empty()) {
      if (solved != "true" && solved != "false") return bad("rating_solved", "must be true, false or empty");
      c.rating_solved = solved == "true";
    }
    if (!satisfaction.empty()) {
      c.rating_satisfaction = ParseSatisfaction(satisfaction);
      if (!c.rating_satisfaction)
        return bad("rating_satisfaction", "must be satisfied, basically_satisfied, unsatisfied or empty");
    }
    if (c.rating_solved.has_value() != c.rating_satisfaction.has_value())
      return bad(c.rating_solved ? "rating_satisfaction" : "rating_solved", "a rating has both parts");
    if (*state == CaseState::kRejected && (handled || c.rating_solved))
      return bad("state", "a rejected case was never dispatched nor rated");
    if (*state == CaseState::kClosed && !c.resolved_at) return bad("resolved_at", "a closed case was resolved first");
    if (c.dispatched_at && !c.deadlines.handling_due) {
      Deadlines d = ComputeDeadlines(cat->second, cfg->calendar, c.dispatched_at);
      if (!c.deadlines.response_due) c.deadlines.response_due = d.response_due;
      c.deadlines.handling_due = d.handling_due;
    }
    c.facts.state = *state;
    c.version = 1;
    c.updated_at = c.closed_at;
    c.timers_through = c.closed_at;
    c.route_reason = "历史数据导入";

    // The events, from the times.
    std::vector<CaseEvent> events;
    CaseState at_state = CaseState::kReported;
    auto event = [&](InstantMs at, const char* action, json::object p, CaseState to) {
      CaseEvent e;
      e.at = at;
      e.actor = "import";
      e.action = action;
      e.from_state = action == std::string_view("report") ? "" : CaseStateName(at_state);
      e.to_state = CaseStateName(to);
      e.payload = json::serialize(p);
      events.push_back(std::move(e));
      at_state = to;
    };
    json::object report{{"channel", ChannelName(c.channel)}, {"category", c.category_code}, {"grid", c.grid_code},
                        {"region", c.region_code},          {"route", c.route_reason},     {"imported", true}};
    if (!get("id").empty()) report["source_id"] = get("id");
    event(c.created_at, "report", report, CaseState::kReported);
    if (c.dispatched_at) {
      json::object d{{"response_due", c.deadlines.response_due}, {"handling_due", c.deadlines.handling_due}};
      if (c.unit_id) d["unit"] = *c.unit_id;
      else d["worker"] = *c.worker_id;
      for (int i = 0; i < c.return_count; ++i) {  // each given back at once (the times are not in the export)
        event(c.dispatched_at, "dispatch", d, CaseState::kDispatched);
        event(c.dispatched_at, "return", {{"reason", "历史数据：退单"}}, CaseState::kReturned);
      }
      event(c.dispatched_at, "dispatch", d, CaseState::kDispatched);
    }
    if (c.claimed_at) event(c.claimed_at, "claim", {}, CaseState::kHandling);
    if (c.resolved_at) {
      json::object r{{"working_minutes", cfg->calendar.WorkingMinutesBetween(c.dispatched_at, c.resolved_at)}};
      for (int i = 0; i < c.rework_count; ++i) {
        event(c.resolved_at, "resolve", r, CaseState::kResolved);
        event(c.resolved_at, "rework", {{"reason", "历史数据：返工"}}, CaseState::kHandling);
      }
      event(c.resolved_at, "resolve", r, CaseState::kResolved);
    }
    if (*state == CaseState::kRejected) {
      event(c.closed_at, "reject", {{"reason", "历史数据：不予受理"}}, CaseState::kRejected);
    } else if (c.rating_solved) {
      event(c.closed_at, "rate",
            {{"solved", *c.rating_solved}, {"satisfaction", SatisfactionName(*c.rating_satisfaction)}, {"reopened", false}},
            CaseState::kClosed);
    } else {
      event(c.closed_at, "auto_close", {{"imported", true}}, CaseState::kClosed);
    }

    CaseStore::ImportedCase ic;
    FoldContext ctx{c.region_code, c.category_code};
    FoldEvents(0, ctx, ic.facts, events);
    ic.record = std::move(c);
    ic.events = std::move(events);
    return ic;
  };

  // Every row is checked first, and only where it is and what orders it are kept: new ids follow
  // the order of reporting (then the source's ids, then the file's order), whatever order the
  // file lists the cases in (exports list the newest first).
  struct Row {
    InstantMs reported_at;
    int64_t source_id;  // the exporting platform's id, 0 when not given
    size_t offset;      // where the row starts in `csv`
    size_t line;
  };
  std::vector<Row> rows;
  RollupDeltas rollup;
  CsvReader reader(csv);
  std::vector<std::string> f;
  while (reader.Next(f)) {
    const std::string line = "line " + std::to_string(reader.line());
    if (reader.malformed()) return Status::Invalid(line, "a quoted field is not closed");
    if (col.empty()) {  // the header
      for (size_t i = 0; i < f.size(); ++i) {
        bool known = false;
        for (const auto& c : kColumns) known |= f[i] == c.name;
        if (!known) return Status::Invalid(line, "unknown column '" + f[i].substr(0, 40) + "'");
        if (!col.emplace(f[i], i).second) return Status::Invalid(line, "column '" + f[i] + "' appears twice");
      }
      for (const auto& c : kColumns)
        if (c.required && !col.count(c.name))
          return Status::Invalid(line, std::string("the header lacks the column '") + c.name + "'");
      continue;
    }
    if (rows.size() == kMaxImportRows)
      return Status::Invalid(line, "at most " + std::to_string(kMaxImportRows) + " cases per file");
    GZ_ASSIGN_OR_RETURN(auto ic, parse(f, line));
    for (const auto& fact : ic.facts) AddContribution(fact, +1, rollup);
    auto id_col = col.find("id");
    std::string source = id_col == col.end() ? std::string() : f[id_col->second];
    rows.push_back({ic.record.created_at, IsDigits(source) && source.size() < 16 ? std::stoll(source) : 0,
                    reader.offset(), reader.line()});
  }
  if (col.empty()) return Status::Invalid("line 1", "the file is empty: a header row and cases are expected");
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    return std::pair(x.reported_at, x.source_id) < std::pair(y.reported_at, y.source_id);
  });
  // Written in steps of a few thousand, each row read again from the text, in one transaction:
  // all the cases of a file are written or none, and only a step's are held in memory (a file of
  // 200,000 cases held them all: 1.1 GB).
  auto steps = [&](size_t i, std::vector<CaseStore::ImportedCase>& step) -> Result<bool> {
    const size_t end = std::min(rows.size(), (i + 1) * kImportStep);
    for (size_t r = i * kImportStep; r < end; ++r) {
      CsvReader again(csv.substr(rows[r].offset));
      again.Next(f);
      GZ_ASSIGN_OR_RETURN(auto ic, parse(f, "line " + std::to_string(rows[r].line)));
      step.push_back(std::move(ic));
    }
    return end < rows.size();
  };
  GZ_RETURN_IF_ERROR(cases_.ImportCasesInSteps(steps, EventHash, rollup));
  return static_cast<int64_t>(rows.size());
}

}  // namespace gongzhi
