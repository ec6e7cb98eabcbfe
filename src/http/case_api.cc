#include "http/case_api.h"

#include "app/personal_data.h"
#include "core/model.h"
#include "http/access.h"
#include "http/json_io.h"

namespace gongzhi::http {
namespace {

// 138****1111: handlers see reporters' phone numbers masked.
json::object ContactViewJson(const ContactView& v) {
  return {{"at", v.at}, {"actor", v.actor}, {"account", v.account}, {"reason", v.reason}};
}

json::value OptInt(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object CategoryJson(const Category& c) {
  return {{"code", c.code},
          {"name", c.name},
          {"parent_code", c.parent_code},
          {"urgency", UrgencyName(c.urgency)},
          {"response_minutes", c.response_minutes},
          {"handling_minutes", c.handling_minutes},
          {"working_time", c.urgency != Urgency::kEmergency},
          {"active", c.active}};
}

// A case's members, written straight into text (lists and views are the hottest answers).
void WriteCase(JsonObjectWriter& w, const CaseRecord& c) {
  auto opt = [&](std::string_view name, const std::optional<int64_t>& v) {
    if (v) w.Int(name, *v);
    else w.Null(name);
  };
  w.Int("id", c.id);
  w.String("tracking_code", c.tracking_code);
  w.Int("version", c.version);
  w.String("state", CaseStateName(c.facts.state));
  w.Bool("extension_pending", c.facts.extension_pending);
  w.Bool("reopened", c.facts.reopened);
  w.String("category_code", c.category_code);
  w.String("description", c.description);
  if (c.lng) w.Double("lng", *c.lng);
  else w.Null("lng");
  if (c.lat) w.Double("lat", *c.lat);
  else w.Null("lat");
  w.String("grid_code", c.grid_code);
  w.String("region_code", c.region_code);
  w.String("township_code", c.township_code);
  w.String("channel", ChannelName(c.channel));
  {
    JsonObjectWriter r(w.Key("reporter"));
    r.String("name", MaskName(c.reporter_name));
    r.String("phone", MaskPhone(c.reporter_phone));
    r.Close();
  }
  opt("suggested_unit_id", c.suggested_unit_id);
  w.String("route_reason", c.route_reason);
  opt("unit_id", c.unit_id);
  opt("worker_id", c.worker_id);
  opt("merged_into", c.merged_into);
  w.Int("created_at", c.created_at);
  w.Int("updated_at", c.updated_at);
  w.Int("dispatched_at", c.dispatched_at);
  w.Int("claimed_at", c.claimed_at);
  w.Int("resolved_at", c.resolved_at);
  w.Int("closed_at", c.closed_at);
  {
    JsonObjectWriter d(w.Key("deadlines"));
    d.Int("response_warn", c.deadlines.response_warn);
    d.Int("response_due", c.deadlines.response_due);
    d.Int("handling_warn", c.deadlines.handling_warn);
    d.Int("handling_due", c.deadlines.handling_due);
    d.Close();
  }
  w.Int("return_count", c.return_count);
  w.Int("rework_count", c.rework_count);
  if (c.rating_solved) {
    JsonObjectWriter r(w.Key("rating"));
    r.Bool("solved", *c.rating_solved);
    r.String("satisfaction", c.rating_satisfaction ? SatisfactionName(*c.rating_satisfaction) : "");
    r.Close();
  }
}

json::object PhotoJson(const PhotoRecord& p) {
  return {{"sha256", p.sha256},
          {"url", "/api/v1/photos/" + p.sha256},
          {"content_type", p.content_type},
          {"bytes", p.bytes},
          {"stage", p.stage},
          {"uploaded_at", p.uploaded_at}};
}

// The case view as the API answers it: the case, then what hangs off it. Event payloads are JSON
// the service wrote; they go out as stored (the text the audit chain hashed), not parsed again.
Response ViewResponse(const CaseView& v) {
  std::string out;
  out.reserve(2048 + v.events.size() * 400);
  JsonObjectWriter o(out);
  WriteCase(o, v.record);
  {
    JsonObjectWriter l(o.Key("lights"));
    l.String("response", DeadlineLightName(v.response_light));
    l.String("handling", DeadlineLightName(v.handling_light));
    l.Close();
  }
  auto list = [&](std::string_view name, const auto& items, const auto& write) {
    AppendArray(o.Key(name), items, write);
  };
  // Photos are few (at most nine per stage): the tree PhotoJson builds costs nothing here.
  list("photos", v.photos, [](std::string& a, const PhotoRecord& p) { a += JsonText(PhotoJson(p)); });
  list("events", v.events, [](std::string& a, const CaseEvent& e) {
    JsonObjectWriter w(a);
    w.Int("seq", e.seq);
    w.Int("at", e.at);
    w.String("actor", e.actor);
    w.String("action", e.action);
    w.String("from", e.from_state);
    w.String("to", e.to_state);
    w.Raw("payload", e.payload.empty() ? std::string_view("{}") : std::string_view(e.payload));
    w.String("hash", e.hash);
    w.Close();
  });
  list("summons", v.summons, [](std::string& a, const Summons& s) {
    JsonObjectWriter w(a);
    w.Int("unit_id", s.unit_id);
    w.Int("summoned_at", s.summoned_at);
    w.Int("ack_due", s.ack_due);
    w.Int("acked_at", s.acked_at);
    w.Bool("late", s.acked_at > s.ack_due);
    w.String("note", s.note);
    w.Close();
  });
  list("allowed_actions", v.allowed, [](std::string& a, CaseAction x) { AppendJsonString(a, CaseActionName(x)); });
  list("merged_cases", v.merged_cases, [](std::string& a, int64_t id) { a += std::to_string(id); });
  list("duplicate_candidates", v.duplicate_candidates, [](std::string& a, const CaseView::Candidate& d) {
    JsonObjectWriter w(a);
    w.Int("id", d.record.id);
    w.String("state", CaseStateName(d.record.facts.state));
    w.String("description", d.record.description);
    w.Int("created_at", d.record.created_at);
    w.Double("distance_m", std::round(d.distance_m));
    w.Close();
  });
  o.Close();
  return JsonResponse(std::move(out));
}

// What the public tracking page shows (no personal data), written as ViewResponse writes a case.
Response TrackResponse(const TrackView& t) {
  std::string out;
  out.reserve(256 + t.steps.size() * 48);
  JsonObjectWriter o(out);
  o.String("tracking_code", t.tracking_code);
  o.String("state", CaseStateName(t.state));
  o.String("category", t.category_name);
  o.Int("created_at", t.created_at);
  o.Int("updated_at", t.updated_at);
  AppendArray(o.Key("steps"), t.steps, [](std::string& a, const std::pair<InstantMs, std::string>& step) {
    JsonObjectWriter w(a);
    w.Int("at", step.first);
    w.String("action", step.second);
    w.Close();
  });
  o.Bool("can_rate", t.can_rate);
  if (t.merged_into_code) o.String("merged_into", *t.merged_into_code);
  o.Close();
  return JsonResponse(std::move(out));
}

// Case endpoints start alike: who acts, which case. Answers those errors itself.
template <typename F>
Response ForCase(const Request& req, const Params& p, F&& fn) {
  auto actor = ActorOf(req);
  if (!actor.ok()) return ErrorResponse(actor.status());
  auto id = ParseId(p[0], "id");
  if (!id.ok()) return ErrorResponse(id.status());
  return fn(*actor, *id);
}

Result<Category> CategoryFromJson(const json::object& o, const std::string& prefix) {
  GZ_RETURN_IF_ERROR(OnlyFields(o, {"code", "name", "parent_code", "urgency", "response_minutes", "handling_minutes",
                                    "active"}));
  Category c;
  auto wrap = [&](Status s) { return s.ok() ? s : Status::Invalid(prefix + s.field(), s.message()); };
  GZ_RETURN_IF_ERROR(wrap(GetString(o, "code", c.code, true)));
  GZ_RETURN_IF_ERROR(wrap(GetString(o, "name", c.name, true)));
  GZ_RETURN_IF_ERROR(wrap(GetString(o, "parent_code", c.parent_code, false)));
  std::string urgency = "normal";
  GZ_RETURN_IF_ERROR(wrap(GetString(o, "urgency", urgency, false)));
  auto u = ParseUrgency(urgency);
  if (!u) return Status::Invalid(prefix + "urgency", "must be normal, urgent or emergency");
  c.urgency = *u;
  GZ_RETURN_IF_ERROR(wrap(GetInt(o, "response_minutes", c.response_minutes, true, 1, 525600)));
  GZ_RETURN_IF_ERROR(wrap(GetInt(o, "handling_minutes", c.handling_minutes, true, 1, 525600)));
  GZ_RETURN_IF_ERROR(wrap(GetBool(o, "active", c.active)));
  return c;
}

Result<std::vector<std::string>> StringList(const json::object& o, const char* key) {
  auto v = o.if_contains(key);
  if (!v || !v->is_array()) return Status::Invalid(key, "must be an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < v->get_array().size(); ++i) {
    const auto& x = v->get_array()[i];
    if (!x.is_string()) return Status::Invalid(std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
    out.emplace_back(x.get_string());
  }
  return out;
}

Result<ActionRequest> ActionFromJson(const Request& req) {
  ActionRequest a;
  if (req.body.empty()) return Status::Invalid("version", "send {\"version\": N} with the version of the case you acted on");
  GZ_ASSIGN_OR_RETURN(auto o, ParseObject(req));
  GZ_RETURN_IF_ERROR(OnlyFields(o, {"version", "reason", "note", "category_code", "unit_id", "worker_id",
                                    "extension_minutes", "merge_into", "review_date"}));
  GZ_RETURN_IF_ERROR(GetInt(o, "version", a.expected_version, true, 1, INT64_MAX));
  GZ_RETURN_IF_ERROR(GetString(o, "reason", a.reason, false));
  GZ_RETURN_IF_ERROR(GetString(o, "note", a.note, false));
  GZ_RETURN_IF_ERROR(GetString(o, "category_code", a.category_code, false));
  int64_t id = 0;
  if (o.contains("unit_id")) {
    GZ_RETURN_IF_ERROR(GetInt(o, "unit_id", id, true, 1, INT64_MAX));
    a.unit_id = id;
  }
  if (o.contains("worker_id")) {
    GZ_RETURN_IF_ERROR(GetInt(o, "worker_id", id, true, 1, INT64_MAX));
    a.worker_id = id;
  }
  if (o.contains("merge_into")) {
    GZ_RETURN_IF_ERROR(GetInt(o, "merge_into", id, true, 1, INT64_MAX));
    a.merge_into = id;
  }
  GZ_RETURN_IF_ERROR(GetInt(o, "extension_minutes", a.extension_minutes, false, 1, 13500));
  GZ_RETURN_IF_ERROR(GetString(o, "review_date", a.review_date, false));
  return a;
}

Result<IntakeRequest> IntakeFromJson(const Request& req) {
  GZ_ASSIGN_OR_RETURN(auto o, ParseObject(req));
  GZ_RETURN_IF_ERROR(OnlyFields(o, {"category_code", "description", "lng", "lat", "region_code", "reporter", "channel"}));
  IntakeRequest r;
  GZ_RETURN_IF_ERROR(GetString(o, "category_code", r.category_code, false));
  GZ_RETURN_IF_ERROR(GetString(o, "description", r.description, true));
  for (const char* key : {"lng", "lat"}) {
    auto v = o.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_number()) return Status::Invalid(key, "must be a number");
    (std::string(key) == "lng" ? r.lng : r.lat) = v->to_number<double>();
  }
  GZ_RETURN_IF_ERROR(GetString(o, "region_code", r.region_code, false));
  if (auto rep = o.if_contains("reporter"); rep && !rep->is_null()) {
    if (!rep->is_object()) return Status::Invalid("reporter", "must be an object with name and phone");
    const auto& ro = rep->get_object();
    for (const auto& kv : ro)
      if (kv.key() != "name" && kv.key() != "phone") return Status::Invalid("reporter." + std::string(kv.key()), "unknown field");
    Status s = GetString(ro, "name", r.reporter_name, false);
    if (!s.ok()) return Status::Invalid("reporter.name", s.message());
    s = GetString(ro, "phone", r.reporter_phone, false);
    if (!s.ok()) return Status::Invalid("reporter.phone", s.message());
  }
  std::string channel = "resident";
  GZ_RETURN_IF_ERROR(GetString(o, "channel", channel, false));
  auto ch = ParseChannel(channel);
  if (!ch) return Status::Invalid("channel", "must be resident, grid_worker, hotline or api");
  r.channel = *ch;
  return r;
}

Result<int64_t> ParseInstantParam(const Request& req, const char* name) {
  auto v = req.Param(name);
  if (!v || v->empty()) return int64_t{0};
  auto day = ParseDate(*v);
  if (!day.ok()) return Status::Invalid(name, "must be a date YYYY-MM-DD");
  return LocalMidnight(*day);
}

// The filters of the case list and its exports: state, category, region, unit, worker, overdue,
// from/to (report dates, inclusive), cursor.
Result<CaseFilter> CaseFilterOf(const Request& req) {
  CaseFilter f;
  if (auto s = req.Param("state")) {
    f.state = ParseCaseState(*s);
    if (!f.state) return Status::Invalid("state", "unknown state " + *s);
  }
  f.category = req.Param("category").value_or("");
  f.region = req.Param("region").value_or("");
  if (!f.region.empty() && !IsDigits(f.region)) return Status::Invalid("region", "must be a division code");
  for (auto [name, target] : {std::pair{"unit", &f.unit_id}, std::pair{"worker", &f.worker_id}}) {
    if (auto v = req.Param(name)) {
      GZ_ASSIGN_OR_RETURN(*target, ParseId(*v, name));
    }
  }
  f.overdue_only = req.Param("overdue").value_or("") == "1" || req.Param("overdue").value_or("") == "true";
  // ?open=1: not rejected, merged or closed (what a desk works on).
  f.open_only = req.Param("open").value_or("") == "1";
  // ?to_verify=1: resolved cases waiting for 核查 (a grid worker: those of its grids it did not handle).
  f.to_verify = req.Param("to_verify").value_or("") == "1";
  if (auto v = req.Param("summoned")) {  // ?summoned=UNIT_ID: the cases that unit is summoned to
    auto id = ParseId(*v, "summoned");
    if (!id.ok()) return id.status();
    f.summoned_unit_id = *id;
  }
  GZ_ASSIGN_OR_RETURN(f.created_from, ParseInstantParam(req, "from"));
  GZ_ASSIGN_OR_RETURN(int64_t to, ParseInstantParam(req, "to"));
  f.created_to = to ? to + 86'400'000 : 0;  // "to" is inclusive of that day
  if (auto c = req.Param("cursor")) {
    GZ_ASSIGN_OR_RETURN(f.after_id, ParseId(*c, "cursor"));
  }
  return f;
}

// Exports are written page by page into their text: 100,000 cases of a city held as records, and
// as a JSON tree for GeoJSON, had taken the server from 56 to 149 MB (CSV) and 270 MB (GeoJSON).
constexpr const char* kCsvHead =
    "\xEF\xBB\xBF"
    "id,state,category_code,description,grid_code,region_code,township_code,channel,unit_id,worker_id,lng,lat,"
    "reported_at,dispatched_at,claimed_at,resolved_at,closed_at,response_due,handling_due,returns,reworks,"
    "rating_solved,rating_satisfaction\r\n";

void AppendCsvRows(std::string& out, const std::vector<CaseRecord>& cs) {
  auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string(); };
  auto degrees = [](const std::optional<double>& v) { return v ? JsonText(*v) : std::string(); };  // shortest exact
  for (const auto& c : cs) {
    std::vector<std::string> cols{std::to_string(c.id),
                                  CaseStateName(c.facts.state),
                                  c.category_code,
                                  CsvCell(c.description),
                                  c.grid_code,
                                  c.region_code,
                                  c.township_code,
                                  ChannelName(c.channel),
                                  opt(c.unit_id),
                                  opt(c.worker_id),
                                  degrees(c.lng),
                                  degrees(c.lat),
                                  FormatLocalTime(c.created_at),
                                  FormatLocalTime(c.dispatched_at),
                                  FormatLocalTime(c.claimed_at),
                                  FormatLocalTime(c.resolved_at),
                                  FormatLocalTime(c.closed_at),
                                  FormatLocalTime(c.deadlines.response_due),
                                  FormatLocalTime(c.deadlines.handling_due),
                                  std::to_string(c.return_count),
                                  std::to_string(c.rework_count),
                                  c.rating_solved ? (*c.rating_solved ? "true" : "false") : "",
                                  c.rating_satisfaction ? SatisfactionName(*c.rating_satisfaction) : ""};
    for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
    out += "\r\n";
  }
}

// GeoJSON points of the cases that have one, each after a comma unless it is the collection's first.
void AppendGeoJsonFeatures(std::string& out, const std::vector<CaseRecord>& cs, bool& first) {
  for (const auto& c : cs) {
    if (!c.lng) continue;
    if (!first) out += ',';
    first = false;
    JsonObjectWriter f(out);
    f.String("type", "Feature");
    f.Int("id", c.id);
    {
      JsonObjectWriter g(f.Key("geometry"));
      g.String("type", "Point");
      g.Key("coordinates") += '[' + JsonText(*c.lng) + ',' + JsonText(*c.lat) + ']';
      g.Close();
    }
    JsonObjectWriter p(f.Key("properties"));
    p.Int("id", c.id);
    p.String("state", CaseStateName(c.facts.state));
    p.String("category_code", c.category_code);
    p.String("grid_code", c.grid_code);
    p.String("region_code", c.region_code);
    p.String("reported_at", FormatLocalTime(c.created_at));
    p.Close();
    f.Close();
  }
}

}  // namespace

void AddCaseRoutes(Router& R, CaseService& cases) {
  // --- configuration ---
  R.Add("GET", "/api/v1/categories", [&cases](const Request&, const Params&) {
    return OrError(cases.Categories(), [](const std::vector<Category>& cs) {
      json::array a;
      for (const auto& c : cs) a.push_back(CategoryJson(c));
      return Json({{"items", std::move(a)}});
    });
  });
  R.Add("POST", "/api/v1/categories", AdminOnly([&cases](const Request& req, const Params&) {
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    std::vector<Category> cs;
    if (auto items = o->if_contains("items")) {
      if (o->size() != 1 || !items->is_array()) return ErrorResponse(Status::Invalid("items", "must be an array of categories"));
      for (size_t i = 0; i < items->get_array().size(); ++i) {
        std::string prefix = "items[" + std::to_string(i) + "].";
        const auto& x = items->get_array()[i];
        if (!x.is_object()) return ErrorResponse(Status::Invalid(prefix, "must be an object"));
        auto c = CategoryFromJson(x.get_object(), prefix);
        if (!c.ok()) return ErrorResponse(c.status());
        cs.push_back(*c);
      }
    } else {
      auto c = CategoryFromJson(*o, "");
      if (!c.ok()) return ErrorResponse(c.status());
      cs.push_back(*c);
    }
    Status s = cases.UpsertCategories(cs);
    if (!s.ok()) return ErrorResponse(s);
    return Json({{"upserted", cs.size()}});
  }));
  R.Add("GET", "/api/v1/responsibility-rules", [&cases](const Request&, const Params&) {
    return OrError(cases.Rules(), [](const std::vector<ResponsibilityRule>& rs) {
      json::array a;
      for (const auto& r : rs)
        a.push_back({{"id", r.id}, {"category_code", r.category_code}, {"region_code", r.region_code}, {"unit_id", r.unit_id}});
      return Json({{"items", std::move(a)}});
    });
  });
  R.Add("POST", "/api/v1/responsibility-rules", AdminOnly([&cases](const Request& req, const Params&) {
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    ResponsibilityRule r;
    Status s = OnlyFields(*o, {"category_code", "region_code", "unit_id"});
    if (s.ok()) s = GetString(*o, "category_code", r.category_code, true);
    if (s.ok()) s = GetString(*o, "region_code", r.region_code, true);
    if (s.ok()) s = GetInt(*o, "unit_id", r.unit_id, true, 1, INT64_MAX);
    if (!s.ok()) return ErrorResponse(s);
    return OrError(cases.AddRule(r), [](const ResponsibilityRule& x) {
      return Json({{"id", x.id}, {"category_code", x.category_code}, {"region_code", x.region_code}, {"unit_id", x.unit_id}},
                  201);
    });
  }));
  R.Add("DELETE", "/api/v1/responsibility-rules/{}", AdminOnly([&cases](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(cases.DeleteRule(*id));
  }));
  R.Add("GET", "/api/v1/grid-admission", [&cases](const Request&, const Params&) {
    return OrError(cases.Admission(), [](const std::vector<std::string>& codes) {
      json::array a;
      for (const auto& c : codes) a.push_back(json::value(c));
      return Json({{"categories", std::move(a)}});
    });
  });
  R.Add("PUT", "/api/v1/grid-admission", AdminOnly([&cases](const Request& req, const Params&) {
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    if (Status s = OnlyFields(*o, {"categories"}); !s.ok()) return ErrorResponse(s);
    auto codes = StringList(*o, "categories");
    if (!codes.ok()) return ErrorResponse(codes.status());
    return OrError(cases.SetAdmission(*codes));
  }));
  R.Add("GET", "/api/v1/calendar", [&cases](const Request&, const Params&) {
    return OrError(cases.CalendarDays(), [](const std::vector<CalendarDay>& ds) {
      json::array a;
      for (const auto& d : ds) a.push_back({{"date", d.day}, {"kind", d.kind}, {"holiday", d.holiday}});
      return Json({{"days", std::move(a)}});
    });
  });
  R.Add("POST", "/api/v1/calendar/import", AdminOnly([&cases](const Request& req, const Params&) {
    return OrError(cases.ImportCalendarCsv(req.body));
  }));

  // --- cases ---
  R.Add("POST", "/api/v1/cases", [&cases](const Request& req, const Params&) {
    auto in = IntakeFromJson(req);
    if (!in.ok()) return ErrorResponse(in.status());
    // The channel follows who reports: a grid worker's find is a patrol report (巡查上报) whatever
    // the body says; only staff may say a report came by the hotline or another system.
    if (auto who = Actor::Parse(req.actor); who.ok() && who->kind == Actor::Kind::kWorker) {
      in->channel = Channel::kGridWorker;
    } else if (req.actor.empty() && in->channel != Channel::kResident) {
      return ErrorResponse(Status(ErrorCode::kPermissionDenied,
                                  "only signed-in staff report for the hotline, a grid worker or another system",
                                  "channel"));
    }
    // Other residents' words are not shown to an anonymous reporter (they may name people):
    // staff reporting on someone's behalf see the candidates' descriptions, residents their count.
    const bool staff = !req.actor.empty();
    // Written straight into text, as a case view is (a JSON tree was a fifth of the instructions
    // that answering an intake takes).
    auto json = [staff](const IntakeResult& r) {
      std::string out;
      out.reserve(192 + r.duplicate_candidates.size() * (staff ? 400 : 48));
      JsonObjectWriter o(out);
      // The reporter learns the tracking code, not the internal id.
      o.String("tracking_code", r.record.tracking_code);
      o.String("state", CaseStateName(r.record.facts.state));
      o.String("grid_code", r.record.grid_code);
      o.String("region_code", r.record.region_code);
      AppendArray(o.Key("duplicate_candidates"), r.duplicate_candidates, [staff](std::string& a, const CaseRecord& d) {
        JsonObjectWriter w(a);
        w.Int("id", d.id);
        w.String("state", CaseStateName(d.facts.state));
        if (staff) w.String("description", d.description);
        w.Close();
      });
      o.Close();
      Response res = JsonResponse(std::move(out));
      res.status = 201;
      return res;
    };
    if (!req.reply) return OrError(cases.Report(*in), json);
    // Answered after the group commit, without holding a handler thread while it waits. Quick: on
    // an embedded database the I/O thread that read the request runs all this (nothing here waits,
    // but for a credential's or a region's read on the I/O thread's own connection).
    cases.ReportAsync(*in, [reply = req.reply, json](Result<IntakeResult> r) { reply(OrError(r, json)); });
    return Response::Later();
  }, /*quick=*/true);
  // Historical cases (closed or rejected) from CSV with the columns of export.csv; all or nothing.
  R.Add("POST", "/api/v1/cases/import", AdminOnly([&cases](const Request& req, const Params&) {
    return OrError(cases.ImportHistoryCsv(req.body), [](int64_t n) { return Json({{"imported", n}}, 201); });
  }));
  R.Add("GET", "/api/v1/cases", [&cases](const Request& req, const Params&) {
    auto actor = ActorOf(req);
    if (!actor.ok()) return ErrorResponse(actor.status());
    auto f = CaseFilterOf(req);
    if (!f.ok()) return ErrorResponse(f.status());
    int offset = 0, limit = 50;
    if (Status s = ParsePaging(req, limit, offset); !s.ok()) return ErrorResponse(s);
    f->limit = std::min(limit, 500);
    return OrError(cases.List(*f, *actor), [&](const std::vector<CaseRecord>& cs) {
      std::string out;
      out.reserve(64 + cs.size() * 1024);
      JsonObjectWriter o(out);
      AppendArray(o.Key("items"), cs, [](std::string& a, const CaseRecord& c) {
        JsonObjectWriter w(a);
        WriteCase(w, c);
        w.Close();
      });
      if (static_cast<int>(cs.size()) == f->limit && !cs.empty()) o.Int("next_cursor", cs.back().id);
      else o.Null("next_cursor");
      o.Close();
      return JsonResponse(std::move(out));
    });
  });
  // Exports of the cases the actor may see, with the list's filters, newest first, at most
  // 100,000: CSV (UTF-8 with a byte-order mark, for Excel) and GeoJSON points. No personal data
  // of reporters and no tracking codes (whoever holds one can rate the case).
  for (const char* format : {"csv", "geojson"}) {
    R.Add("GET", std::string("/api/v1/cases/export.") + format, [&cases, format](const Request& req, const Params&) {
      auto actor = ActorOf(req);
      if (!actor.ok()) return ErrorResponse(actor.status());
      auto f = CaseFilterOf(req);
      if (!f.ok()) return ErrorResponse(f.status());
      f->limit = 500;
      const bool csv = std::string_view(format) == "csv";
      // Sent page by page as it is read (chunked), so neither side holds the whole export (31 MB
      // of text for 100k cases). The first page is read here: a refusal still gets its status.
      struct Export {
        CaseFilter filter;
        Actor actor;
        std::vector<CaseRecord> page;
        size_t sent = 0;  // 0 until the first piece: every piece after it follows a full page
        bool first_feature = true;
      };
      auto ex = std::make_shared<Export>(Export{*f, *actor, {}, 0, true});
      auto page = cases.List(ex->filter, ex->actor);
      if (!page.ok()) return ErrorResponse(page.status());
      ex->page = std::move(*page);
      Response r;
      r.chunks = [&cases, ex, csv](std::string& piece) -> Result<bool> {
        if (ex->sent == 0) piece = csv ? kCsvHead : R"({"type":"FeatureCollection","features":[)";
        if (csv) AppendCsvRows(piece, ex->page);
        else AppendGeoJsonFeatures(piece, ex->page, ex->first_feature);
        ex->sent += ex->page.size();
        const bool more = static_cast<int>(ex->page.size()) == ex->filter.limit && ex->sent < 100'000;
        if (more) {
          ex->filter.after_id = ex->page.back().id;
          GZ_ASSIGN_OR_RETURN(ex->page, cases.List(ex->filter, ex->actor));
          // A last page that came out empty ends the answer here.
          if (!ex->page.empty()) return true;
        }
        if (!csv) piece += "]}";
        return false;
      };
      if (csv) {
        r.content_type = "text/csv; charset=utf-8";
        r.headers.emplace_back("Content-Disposition", "attachment; filename=\"cases.csv\"");
      } else {
        r.content_type = "application/geo+json";
      }
      return r;
    });
  }
  R.Add("GET", "/api/v1/cases/{}", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      return OrError(cases.Get(id, actor), [](const CaseView& v) { return ViewResponse(v); });
    });
  }, /*quick=*/true);
  R.Add("GET", "/api/v1/cases/{}/proposal", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      return OrError(cases.ProposeWorker(id, actor), [](const WorkerProposal& w) {
        return Json({{"worker_id", OptInt(w.worker_id)}, {"reason", w.reason}});
      });
    });
  });
  R.Add("POST", "/api/v1/cases/{}/summon", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      auto o = ParseObject(req);
      if (!o.ok()) return ErrorResponse(o.status());
      int64_t version = 0, ack = 30;
      std::vector<int64_t> units;
      Status s = OnlyFields(*o, {"version", "units", "ack_minutes"});
      if (s.ok()) s = GetInt(*o, "version", version, true, 1, INT64_MAX);
      if (s.ok()) s = GetInt(*o, "ack_minutes", ack, false, 1, 1440);
      if (s.ok()) {
        auto u = o->if_contains("units");
        if (!u || !u->is_array()) s = Status::Invalid("units", "must be an array of unit ids");
        else
          for (size_t i = 0; i < u->get_array().size() && s.ok(); ++i) {
            const auto& x = u->get_array()[i];
            if (!x.is_int64() || x.get_int64() < 1) s = Status::Invalid("units[" + std::to_string(i) + "]", "must be a unit id");
            else units.push_back(x.get_int64());
          }
      }
      if (!s.ok()) return ErrorResponse(s);
      return OrError(cases.Summon(id, actor, units, version, ack), [](const CaseView& v) { return ViewResponse(v); });
    });
  });
  R.Add("POST", "/api/v1/cases/{}/acknowledge", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      auto o = ParseObject(req);
      if (!o.ok()) return ErrorResponse(o.status());
      int64_t version = 0;
      std::string note;
      Status s = OnlyFields(*o, {"version", "note"});
      if (s.ok()) s = GetInt(*o, "version", version, true, 1, INT64_MAX);
      if (s.ok()) s = GetString(*o, "note", note, false);
      if (!s.ok()) return ErrorResponse(s);
      return OrError(cases.Acknowledge(id, actor, note, version), [](const CaseView& v) { return ViewResponse(v); });
    });
  });
  R.Add("POST", "/api/v1/cases/{}/photos", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      return OrError(cases.AddPhoto(id, actor, req.body, req.content_type),
                     [](const PhotoRecord& ph) { return Json(PhotoJson(ph), 201); });
    });
  });
  // The reporter's contact unmasked, to call them back: recorded (who, when, why) before it is shown.
  R.Add("POST", "/api/v1/cases/{}/contact", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      auto o = ParseObject(req);
      if (!o.ok()) return ErrorResponse(o.status());
      std::string reason;
      Status s = OnlyFields(*o, {"reason"});
      if (s.ok()) s = GetString(*o, "reason", reason, true);
      if (!s.ok()) return ErrorResponse(s);
      return OrError(cases.RevealContact(id, actor, req.account, reason), [](const ReporterContact& c) {
        return Json({{"name", c.name}, {"phone", c.phone}});
      });
    });
  });
  R.Add("GET", "/api/v1/cases/{}/contact-views", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      return OrError(cases.ContactViews(id, actor), [](const std::vector<ContactView>& vs) {
        json::array a;
        for (const auto& v : vs) a.push_back(ContactViewJson(v));
        return Json({{"items", std::move(a)}});
      });
    });
  });
  R.Add("POST", "/api/v1/cases/{}/{}", [&cases](const Request& req, const Params& p) {
    return ForCase(req, p, [&](const Actor& actor, int64_t id) {
      auto action = ParseCaseAction(p[1]);
      if (!action) return ErrorResponse(Status::NotFound("no case action " + p[1]));
      auto in = ActionFromJson(req);
      if (!in.ok()) return ErrorResponse(in.status());
      return OrError(cases.Act(id, *action, actor, *in), [](const CaseView& v) { return ViewResponse(v); });
    });
  });
  R.Add("GET", "/api/v1/communities/{}/load", [&cases](const Request& req, const Params& p) {
    auto community = ViewableRegion(req, p[0], "community");
    if (!community.ok()) return ErrorResponse(community.status());
    return OrError(cases.CommunityLoad(*community), [](const LoadSpread& l) {
      json::array ws;
      for (const auto& w : l.workers)
        ws.push_back({{"id", w.id}, {"name", w.name}, {"open_tasks", w.open_tasks}, {"capacity", w.capacity}});
      return Json({{"workers", std::move(ws)},
                   {"max", l.max},
                   {"mean", l.mean},
                   {"max_over_mean", l.max_over_mean},
                   {"gini", l.gini}});
    });
  });
  R.Add("GET", "/api/v1/supervisions", [&cases](const Request& req, const Params&) {
    std::string region = req.Param("region").value_or("");
    if (!region.empty() && !IsDigits(region)) return ErrorResponse(Status::Invalid("region", "must be a division code"));
    auto viewable = ViewableRegion(req, region);
    if (!viewable.ok()) return ErrorResponse(viewable.status());
    return OrError(cases.Supervisions(*viewable, 200), [](const std::vector<SupervisionRecord>& ss) {
      json::array a;
      for (const auto& s : ss)
        a.push_back({{"id", s.id},
                     {"case_id", s.case_id},
                     {"kind", s.kind},
                     {"unit_id", OptInt(s.unit_id)},
                     {"worker_id", OptInt(s.worker_id)},
                     {"region_code", s.region_code},
                     {"due_at", s.due_at},
                     {"created_at", s.created_at}});
      return Json({{"items", std::move(a)}});
    });
  });

  // --- residents: public, by tracking code, no personal data ---
  R.Add("GET", "/api/v1/track/{}", [&cases](const Request&, const Params& p) {
    return OrError(cases.Track(p[0]), [](const TrackView& t) { return TrackResponse(t); });
  }, /*quick=*/true);
  // The reporter's rights (PIPL): everything held about them, and its deletion.
  R.Add("GET", "/api/v1/track/{}/personal-data", [&cases](const Request&, const Params& p) {
    return OrError(cases.ReporterDataOf(p[0]), [](const ReporterData& d) {
      json::array photos, views;
      for (const auto& ph : d.photos) photos.push_back(PhotoJson(ph));
      for (const auto& v : d.contact_views) views.push_back(ContactViewJson(v));
      json::object o{{"tracking_code", d.tracking_code},
                     {"reported_at", d.reported_at},
                     {"channel", d.channel},
                     {"description", d.description},
                     {"region_code", d.region_code},
                     {"grid_code", d.grid_code},
                     {"lng", d.lng ? json::value(*d.lng) : json::value(nullptr)},
                     {"lat", d.lat ? json::value(*d.lat) : json::value(nullptr)},
                     {"contact", {{"name", d.contact.name}, {"phone", d.contact.phone}}},
                     {"photos", std::move(photos)},
                     {"contact_views", std::move(views)}};
      o["rating"] = d.rating_solved ? json::value(json::object{
                                          {"solved", *d.rating_solved},
                                          {"satisfaction", d.rating_satisfaction ? SatisfactionName(*d.rating_satisfaction) : ""}})
                                    : json::value(nullptr);
      Response r = Json(o);
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    });
  });
  R.Add("DELETE", "/api/v1/track/{}/personal-data", [&cases](const Request&, const Params& p) {
    return OrError(cases.ForgetReporter(p[0]));
  });
  R.Add("POST", "/api/v1/track/{}/photos", [&cases](const Request& req, const Params& p) {
    return OrError(cases.AddReporterPhoto(p[0], req.body, req.content_type),
                   [](const PhotoRecord& ph) { return Json(PhotoJson(ph), 201); });
  });
  R.Add("GET", "/api/v1/photos/{}", [&cases](const Request&, const Params& p) {
    auto photo = cases.GetPhoto(p[0]);
    if (!photo.ok()) return ErrorResponse(photo.status());
    Response r;
    r.content_type = photo->second;
    r.body = std::move(photo->first);
    r.headers.emplace_back("Cache-Control", "private, max-age=31536000, immutable");  // named by content
    return r;
  });
  R.Add("POST", "/api/v1/track/{}/rate", [&cases](const Request& req, const Params& p) {
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    bool solved = true;
    std::string sat;
    Status s = OnlyFields(*o, {"solved", "satisfaction"});
    if (s.ok()) {
      auto v = o->if_contains("solved");
      if (!v || !v->is_bool()) s = Status::Invalid("solved", "must be true or false");
      else solved = v->get_bool();
    }
    if (s.ok()) s = GetString(*o, "satisfaction", sat, true);
    auto satisfaction = ParseSatisfaction(sat);
    if (s.ok() && !satisfaction)
      s = Status::Invalid("satisfaction", "must be satisfied, basically_satisfied or unsatisfied");
    if (!s.ok()) return ErrorResponse(s);
    return OrError(cases.Rate(p[0], solved, *satisfaction), [](const TrackView& t) { return TrackResponse(t); });
  });
}

}  // namespace gongzhi::http
