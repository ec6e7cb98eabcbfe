#include "app/cases.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <set>

#include <boost/json.hpp>

#include "app/assessment.h"
#include "app/audit.h"
#include "app/json_text.h"
#include "core/csv.h"
#include "core/model.h"
#include "core/photo.h"

namespace gongzhi {
namespace {

namespace json = boost::json;

constexpr int64_t kMinute = 60'000;

std::string Json(const json::object& o) { return json::serialize(o); }

Status CheckText(const std::string& v, const char* field, size_t max_chars, bool required) {
  if (required && v.empty()) return Status::Invalid(field, "is required");
  if (!IsCleanUtf8(v)) return Status::Invalid(field, "must be plain UTF-8 text");
  if (Utf8Length(v) > max_chars) return Status::Invalid(field, "longer than " + std::to_string(max_chars) + " characters");
  return Status::Ok();
}

}  // namespace

extern const char* const kHolidays2026Csv;  // data/holidays-cn-2026.csv, embedded at build time

Result<std::pair<int, int>> ParsePeriod(std::string_view t, const std::string& field) {
  int h1, m1, h2, m2;
  char tail;
  std::string s(t);
  if (std::sscanf(s.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 || h1 > 24 || m1 < 0 ||
      m1 > 59 || h2 < 0 || h2 > 24 || m2 < 0 || m2 > 59)
    return Status::Invalid(field, "'" + s + "' is not a period HH:MM-HH:MM");
  return std::make_pair(h1 * 60 + m1, h2 * 60 + m2);
}

Status ValidateCaseSettings(const CaseSettings& s) {
  if (s.duplicate_radius_m < 1 || s.duplicate_radius_m > 5000)
    return Status::Invalid("duplicate_radius_m", "must be between 1 and 5000");
  if (s.duplicate_window_hours < 1 || s.duplicate_window_hours > 720)
    return Status::Invalid("duplicate_window_hours", "must be between 1 and 720");
  if (s.auto_close_days < 1 || s.auto_close_days > 90) return Status::Invalid("auto_close_days", "must be between 1 and 90");
  if (s.summons_ack_minutes < 1 || s.summons_ack_minutes > 1440)
    return Status::Invalid("summons_ack_minutes", "must be between 1 and 1440");
  WorkCalendar probe;
  Status p = probe.SetPeriods(s.working_periods);
  return p.ok() ? p : Status::Invalid("working_hours", p.message());
}

Result<Actor> Actor::Parse(std::string_view text) {
  Actor a;
  auto colon = text.find(':');
  std::string_view kind = text.substr(0, colon), arg = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (kind == "system" && arg.empty()) {
    a.kind = Kind::kSystem;
    return a;
  }
  if (kind == "dispatcher" && LevelOfCode(arg)) {
    a.kind = Kind::kDispatcher;
    a.region = std::string(arg);
    return a;
  }
  if ((kind == "unit" || kind == "worker") && IsDigits(arg) && arg.size() < 18) {
    a.kind = kind == "unit" ? Kind::kUnit : Kind::kWorker;
    a.id = std::stoll(std::string(arg));
    if (a.id > 0) return a;
  }
  return Status::Invalid("X-Gongzhi-Actor", "expected dispatcher:REGION_CODE, unit:ID, worker:ID or system");
}

std::string Actor::ToString() const {
  switch (kind) {
    case Kind::kDispatcher: return "dispatcher:" + region;
    case Kind::kUnit: return "unit:" + std::to_string(id);
    case Kind::kWorker: return "worker:" + std::to_string(id);
    case Kind::kSystem: return "system";
    case Kind::kReporter: return "reporter";
  }
  return "system";
}

CaseService::CaseService(Store& store, GridService& grids, const Clock& clock, CaseSettings settings, FileStore* files)
    : store_(store), cases_(store.cases()), grids_(grids), clock_(clock), settings_(settings), files_(files) {}

std::shared_ptr<const CaseService::Config> CaseService::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

Status CaseService::LoadConfig() {
  GZ_ASSIGN_OR_RETURN(int64_t version, cases_.ConfigVersion());
  auto cfg = std::make_shared<Config>();
  cfg->version = version;
  GZ_RETURN_IF_ERROR(cfg->calendar.SetPeriods(settings_.working_periods));
  GZ_ASSIGN_OR_RETURN(auto cats, cases_.ListCategories());
  for (auto& c : cats) cfg->categories.emplace(c.code, c);
  GZ_ASSIGN_OR_RETURN(cfg->rules, cases_.ListRules());
  GZ_ASSIGN_OR_RETURN(cfg->admission, cases_.ListAdmission());
  GZ_ASSIGN_OR_RETURN(auto days, cases_.ListCalendarDays());
  for (const auto& d : days) {
    auto day = ParseDate(d.day);
    if (!day.ok()) continue;
    d.kind == "off" ? cfg->calendar.AddDayOff(*day) : cfg->calendar.AddWorkday(*day);
  }
  std::lock_guard lock(mu_);
  config_ = std::move(cfg);
  return Status::Ok();
}

Status CaseService::RefreshConfigIfChanged() {
  GZ_ASSIGN_OR_RETURN(int64_t version, cases_.ConfigVersion());
  auto cfg = config();
  if (cfg && cfg->version == version) return Status::Ok();
  return LoadConfig();
}

Result<std::vector<Category>> CaseService::Categories() { return cases_.ListCategories(); }

Status CaseService::UpsertCategories(const std::vector<Category>& cs) {
  auto cfg = config();
  std::set<std::string> codes;
  for (size_t i = 0; i < cs.size(); ++i) {
    Status s = ValidateCategory(cs[i]);
    if (!s.ok()) return Status::Invalid("categories[" + std::to_string(i) + "]." + s.field(), s.message());
    codes.insert(cs[i].code);
  }
  for (size_t i = 0; i < cs.size(); ++i) {
    const auto& p = cs[i].parent_code;
    if (!p.empty() && !codes.count(p) && !(cfg && cfg->categories.count(p)))
      return Status::Invalid("categories[" + std::to_string(i) + "].parent_code", "no 大类 with code " + p);
  }
  GZ_RETURN_IF_ERROR(cases_.UpsertCategories(cs));
  return LoadConfig();
}

Result<std::vector<ResponsibilityRule>> CaseService::Rules() { return cases_.ListRules(); }

Result<ResponsibilityRule> CaseService::AddRule(ResponsibilityRule r) {
  auto cfg = config();
  if (!cfg || !cfg->categories.count(r.category_code))
    return Status::Invalid("category_code", "no category with code " + r.category_code);
  GZ_ASSIGN_OR_RETURN(auto region, store_.GetRegion(r.region_code));
  if (!region) return Status::Invalid("region_code", "no region with code " + r.region_code);
  GZ_ASSIGN_OR_RETURN(auto unit, store_.GetUnit(r.unit_id));
  if (!unit) return Status::Invalid("unit_id", "no unit with id " + std::to_string(r.unit_id));
  GZ_ASSIGN_OR_RETURN(auto out, cases_.InsertRule(r));
  GZ_RETURN_IF_ERROR(LoadConfig());
  return out;
}

Status CaseService::DeleteRule(int64_t id) {
  GZ_RETURN_IF_ERROR(cases_.DeleteRule(id));
  return LoadConfig();
}

Result<std::vector<std::string>> CaseService::Admission() { return cases_.ListAdmission(); }

Status CaseService::SetAdmission(const std::vector<std::string>& codes) {
  auto cfg = config();
  for (size_t i = 0; i < codes.size(); ++i)
    if (!cfg || !cfg->categories.count(codes[i]))
      return Status::Invalid("categories[" + std::to_string(i) + "]", "no category with code " + codes[i]);
  GZ_RETURN_IF_ERROR(cases_.SetAdmission(codes));
  return LoadConfig();
}

Status CaseService::ImportCalendarCsv(std::string_view csv) {
  WorkCalendar probe;
  GZ_RETURN_IF_ERROR(probe.LoadHolidayCsv(csv));  // validates every row first
  CsvReader reader(csv);
  std::vector<std::string> f;
  std::vector<CalendarDay> days;
  while (reader.Next(f)) {
    if (f.size() < 2 || f[0] == "date") continue;
    days.push_back({f[0], f[1], f.size() > 2 ? f[2] : ""});
  }
  GZ_RETURN_IF_ERROR(cases_.UpsertCalendarDays(days));
  return LoadConfig();
}

Result<std::vector<CalendarDay>> CaseService::CalendarDays() { return cases_.ListCalendarDays(); }

Status CaseService::LoadDemoConfig() {
  GZ_ASSIGN_OR_RETURN(auto existing, cases_.ListCategories());
  if (existing.empty()) {
    const int64_t kDay = 450;  // one working day in working minutes
    using U = Urgency;
    std::vector<Category> cs = {
        // 数字城管 事件类
        {"01", "市容环境", "", U::kNormal, 60, 3 * kDay},
        {"0101", "暴露垃圾", "01", U::kNormal, 60, 1 * kDay},
        {"0102", "积存垃圾渣土", "01", U::kNormal, 60, 2 * kDay},
        {"0103", "道路不洁", "01", U::kNormal, 60, 1 * kDay},
        {"02", "宣传广告", "", U::kNormal, 120, 5 * kDay},
        {"0201", "非法小广告", "02", U::kNormal, 120, 2 * kDay},
        {"03", "施工管理", "", U::kNormal, 120, 7 * kDay},
        {"0301", "违法搭建", "03", U::kNormal, 240, 15 * kDay},
        {"0302", "施工扰民", "03", U::kUrgent, 60, 2 * kDay},
        {"04", "街面秩序", "", U::kNormal, 60, 3 * kDay},
        {"0401", "占道经营", "04", U::kNormal, 60, 1 * kDay},
        {"0402", "乱停乱放", "04", U::kNormal, 60, 1 * kDay},
        {"05", "突发事件", "", U::kEmergency, 15, 120},
        {"0501", "路面塌陷", "05", U::kEmergency, 15, 120},
        {"0502", "井盖缺失", "05", U::kEmergency, 15, 120},
        // 部件类
        {"06", "公用设施", "", U::kUrgent, 60, 24 * 60},
        {"0601", "供水设施", "06", U::kUrgent, 60, 24 * 60},
        {"0602", "路灯", "06", U::kNormal, 120, 3 * kDay},
        {"07", "道路交通", "", U::kNormal, 120, 7 * kDay},
        {"08", "园林绿化", "", U::kNormal, 120, 7 * kDay},
        {"09", "房屋土地", "", U::kNormal, 240, 15 * kDay},
        // 12345 诉求类型
        {"11", "咨询", "", U::kNormal, 120, 3 * kDay},
        {"12", "求助", "", U::kUrgent, 60, 3 * kDay},
        {"13", "投诉", "", U::kNormal, 120, 7 * kDay},
        {"14", "举报", "", U::kNormal, 120, 15 * kDay},
        {"15", "建议", "", U::kNormal, 240, 15 * kDay},
        // 社区事务
        {"21", "物业服务", "", U::kNormal, 120, 7 * kDay},
        {"22", "邻里纠纷", "", U::kNormal, 120, 7 * kDay},
        {"23", "养老助残", "", U::kUrgent, 60, 5 * kDay},
        {"24", "就业社保", "", U::kNormal, 240, 7 * kDay},
        {"25", "环境卫生", "", U::kNormal, 60, 2 * kDay},
    };
    GZ_RETURN_IF_ERROR(UpsertCategories(cs));
  }
  GZ_ASSIGN_OR_RETURN(auto days, cases_.ListCalendarDays());
  if (days.empty()) GZ_RETURN_IF_ERROR(ImportCalendarCsv(kHolidays2026Csv));
  GZ_ASSIGN_OR_RETURN(auto admission, cases_.ListAdmission());
  if (admission.empty()) {
    // 网格准入清单: what grid workers may be given: patrol-level matters of their own grid.
    GZ_RETURN_IF_ERROR(SetAdmission({"0101", "0103", "0201", "0402", "22", "23", "25"}));
  }
  GZ_ASSIGN_OR_RETURN(auto rules, cases_.ListRules());
  if (rules.empty()) {
    UnitFilter uf;
    uf.under = "130404";
    uf.limit = 1000;
    GZ_ASSIGN_OR_RETURN(auto units, store_.ListUnits(uf));
    auto unit_named = [&](const std::string& name) -> std::optional<int64_t> {
      for (const auto& u : units)
        if (u.name == name) return u.id;
      return std::nullopt;
    };
    struct R { const char* category; const char* region; const char* unit; };
    const R demo[] = {
        {"01", "130404", "复兴区城市管理综合行政执法局"}, {"02", "130404", "复兴区城市管理综合行政执法局"},
        {"04", "130404", "复兴区城市管理综合行政执法局"}, {"03", "130404", "复兴区住房和城乡建设局"},
        {"09", "130404", "复兴区住房和城乡建设局"},       {"05", "130404", "复兴区住房和城乡建设局"},
        {"13", "130404", "复兴区市场监督管理局"},         {"23", "130404", "复兴区民政局"},
        {"22", "130404001", "胜利桥街道司法所"},          {"14", "130404001", "胜利桥派出所"},
        {"13", "130404002", "百家村街道市场监管所"},
    };
    for (const auto& d : demo) {
      auto id = unit_named(d.unit);
      if (!id) continue;  // demo units not loaded: no rule
      GZ_ASSIGN_OR_RETURN(auto r, AddRule({0, d.category, d.region, *id}));
    }
  }
  return LoadConfig();
}

std::vector<CaseService::Timer> CaseService::TimersOf(const CaseRecord& c, const std::vector<Summons>& summons) const {
  std::vector<Timer> ts;
  const auto& d = c.deadlines;
  const CaseState st = c.facts.state;
  if (st == CaseState::kDispatched)
    ts.insert(ts.end(), {{d.response_warn, Timer::kResponseWarn}, {d.response_due, Timer::kResponseDue}});
  if (st == CaseState::kDispatched || st == CaseState::kHandling)
    ts.insert(ts.end(), {{d.handling_warn, Timer::kHandlingWarn}, {d.handling_due, Timer::kHandlingDue}});
  if (st == CaseState::kVerified && c.verified_at)
    ts.push_back({c.verified_at + settings_.auto_close_days * 24 * 60 * kMinute, Timer::kAutoClose});
  if (st == CaseState::kParked && c.review_at) ts.push_back({c.review_at, Timer::kReview});
  for (const auto& s : summons)
    if (!s.acked_at) ts.push_back({s.ack_due, Timer::kSummons, s.unit_id});
  std::erase_if(ts, [](const Timer& t) { return t.at == 0; });
  std::sort(ts.begin(), ts.end(), [](const Timer& a, const Timer& b) { return a.at < b.at; });
  return ts;
}

std::optional<InstantMs> CaseService::NextDue(const CaseRecord& c, const std::vector<Summons>& summons,
                                              InstantMs after) const {
  for (const Timer& t : TimersOf(c, summons))
    if (t.at > after) return t.at;  // sorted
  return std::nullopt;
}

// 督办 goes to the region above the responsible unit (for a grid worker: the township).
Result<std::string> CaseService::SupervisingRegion(const CaseRecord& c) {
  if (c.unit_id) {
    GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(*c.unit_id));
    if (u) {
      GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(u->region_code));
      return r && !r->parent_code.empty() ? r->parent_code : u->region_code;
    }
  }
  return c.township_code;
}

Status CaseService::AssessmentWrites(const CaseRecord& c, const std::vector<CaseEvent>& events, CaseSideWrites& side) {
  GZ_ASSIGN_OR_RETURN(auto before, cases_.ListFacts(c.id));
  auto after = before;
  FoldContext ctx{c.region_code, c.category_code};
  FoldEvents(c.id, ctx, after, events);
  auto changes = DiffFacts(before, after);
  side.facts = std::move(changes.facts);
  side.rollup = std::move(changes.deltas);
  return Status::Ok();
}

Status CaseService::CommitAction(CaseRecord& c, int64_t expected_version, const std::string& actor,
                                 const std::string& action, CaseState from, const std::string& payload,
                                 const CaseSideWrites& side) {
  InstantMs now = clock_.Now();
  c.updated_at = now;
  CaseEvent e;
  e.at = now;
  e.actor = actor;
  e.action = action;
  e.from_state = CaseStateName(from);
  e.to_state = CaseStateName(c.facts.state);
  e.payload = payload;
  // Summons acknowledgements due also wake the sweep, those added by this action included.
  GZ_ASSIGN_OR_RETURN(auto summons, cases_.ListSummons(c.id));
  summons.insert(summons.end(), side.new_summons.begin(), side.new_summons.end());
  auto next = NextDue(c, summons, c.timers_through);
  for (const auto& sm : summons) e.units.push_back(sm.unit_id);  // summoned units follow the case live
  CaseSideWrites writes = side;
  std::vector<CaseEvent> events{std::move(e)};
  GZ_RETURN_IF_ERROR(AssessmentWrites(c, events, writes));
  GZ_RETURN_IF_ERROR(cases_.UpdateCase(c, expected_version, std::move(events), EventHash, next, writes));
  c.version = expected_version + 1;
  return Status::Ok();
}

Result<IntakeResult> CaseService::Report(const IntakeRequest& req) {
  std::promise<Result<IntakeResult>> p;
  auto f = p.get_future();
  ReportAsync(req, [&p](Result<IntakeResult> r) { p.set_value(std::move(r)); });
  return f.get();
}

void CaseService::ReportAsync(const IntakeRequest& req, std::function<void(Result<IntakeResult>)> done) {
  auto prepared = PrepareIntake(req);
  if (!prepared.ok()) return done(prepared.status());
  auto rec = std::make_shared<CaseRecord>(std::move(prepared->record));
  cases_.InsertCaseAsync(*rec, std::move(prepared->first), EventHash, std::nullopt, prepared->duplicates,
                         [rec, dups = prepared->duplicates, done = std::move(done)](Result<CaseStore::Inserted> in) {
                           if (!in.ok()) return done(in.status());
                           IntakeResult out;
                           out.record = std::move(*rec);
                           out.record.id = in->id;
                           out.record.tracking_code = std::move(in->tracking_code);
                           if (dups) out.duplicate_candidates = std::move(dups->found);
                           done(std::move(out));
                         });
}

Result<CaseService::PreparedIntake> CaseService::PrepareIntake(const IntakeRequest& req) {
  auto cfg = config();
  if (!cfg) return Status::Unavailable("configuration not loaded");
  InstantMs now = clock_.Now();
  CaseRecord c;
  c.category_code = req.category_code;
  c.description = req.description;
  c.lng = req.lng;
  c.lat = req.lat;
  c.reporter_name = req.reporter_name;
  c.reporter_phone = req.reporter_phone;
  c.channel = req.channel;
  GZ_RETURN_IF_ERROR(ValidateIntake(c));
  const Category* cat = nullptr;
  if (!c.category_code.empty()) {
    auto it = cfg->categories.find(c.category_code);
    if (it == cfg->categories.end() || !it->second.active)
      return Status::Invalid("category_code", "no active category with code " + c.category_code);
    cat = &it->second;
  }
  if (c.lng) {
    auto loc = grids_.Locate(*c.lng, *c.lat);
    if (loc.ok()) {
      c.grid_code = loc->grid_code;
      c.region_code = loc->community.code.empty() ? CommunityOfGridCode(loc->grid_code) : loc->community.code;
    } else if (loc.status().code() != ErrorCode::kNotFound) {
      return loc.status();
    } else if (req.region_code.empty()) {
      return Status::Invalid("lng", "the point lies outside every grid; give region_code (community or township)");
    }
  }
  if (c.region_code.empty()) {
    if (req.region_code.empty()) return Status::Invalid("region_code", "give a point (lng, lat) or a region_code");
    auto level = LevelOfCode(req.region_code);
    if (!level || *level < RegionLevel::kTownship)
      return Status::Invalid("region_code", "must be the code of a township or a community");
    GZ_ASSIGN_OR_RETURN(auto region, store_.GetRegion(req.region_code));
    if (!region) return Status::Invalid("region_code", "no region with code " + req.region_code);
    c.region_code = req.region_code;
  }
  c.township_code = c.region_code.substr(0, 9);
  RouteDecision route = Route(cfg->rules, c.category_code, c.region_code);
  c.suggested_unit_id = route.unit_id;
  c.route_reason = route.reason;
  c.version = 1;
  c.facts.state = CaseState::kReported;
  c.created_at = c.updated_at = now;

  PreparedIntake out;
  if (cat && c.lng) {
    // Duplicate candidates: open cases of the same category nearby, recently reported; looked up
    // in the insert's transaction, so simultaneous reports of one problem find each other.
    out.duplicates = std::make_shared<CaseStore::Lookup>();
    out.duplicates->query = DuplicateQuery(c, now);
  }
  CaseEvent& first = out.first;
  {  // the text Json() of the same object gives, without building it (every intake does this)
    first.payload.reserve(96 + c.category_code.size() + c.grid_code.size() + c.region_code.size() +
                          route.reason.size());
    JsonObjectWriter p(first.payload);
    p.String("channel", ChannelName(c.channel));
    p.String("category", c.category_code);
    p.String("grid", c.grid_code);
    p.String("region", c.region_code);
    p.String("route", route.reason);
    if (route.unit_id) p.Int("suggested_unit", *route.unit_id);
    p.Close();
  }
  first.at = now;
  first.actor = c.channel == Channel::kResident ? "reporter" : std::string(ChannelName(c.channel));
  first.action = "report";
  first.from_state = "";
  first.to_state = CaseStateName(c.facts.state);
  out.record = std::move(c);
  return out;
}

Result<std::vector<CaseRole>> CaseService::RolesOf(const Actor& a, const CaseRecord& c) {
  std::vector<CaseRole> roles;
  switch (a.kind) {
    case Actor::Kind::kDispatcher:
      if (c.region_code.starts_with(a.region)) roles.push_back(CaseRole::kDispatcher);
      break;
    case Actor::Kind::kUnit:
      if (c.unit_id == a.id) roles.push_back(CaseRole::kHandler);
      break;
    case Actor::Kind::kWorker: {
      if (c.worker_id == a.id) roles.push_back(CaseRole::kHandler);
      if (!c.grid_code.empty() && c.worker_id != a.id) {
        GZ_ASSIGN_OR_RETURN(auto w, store_.GetWorker(a.id));
        if (w && w->active && std::count(w->grid_codes.begin(), w->grid_codes.end(), c.grid_code))
          roles.push_back(CaseRole::kVerifier);
      }
      break;
    }
    case Actor::Kind::kSystem: roles.push_back(CaseRole::kSystem); break;
    case Actor::Kind::kReporter: roles.push_back(CaseRole::kReporter); break;
  }
  return roles;
}

// Open cases of the same category within the duplicate radius of `c`, reported since the
// duplicate window before `now` began (cases reported later included).
NearbyQuery CaseService::DuplicateQuery(const CaseRecord& c, InstantMs now) const {
  NearbyQuery q;
  q.category = c.category_code;
  q.lng = *c.lng;
  q.lat = *c.lat;
  q.radius_m = settings_.duplicate_radius_m;
  q.created_from = now - settings_.duplicate_window_hours * 60 * kMinute;
  q.exclude_id = c.id;
  q.limit = 10;
  return q;
}

// What a dispatcher may merge `c` into: the duplicate candidates seen from the case's own
// report time (not the intake's answer, which may be days old), itself excluded.
Result<std::vector<CaseView::Candidate>> CaseService::DuplicatesOf(const CaseRecord& c) {
  std::vector<CaseView::Candidate> out;
  if (c.category_code.empty() || !c.lng || !c.lat) return out;
  GZ_ASSIGN_OR_RETURN(auto found, cases_.FindNearbyOpen(DuplicateQuery(c, c.created_at)));
  for (auto& n : found) {
    if (!n.lng || !n.lat) continue;
    double d = DistanceM(*c.lng, *c.lat, *n.lng, *n.lat);
    out.push_back({std::move(n), d});
  }
  return out;
}

Result<CaseView> CaseService::View(const CaseRecord& c, const std::vector<CaseRole>& roles) {
  GZ_ASSIGN_OR_RETURN(auto b, cases_.GetCaseBundle(c.id));
  if (!b) return Status::NotFound("no case with id " + std::to_string(c.id));
  b->record = c;
  return ViewOf(std::move(*b), roles);
}

Result<CaseView> CaseService::ViewOf(CaseStore::Bundle b, const std::vector<CaseRole>& roles) {
  CaseView v;
  v.record = std::move(b.record);
  v.events = std::move(b.events);
  v.summons = std::move(b.summons);
  v.merged_cases = std::move(b.merged);
  v.photos = std::move(b.photos);
  const CaseRecord& c = v.record;
  InstantMs now = clock_.Now();
  if (c.facts.state == CaseState::kDispatched)
    v.response_light = LightAt(c.deadlines.response_warn, c.deadlines.response_due, now);
  if (c.facts.state == CaseState::kDispatched || c.facts.state == CaseState::kHandling)
    v.handling_light = LightAt(c.deadlines.handling_warn, c.deadlines.handling_due, now);
  std::set<CaseAction> allowed;
  for (CaseRole r : roles)
    for (CaseAction a : AllowedCaseActions(c.facts, r))
      if (a != CaseAction::kAutoClose) allowed.insert(a);
  v.allowed.assign(allowed.begin(), allowed.end());
  if (allowed.contains(CaseAction::kMerge)) {
    GZ_ASSIGN_OR_RETURN(v.duplicate_candidates, DuplicatesOf(c));
  }
  return v;
}

Result<CaseView> CaseService::Get(int64_t id, const Actor& actor) {
  GZ_ASSIGN_OR_RETURN(auto b, cases_.GetCaseBundle(id));
  if (!b) return Status::NotFound("no case with id " + std::to_string(id));
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, b->record));
  bool visible = !roles.empty();
  if (!visible && actor.kind == Actor::Kind::kUnit)
    for (const auto& s : b->summons) visible = visible || s.unit_id == actor.id;
  // Outside the actor's scope a case does not exist for them.
  if (!visible) return Status::NotFound("no case with id " + std::to_string(id));
  return ViewOf(std::move(*b), roles);
}

Result<std::vector<CaseRecord>> CaseService::List(CaseFilter f, const Actor& actor) {
  if (f.limit < 1 || f.limit > 500) return Status::Invalid("limit", "must be between 1 and 500");
  f.now = clock_.Now();
  if (f.to_verify) f.state = CaseState::kResolved;
  switch (actor.kind) {
    case Actor::Kind::kDispatcher:
      if (f.region.empty() || actor.region.starts_with(f.region)) f.region = actor.region;
      else if (!f.region.starts_with(actor.region)) return std::vector<CaseRecord>{};
      break;
    case Actor::Kind::kUnit:
      if (f.unit_id && *f.unit_id != actor.id) return std::vector<CaseRecord>{};
      if (f.summoned_unit_id) {  // the cases it is summoned to instead of those it handles
        if (*f.summoned_unit_id != actor.id) return std::vector<CaseRecord>{};
      } else {
        f.unit_id = actor.id;
      }
      break;
    case Actor::Kind::kWorker:
      if (f.worker_id && *f.worker_id != actor.id) return std::vector<CaseRecord>{};
      if (f.to_verify) {  // resolved cases of the worker's grids that someone else handled: 核查
        GZ_ASSIGN_OR_RETURN(auto w, store_.GetWorker(actor.id));
        if (!w || !w->active || w->grid_codes.empty()) return std::vector<CaseRecord>{};
        f.grid_codes = w->grid_codes;  // (state: resolved, set above for every to_verify)
        f.worker_id.reset();
        GZ_ASSIGN_OR_RETURN(auto found, cases_.ListCases(f));
        std::erase_if(found, [&](const CaseRecord& c) { return c.worker_id == actor.id; });
        return found;
      }
      f.worker_id = actor.id;
      break;
    case Actor::Kind::kSystem: break;
    case Actor::Kind::kReporter: return std::vector<CaseRecord>{};
  }
  return cases_.ListCases(f);
}

Result<CaseView> CaseService::Act(int64_t id, CaseAction action, const Actor& actor, const ActionRequest& req) {
  auto cfg = config();
  if (!cfg) return Status::Unavailable("configuration not loaded");
  if (action == CaseAction::kRate)
    return Status::Invalid("action", "residents rate with their tracking code: POST /api/v1/track/{code}/rate");
  if (action == CaseAction::kAutoClose) return Status::Invalid("action", "auto_close is done by the system's timer");
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCase(id));
  if (!found) return Status::NotFound("no case with id " + std::to_string(id));
  CaseRecord c = std::move(*found);
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, c));
  if (roles.empty()) return Status::NotFound("no case with id " + std::to_string(id));
  if (req.expected_version < 1) return Status::Invalid("version", "send the version of the case you acted on");
  if (req.expected_version != c.version)
    return Status::Conflict("the case was changed meanwhile (now version " + std::to_string(c.version) + ", you sent " +
                                std::to_string(req.expected_version) + "); reload and try again",
                            "version");
  std::optional<CaseRole> role;
  for (CaseRole r : roles) {
    auto allowed = AllowedCaseActions(c.facts, r);
    if (std::count(allowed.begin(), allowed.end(), action)) {
      role = r;
      break;
    }
  }
  if (!role) {
    std::set<std::string> names;
    for (CaseRole r : roles)
      for (CaseAction a : AllowedCaseActions(c.facts, r)) names.insert(CaseActionName(a));
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Status::Conflict(std::string("cannot ") + CaseActionName(action) + " a case in state " +
                                CaseStateName(c.facts.state) + "; allowed for you: " + (list.empty() ? "none" : list),
                            "action");
  }

  InstantMs now = clock_.Now();
  json::object p;
  if (!req.note.empty()) {
    GZ_RETURN_IF_ERROR(CheckText(req.note, "note", 2000, false));
    p["note"] = req.note;
  }
  auto need_reason = [&]() -> Status {
    GZ_RETURN_IF_ERROR(CheckText(req.reason, "reason", 500, true));
    p["reason"] = req.reason;
    return Status::Ok();
  };
  auto classify = [&]() -> Status {
    if (req.category_code.empty()) return Status::Ok();
    auto it = cfg->categories.find(req.category_code);
    if (it == cfg->categories.end() || !it->second.active)
      return Status::Invalid("category_code", "no active category with code " + req.category_code);
    if (req.category_code != c.category_code) {
      p["category"] = req.category_code;
      c.category_code = req.category_code;
      RouteDecision route = Route(cfg->rules, c.category_code, c.region_code);
      c.suggested_unit_id = route.unit_id;
      c.route_reason = route.reason;
    }
    return Status::Ok();
  };
  CaseSideWrites side;
  std::optional<CaseRecord> merge_target;

  // Inputs first: a bad request changes nothing.
  switch (action) {
    case CaseAction::kAccept: GZ_RETURN_IF_ERROR(classify()); break;
    case CaseAction::kReject:
      if (req.reason != "duplicate" && req.reason != "out_of_scope" && req.reason != "invalid")
        return Status::Invalid("reason", "must be duplicate, out_of_scope or invalid");
      p["reason"] = req.reason;
      break;
    case CaseAction::kMerge: {
      if (!req.merge_into) return Status::Invalid("merge_into", "is required: the id of the case to merge into");
      if (*req.merge_into == c.id) return Status::Invalid("merge_into", "a case cannot be merged into itself");
      GZ_ASSIGN_OR_RETURN(auto target, cases_.GetCase(*req.merge_into));
      if (!target) return Status::Invalid("merge_into", "no case with id " + std::to_string(*req.merge_into));
      GZ_ASSIGN_OR_RETURN(auto troles, RolesOf(actor, *target));
      if (troles.empty()) return Status::Invalid("merge_into", "no case with id " + std::to_string(*req.merge_into));
      if (IsTerminal(target->facts.state))
        return Status::Conflict("case " + std::to_string(target->id) + " is " + CaseStateName(target->facts.state) +
                                    " and cannot take merged cases",
                                "merge_into");
      p["into"] = target->id;
      c.merged_into = target->id;
      break;
    }
    case CaseAction::kDispatch: {
      GZ_RETURN_IF_ERROR(classify());
      if (c.category_code.empty()) return Status::Invalid("category_code", "classify the case before dispatching it");
      if (req.unit_id && req.worker_id) return Status::Invalid("worker_id", "dispatch to a unit or a grid worker, not both");
      const Category& cat = cfg->categories.at(c.category_code);
      if (req.worker_id) {
        GZ_ASSIGN_OR_RETURN(auto w, store_.GetWorker(*req.worker_id));
        if (!w) return Status::Invalid("worker_id", "no grid worker with id " + std::to_string(*req.worker_id));
        if (!w->active) return Status::Invalid("worker_id", "grid worker " + w->name + " is not active");
        Status admitted = CheckGridAdmission(cfg->admission, cat.code, cat.name);
        if (!admitted.ok()) {
          std::string offer = c.suggested_unit_id ? "; dispatch it to the responsible unit " +
                                                        std::to_string(*c.suggested_unit_id) + " instead"
                                                  : "; dispatch it to a department instead";
          return Status::Conflict(admitted.message() + offer, "worker_id");
        }
        c.worker_id = w->id;
        c.unit_id.reset();
        p["worker"] = w->id;
      } else {
        std::optional<int64_t> unit = req.unit_id ? req.unit_id : c.suggested_unit_id;
        if (!unit) return Status::Invalid("unit_id", "no responsible unit is known for this case; choose one");
        GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(*unit));
        if (!u) return Status::Invalid("unit_id", "no unit with id " + std::to_string(*unit));
        c.unit_id = u->id;
        c.worker_id.reset();
        p["unit"] = u->id;
      }
      c.dispatched_at = now;
      c.claimed_at = 0;
      c.deadlines = ComputeDeadlines(cat, cfg->calendar, now);
      c.timers_through = now;
      p["response_due"] = c.deadlines.response_due;
      p["handling_due"] = c.deadlines.handling_due;
      break;
    }
    case CaseAction::kClaim:
      c.claimed_at = now;
      // Claimed after the response deadline, before the sweep got to it: the 督办 is recorded now
      // (the sweep only looks at dispatched cases for response deadlines).
      if (c.deadlines.response_due && now > c.deadlines.response_due && c.timers_through < c.deadlines.response_due) {
        GZ_ASSIGN_OR_RETURN(std::string region, SupervisingRegion(c));
        side.supervisions.push_back({0, c.id, "response", c.unit_id, c.worker_id, region, c.deadlines.response_due, now});
        p["late"] = true;
      }
      break;
    case CaseAction::kReturn:
      GZ_RETURN_IF_ERROR(need_reason());
      c.unit_id.reset();
      c.worker_id.reset();
      c.deadlines = {};
      ++c.return_count;
      break;
    case CaseAction::kRequestExtension:
      GZ_RETURN_IF_ERROR(need_reason());
      if (req.extension_minutes < 1 || req.extension_minutes > 30 * 450)
        return Status::Invalid("extension_minutes", "must be between 1 and 13500 (30 working days)");
      p["minutes"] = req.extension_minutes;
      break;
    case CaseAction::kApproveExtension: {
      GZ_ASSIGN_OR_RETURN(auto events, cases_.ListEvents(c.id));
      int64_t minutes = 0;
      for (auto it = events.rbegin(); it != events.rend() && !minutes; ++it) {
        if (it->action != CaseActionName(CaseAction::kRequestExtension)) continue;
        auto v = json::parse(it->payload);
        minutes = v.as_object().at("minutes").to_number<int64_t>();
      }
      const Category& cat = cfg->categories.at(c.category_code);
      c.deadlines = ExtendHandling(c.deadlines, cat, cfg->calendar, minutes);
      p["minutes"] = minutes;
      p["handling_due"] = c.deadlines.handling_due;
      break;
    }
    case CaseAction::kDenyExtension: break;
    case CaseAction::kResolve:
      GZ_RETURN_IF_ERROR(CheckText(req.note, "note", 2000, true));
      c.resolved_at = now;
      // Handling time in working minutes, fixed now (the calendar may change later).
      if (c.dispatched_at) p["working_minutes"] = cfg->calendar.WorkingMinutesBetween(c.dispatched_at, now);
      break;
    case CaseAction::kVerify: c.verified_at = now; break;
    case CaseAction::kRework:
      GZ_RETURN_IF_ERROR(need_reason());
      c.resolved_at = 0;
      ++c.rework_count;
      break;
    case CaseAction::kPark: {
      GZ_RETURN_IF_ERROR(need_reason());
      auto day = ParseDate(req.review_date);
      if (!day.ok()) return Status::Invalid("review_date", "a review date YYYY-MM-DD is required");
      // Local midnight (UTC+8) of the review date.
      InstantMs review_at = LocalMidnight(*day);
      if (review_at <= now) return Status::Invalid("review_date", "must be in the future");
      c.review_at = review_at;
      c.timers_through = now;
      p["review_date"] = req.review_date;
      break;
    }
    case CaseAction::kUnpark: c.review_at = 0; break;
    default: break;
  }

  CaseState from = c.facts.state;
  GZ_ASSIGN_OR_RETURN(auto outcome, ApplyCaseAction(c.facts, action, *role, {}));
  c.facts = outcome.facts;
  if (IsTerminal(c.facts.state)) c.closed_at = now;
  p["role"] = CaseRoleName(*role);
  GZ_RETURN_IF_ERROR(CommitAction(c, req.expected_version, actor.ToString(), CaseActionName(action), from, Json(p), side));
  return View(c, roles);
}

Result<CaseView> CaseService::Summon(int64_t id, const Actor& actor, const std::vector<int64_t>& units,
                                     int64_t expected_version, int64_t ack_minutes) {
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCase(id));
  if (!found) return Status::NotFound("no case with id " + std::to_string(id));
  CaseRecord c = std::move(*found);
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, c));
  if (roles.empty()) return Status::NotFound("no case with id " + std::to_string(id));
  if (!std::count(roles.begin(), roles.end(), CaseRole::kDispatcher))
    return Status::Conflict("only the case's dispatchers can summon units (吹哨)", "action");
  if (expected_version != c.version)
    return Status::Conflict("the case was changed meanwhile (now version " + std::to_string(c.version) + ")", "version");
  if ((c.facts.state != CaseState::kDispatched && c.facts.state != CaseState::kHandling) || !c.unit_id)
    return Status::Conflict("units can be summoned to a case dispatched to a unit (dispatched or handling); this one is " +
                                std::string(CaseStateName(c.facts.state)),
                            "action");
  if (units.empty() || units.size() > 20) return Status::Invalid("units", "summon 1 to 20 units");
  if (ack_minutes < 1 || ack_minutes > 24 * 60) return Status::Invalid("ack_minutes", "must be between 1 and 1440");
  InstantMs now = clock_.Now();
  CaseSideWrites side;
  json::array ids;
  std::set<int64_t> seen;
  for (size_t i = 0; i < units.size(); ++i) {
    std::string f = "units[" + std::to_string(i) + "]";
    if (units[i] == *c.unit_id) return Status::Invalid(f, "the lead unit handles the case already");
    if (!seen.insert(units[i]).second) return Status::Invalid(f, "listed twice");
    GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(units[i]));
    if (!u) return Status::Invalid(f, "no unit with id " + std::to_string(units[i]));
    side.new_summons.push_back({c.id, units[i], false, now, now + ack_minutes * kMinute, 0, ""});
    ids.push_back(units[i]);
  }
  json::object p{{"lead", *c.unit_id}, {"units", ids}, {"ack_due", now + ack_minutes * kMinute}};
  GZ_RETURN_IF_ERROR(CommitAction(c, expected_version, actor.ToString(), "summon", c.facts.state, Json(p), side));
  return View(c, roles);
}

Result<CaseView> CaseService::Acknowledge(int64_t id, const Actor& actor, const std::string& note,
                                          int64_t expected_version) {
  if (actor.kind != Actor::Kind::kUnit)
    return Status(ErrorCode::kPermissionDenied, "报到 is done by a summoned unit");
  GZ_RETURN_IF_ERROR(CheckText(note, "note", 2000, false));
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCase(id));
  if (!found) return Status::NotFound("no case with id " + std::to_string(id));
  CaseRecord c = std::move(*found);
  GZ_ASSIGN_OR_RETURN(auto summons, cases_.ListSummons(id));
  const Summons* mine = nullptr;
  for (const auto& s : summons)
    if (s.unit_id == actor.id) mine = &s;
  if (!mine && c.unit_id == actor.id) return Status::Conflict("this unit handles the case but was not summoned to it", "action");
  if (!mine) return Status::NotFound("no case with id " + std::to_string(id));
  if (mine->acked_at) return Status::Conflict("this unit has already reported (报到) to the case", "action");
  if (expected_version != c.version)
    return Status::Conflict("the case was changed meanwhile (now version " + std::to_string(c.version) + ")", "version");
  InstantMs now = clock_.Now();
  CaseSideWrites side;
  side.acknowledge = Summons{id, actor.id, false, 0, 0, now, note};
  json::object p{{"unit", actor.id}, {"late", now > mine->ack_due}};
  if (!note.empty()) p["note"] = note;
  GZ_RETURN_IF_ERROR(CommitAction(c, expected_version, actor.ToString(), "acknowledge", c.facts.state, Json(p), side));
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, c));
  return View(c, roles);
}

Result<WorkerProposal> CaseService::ProposeWorker(int64_t id, const Actor& actor) {
  GZ_ASSIGN_OR_RETURN(auto v, Get(id, actor));
  const CaseRecord& c = v.record;
  if (c.grid_code.empty()) return WorkerProposal{std::nullopt, "the case has no grid (reported without a point)"};
  WorkerFilter in_grid{.grid_code = c.grid_code, .limit = 100};
  WorkerFilter in_community{.under = c.grid_code.substr(0, 12), .limit = 200};
  GZ_ASSIGN_OR_RETURN(auto a, store_.ListWorkers(in_grid));
  GZ_ASSIGN_OR_RETURN(auto b, store_.ListWorkers(in_community));
  std::vector<int64_t> ids;
  for (const auto& w : b) ids.push_back(w.id);
  GZ_ASSIGN_OR_RETURN(auto open, cases_.OpenTasksByWorker(ids));
  std::set<int64_t> grid_ids;
  for (const auto& w : a) grid_ids.insert(w.id);
  std::vector<gongzhi::WorkerLoad> loads;
  for (const auto& w : b)
    loads.push_back({w.id, w.name, open[w.id], w.capacity, grid_ids.count(w.id) > 0, w.active});
  return gongzhi::ProposeWorker(loads);
}

Result<std::vector<std::pair<std::string, int64_t>>> CaseService::CountOverdueBy(const std::string& by,
                                                                                 const std::string& region) {
  if (by == "day" || by == "week") return Status::Invalid("by", "overdue cases are counted by state, category or place");
  return cases_.CountCasesBy(by, region, 0, 0, clock_.Now());
}

Result<std::vector<std::pair<std::string, int64_t>>> CaseService::CountBy(const std::string& by,
                                                                          const std::string& region, CivilDay from,
                                                                          CivilDay to) {
  const bool week = by == "week";
  GZ_ASSIGN_OR_RETURN(auto rows,
                      cases_.CountCasesBy(week ? "day" : by, region, LocalMidnight(from), LocalMidnight(to + 1)));
  if (by != "day" && !week) return rows;
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto& [k, n] : rows) {
    auto day = static_cast<CivilDay>(std::stoll(k));
    std::string key = week ? IsoWeekName(day) : FormatDate(day);
    if (!out.empty() && out.back().first == key) out.back().second += n;  // days come in order
    else out.emplace_back(std::move(key), n);
  }
  return out;
}

Result<LoadSpread> CaseService::CommunityLoad(const std::string& community) {
  if (!IsDigits(community)) return Status::Invalid("community", "must be a division code");
  GZ_ASSIGN_OR_RETURN(auto workers, store_.ListWorkers({.under = community, .limit = 1000}));
  std::vector<int64_t> ids;
  for (const auto& w : workers) ids.push_back(w.id);
  GZ_ASSIGN_OR_RETURN(auto open, cases_.OpenTasksByWorker(ids));
  LoadSpread out;
  std::vector<int> loads;
  for (const auto& w : workers) {
    if (!w.active) continue;
    out.workers.push_back({w.id, w.name, open[w.id], w.capacity});
    loads.push_back(open[w.id]);
    out.max = std::max(out.max, open[w.id]);
    out.mean += open[w.id];
  }
  if (!loads.empty()) out.mean /= static_cast<double>(loads.size());
  out.max_over_mean = out.mean > 0 ? out.max / out.mean : 0;
  out.gini = Gini(loads);
  return out;
}

Result<size_t> CaseService::ImportRulesCsv(std::string_view csv) {
  CsvReader reader(csv);
  std::vector<std::string> f;
  std::vector<ResponsibilityRule> rules;
  auto cfg = config();
  while (reader.Next(f)) {
    if (!f.empty() && f[0] == "category_code") continue;
    std::string where = "line " + std::to_string(reader.line());
    if (f.size() != 3 || !IsDigits(f[2]) || f[2].size() > 18)
      return Status::Invalid(where, "expected category_code,region_code,unit_id");
    ResponsibilityRule r{0, f[0], f[1], std::stoll(f[2])};
    if (!cfg || !cfg->categories.count(r.category_code))
      return Status::Invalid(where + ".category_code", "no category with code " + r.category_code);
    GZ_ASSIGN_OR_RETURN(auto region, store_.GetRegion(r.region_code));
    if (!region) return Status::Invalid(where + ".region_code", "no region with code " + r.region_code);
    GZ_ASSIGN_OR_RETURN(auto unit, store_.GetUnit(r.unit_id));
    if (!unit) return Status::Invalid(where + ".unit_id", "no unit with id " + f[2]);
    rules.push_back(r);
  }
  // Checked whole first; a scope that already has a rule is then reported with its line.
  size_t added = 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    auto r = cases_.InsertRule(rules[i]);
    if (!r.ok()) {
      LoadConfig();
      return Status(r.status().code(), "rule " + std::to_string(i + 1) + ": " + r.status().message() + " (" +
                                           std::to_string(added) + " added before it)");
    }
    ++added;
  }
  GZ_RETURN_IF_ERROR(LoadConfig());
  return added;
}

Status CaseService::ImportCategoriesCsv(std::string_view csv) {
  CsvReader reader(csv);
  std::vector<std::string> f;
  std::vector<Category> cs;
  while (reader.Next(f)) {
    if (!f.empty() && f[0] == "code") continue;
    std::string where = "line " + std::to_string(reader.line());
    if (f.size() != 6) return Status::Invalid(where, "expected code,name,parent_code,urgency,response_minutes,handling_minutes");
    auto urgency = ParseUrgency(f[3]);
    if (!urgency) return Status::Invalid(where + ".urgency", "must be normal, urgent or emergency");
    Category c{f[0], f[1], f[2], *urgency, 0, 0, true};
    try {
      c.response_minutes = std::stoll(f[4]);
      c.handling_minutes = std::stoll(f[5]);
    } catch (...) {
      return Status::Invalid(where, "limits must be whole minutes");
    }
    Status s = ValidateCategory(c);
    if (!s.ok()) return Status::Invalid(where + "." + s.field(), s.message());
    cs.push_back(std::move(c));
  }
  if (cs.empty()) return Status::Invalid("FILE", "no category rows");
  return UpsertCategories(cs);
}

Result<PhotoRecord> CaseService::AttachPhoto(CaseRecord c, const std::string& actor, const std::string& stage,
                                             std::string_view bytes, std::string_view declared) {
  if (!files_) return Status::Unavailable("no file store is configured for photos");
  GZ_ASSIGN_OR_RETURN(std::string type, CheckPhoto(bytes, declared, "photo"));
  if (IsTerminal(c.facts.state))
    return Status::Conflict(std::string("the case is ") + CaseStateName(c.facts.state) + "; no more photos", "photo");
  GZ_ASSIGN_OR_RETURN(auto existing, cases_.ListPhotos(c.id));
  std::string sha = Sha256Hex(bytes);
  int same_stage = 0;
  for (const auto& p : existing) {
    same_stage += p.stage == stage;
    if (p.sha256 == sha) return Status::Conflict("this photo is already attached to the case", "photo");
  }
  if (same_stage >= kMaxPhotosPerStage)
    return Status::Conflict("at most " + std::to_string(kMaxPhotosPerStage) + " photos per case and stage", "photo");
  PhotoRecord rec{c.id, sha, type, static_cast<int64_t>(bytes.size()), stage, actor, clock_.Now()};
  // The file first: a row never points at bytes that are not on disk.
  GZ_RETURN_IF_ERROR(files_->Put(rec.sha256, bytes));
  CaseSideWrites side;
  side.photo = rec;
  json::object p{{"sha256", rec.sha256}, {"type", type}, {"bytes", rec.bytes}, {"stage", stage}};
  // Photos do not ask for the client's version: retry once if the case moved meanwhile.
  for (int attempt = 0;; ++attempt) {
    int64_t version = c.version;
    Status s = CommitAction(c, version, actor, "photo", c.facts.state, Json(p), side);
    if (s.ok()) return rec;
    if (s.field() != "version" || attempt > 0) return s;
    GZ_ASSIGN_OR_RETURN(auto fresh, cases_.GetCase(c.id));
    if (!fresh) return Status::NotFound("no case with id " + std::to_string(c.id));
    c = *fresh;
  }
}

Result<PhotoRecord> CaseService::AddPhoto(int64_t id, const Actor& actor, std::string_view bytes,
                                          std::string_view declared) {
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCase(id));
  if (!found) return Status::NotFound("no case with id " + std::to_string(id));
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, *found));
  if (roles.empty()) return Status::NotFound("no case with id " + std::to_string(id));
  std::string stage = roles.front() == CaseRole::kHandler ? "handling" : "verification";
  return AttachPhoto(*found, actor.ToString(), stage, bytes, declared);
}

Result<PhotoRecord> CaseService::AddReporterPhoto(const std::string& code, std::string_view bytes,
                                                  std::string_view declared) {
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCaseByTracking(code));
  if (!found) return Status::NotFound("no case with this tracking code");
  return AttachPhoto(*found, "reporter", "report", bytes, declared);
}

Result<std::pair<std::string, std::string>> CaseService::GetPhoto(const std::string& sha) {
  if (!files_) return Status::NotFound("no such photo");
  GZ_ASSIGN_OR_RETURN(std::string type, cases_.PhotoType(sha));
  GZ_ASSIGN_OR_RETURN(std::string bytes, files_->Get(sha));
  return std::make_pair(std::move(bytes), std::move(type));
}

Result<TrackView> CaseService::Track(const std::string& code) {
  // The case and its events from one read (the page residents reload most).
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCaseBundleByTracking(code));
  if (!found) return Status::NotFound("no case with this tracking code");
  TrackView t;
  t.tracking_code = found->record.tracking_code;  // as the case has it, not as it was typed
  t.created_at = found->record.created_at;
  const CaseStore::Bundle* shown = &*found;
  std::optional<CaseStore::Bundle> master;
  if (found->record.merged_into) {  // the master's state and steps
    GZ_ASSIGN_OR_RETURN(master, cases_.GetCaseBundle(*found->record.merged_into));
    if (master) {
      t.merged_into_code = master->record.tracking_code;
      shown = &*master;
    }
  }
  const CaseRecord& c = shown->record;
  auto cfg = config();
  t.state = c.facts.state;
  if (cfg) {
    if (auto it = cfg->categories.find(c.category_code); it != cfg->categories.end()) t.category_name = it->second.name;
  }
  t.updated_at = c.updated_at;
  t.steps.reserve(shown->events.size());
  for (const auto& e : shown->events)
    if (e.action != "warn" && e.action != "summons_missed") t.steps.emplace_back(e.at, e.action);
  t.can_rate = c.facts.state == CaseState::kVerified;
  return t;
}

Result<ReporterContact> CaseService::RevealContact(int64_t id, const Actor& actor, const std::string& account,
                                                   const std::string& reason) {
  GZ_RETURN_IF_ERROR(CheckText(reason, "reason", 200, true));
  GZ_ASSIGN_OR_RETURN(auto v, Get(id, actor));  // NotFound outside the scope
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, v.record));
  const bool may = std::any_of(roles.begin(), roles.end(), [](CaseRole r) {
    return r == CaseRole::kDispatcher || r == CaseRole::kHandler || r == CaseRole::kSystem;
  });
  if (!may)
    return Status(ErrorCode::kPermissionDenied,
                  "only the case's dispatcher, its handler or an administrator may see the reporter's contact");
  GZ_RETURN_IF_ERROR(cases_.RecordContactView(ContactView{0, id, actor.ToString(), account, reason, clock_.Now()}));
  return ReporterContact{v.record.reporter_name, v.record.reporter_phone};
}

Result<std::vector<ContactView>> CaseService::ContactViews(int64_t id, const Actor& actor) {
  GZ_ASSIGN_OR_RETURN(auto v, Get(id, actor));
  GZ_ASSIGN_OR_RETURN(auto roles, RolesOf(actor, v.record));
  if (std::none_of(roles.begin(), roles.end(),
                   [](CaseRole r) { return r == CaseRole::kDispatcher || r == CaseRole::kSystem; }))
    return Status(ErrorCode::kPermissionDenied, "the record of contact views is for the case's dispatcher and administrators");
  return cases_.ListContactViews(id);
}

Result<ReporterData> CaseService::ReporterDataOf(const std::string& code) {
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCaseByTracking(code));
  if (!found) return Status::NotFound("no case with this tracking code");
  const CaseRecord& c = *found;
  ReporterData d;
  d.tracking_code = c.tracking_code;
  d.reported_at = c.created_at;
  d.channel = ChannelName(c.channel);
  d.description = c.description;
  d.region_code = c.region_code;
  d.grid_code = c.grid_code;
  d.lng = c.lng, d.lat = c.lat;
  d.contact = {c.reporter_name, c.reporter_phone};
  GZ_ASSIGN_OR_RETURN(auto photos, cases_.ListPhotos(c.id));
  for (auto& ph : photos)
    if (ph.uploaded_by == "reporter") d.photos.push_back(std::move(ph));
  d.rating_solved = c.rating_solved;
  d.rating_satisfaction = c.rating_satisfaction;
  GZ_ASSIGN_OR_RETURN(d.contact_views, cases_.ListContactViews(c.id));
  return d;
}

Status CaseService::ForgetReporter(const std::string& code) {
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCaseByTracking(code));
  if (!found) return Status::NotFound("no case with this tracking code");
  CaseRecord c = std::move(*found);
  if (c.reporter_name.empty() && c.reporter_phone.empty()) return Status::Ok();  // nothing left to remove
  c.reporter_name.clear();
  c.reporter_phone.clear();
  return CommitAction(c, c.version, "reporter", "forget_reporter", c.facts.state, "{}", {});
}

Result<TrackView> CaseService::Rate(const std::string& code, bool solved, Satisfaction satisfaction) {
  auto cfg = config();
  GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCaseByTracking(code));
  if (!found) return Status::NotFound("no case with this tracking code");
  CaseRecord c = *found;
  if (c.merged_into) {
    GZ_ASSIGN_OR_RETURN(auto master, cases_.GetCase(*c.merged_into));
    if (master) c = *master;  // the merged case's reporter rates the master
  }
  GZ_ASSIGN_OR_RETURN(auto outcome, ApplyCaseAction(c.facts, CaseAction::kRate, CaseRole::kReporter, {solved, satisfaction}));
  InstantMs now = clock_.Now();
  CaseState from = c.facts.state;
  c.facts = outcome.facts;
  c.rating_solved = solved;
  c.rating_satisfaction = satisfaction;
  if (outcome.reopened_now && cfg && cfg->categories.count(c.category_code)) {
    // Reopened to the handler with a fresh handling limit.
    Deadlines d = ComputeDeadlines(cfg->categories.at(c.category_code), cfg->calendar, now);
    c.deadlines.handling_warn = d.handling_warn;
    c.deadlines.handling_due = d.handling_due;
    c.resolved_at = c.verified_at = 0;
    c.timers_through = now;
  }
  if (IsTerminal(c.facts.state)) c.closed_at = now;
  json::object p{{"solved", solved}, {"satisfaction", SatisfactionName(satisfaction)}, {"reopened", outcome.reopened_now}};
  if (outcome.reopened_now) p["handling_due"] = c.deadlines.handling_due;
  if (c.id != found->id) p["via"] = "merged case";
  GZ_RETURN_IF_ERROR(CommitAction(c, c.version, "reporter", "rate", from, Json(p)));
  return Track(code);
}

Result<SweepStats> CaseService::Sweep(int limit) {
  SweepStats st;
  InstantMs now = clock_.Now();
  GZ_ASSIGN_OR_RETURN(auto ids, cases_.DueCaseIds(now, limit));
  for (int64_t id : ids) {
    GZ_ASSIGN_OR_RETURN(auto found, cases_.GetCase(id));
    if (!found) continue;
    CaseRecord c = *found;
    const InstantMs from = c.timers_through;
    auto fired = [&](InstantMs t) { return t && t > from && t <= now; };
    std::vector<CaseEvent> events;
    CaseSideWrites side;
    auto event = [&](InstantMs at, const std::string& action, json::object p, CaseState to) {
      CaseEvent e;
      e.at = at;
      e.actor = "system";
      e.action = action;
      e.from_state = CaseStateName(c.facts.state);
      e.to_state = CaseStateName(to);
      e.payload = Json(p);
      events.push_back(std::move(e));
    };
    // 督办 goes to the region above the responsible unit (for a grid worker: the township).
    GZ_ASSIGN_OR_RETURN(auto summons, cases_.ListSummons(c.id));
    const Deadlines& d = c.deadlines;
    for (const Timer& t : TimersOf(c, summons)) {
      if (!fired(t.at)) continue;
      switch (t.kind) {
        case Timer::kResponseWarn:
        case Timer::kHandlingWarn:
          event(t.at, "warn",
                {{"deadline", t.kind == Timer::kResponseWarn ? "response" : "handling"},
                 {"due", t.kind == Timer::kResponseWarn ? d.response_due : d.handling_due}},
                c.facts.state);
          ++st.warnings;
          break;
        case Timer::kResponseDue:
        case Timer::kHandlingDue: {
          const char* deadline = t.kind == Timer::kResponseDue ? "response" : "handling";
          event(t.at, "overdue", {{"deadline", deadline}, {"due", t.at}}, c.facts.state);
          GZ_ASSIGN_OR_RETURN(std::string region, SupervisingRegion(c));
          side.supervisions.push_back({0, c.id, deadline, c.unit_id, c.worker_id, region, t.at, now});
          ++st.overdue;
          ++st.supervisions;
          break;
        }
        case Timer::kSummons:
          event(t.at, "summons_missed", {{"unit", t.unit_id}}, c.facts.state);
          ++st.missed_summons;
          break;
        case Timer::kReview:
          event(t.at, "review_due", {{"review_date", FormatDate(LocalDay(t.at))}}, c.facts.state);
          ++st.reviews_due;
          break;
        case Timer::kAutoClose: {
          auto o = ApplyCaseAction(c.facts, CaseAction::kAutoClose, CaseRole::kSystem);
          if (!o.ok()) break;
          event(now, "auto_close", {{"days", settings_.auto_close_days}}, o->facts.state);
          c.facts = o->facts;
          c.closed_at = now;
          ++st.auto_closed;
          break;
        }
      }
    }
    for (auto& e : events)
      for (const auto& sm : summons) e.units.push_back(sm.unit_id);
    c.timers_through = now;
    c.updated_at = events.empty() ? c.updated_at : now;
    auto next = NextDue(c, summons, now);
    if (!events.empty()) GZ_RETURN_IF_ERROR(AssessmentWrites(c, events, side));
    Status s = cases_.UpdateCase(c, c.version, std::move(events), EventHash, next, side);
    if (s.code() == ErrorCode::kConflict) continue;  // changed meanwhile: the next sweep sees it again
    GZ_RETURN_IF_ERROR(s);
    ++st.cases;
  }
  return st;
}

Result<std::vector<SupervisionRecord>> CaseService::Supervisions(const std::string& prefix, int limit) {
  return cases_.ListSupervisions(prefix, limit);
}

}  // namespace gongzhi
