#include "http/api.h"

#include <algorithm>

#include "http/access.h"
#include "http/assessment_api.h"
#include "http/feed_api.h"
#include "http/session_api.h"
#include "http/open311_api.h"
#include "http/case_api.h"
#include "http/json_io.h"
#include "http/router.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <cmath>
#include <map>

#include <boost/json.hpp>

namespace json = boost::json;

namespace gongzhi::http {
namespace {

json::object RegionJson(const Region& r) {
  return {{"code", r.code}, {"name", r.name}, {"level", RegionLevelName(r.level)}, {"parent_code", r.parent_code}};
}

json::value RegionOrNull(const Region& r) {
  if (r.code.empty()) return nullptr;
  return json::object{{"code", r.code}, {"name", r.name}};
}

json::object UnitJson(const Unit& u) {
  return {{"id", u.id},       {"kind", UnitKindName(u.kind)}, {"name", u.name},
          {"region_code", u.region_code}, {"phone", u.phone},  {"created_at", u.created_at}};
}

json::object WorkerJson(const GridWorker& w) {
  json::array grids;
  for (const auto& g : w.grid_codes) grids.push_back(json::value(g));
  return {{"id", w.id},         {"name", w.name},     {"phone", w.phone},          {"capacity", w.capacity},
          {"active", w.active}, {"grids", std::move(grids)}, {"created_at", w.created_at}};
}

// Grids as a GeoJSON FeatureCollection, written straight into text: each geometry as the store
// keeps it (GeoJSON that GeometryJson wrote) instead of parsed and written again — a city's 23k
// grids are 7.6 MB, and that round trip was most of the time of its hotspot map. `head` holds the
// collection's other members; with `cases`, each grid's count (0 when absent) joins its properties.
Response GridCollection(const std::vector<Grid>& gs, json::object head,
                        const std::map<std::string, int64_t>* cases = nullptr) {
  head["type"] = "FeatureCollection";
  std::string out = JsonText(head);
  out.pop_back();  // the closing brace: the features follow
  out += ",\"features\":[";
  out.reserve(out.size() + gs.size() * 400);
  for (size_t i = 0; i < gs.size(); ++i) {
    const Grid& g = gs[i];
    out += i ? ",{\"type\":\"Feature\",\"id\":" : "{\"type\":\"Feature\",\"id\":";
    AppendJsonString(out, g.code);
    out += ",\"properties\":{\"code\":";
    AppendJsonString(out, g.code);
    out += ",\"name\":";
    AppendJsonString(out, g.name);
    out += ",\"community_code\":";
    AppendJsonString(out, g.community_code);
    out += g.synthetic ? ",\"synthetic\":true" : ",\"synthetic\":false";
    if (cases) {
      auto it = cases->find(g.code);
      out += ",\"cases\":";
      out += std::to_string(it == cases->end() ? 0 : it->second);
    }
    out += "},\"geometry\":";
    out += g.geometry;
    out += '}';
  }
  out += "]}";
  return JsonResponse(std::move(out));
}

json::object GridFeatureJson(const Grid& g) {
  return {{"type", "Feature"},
          {"id", g.code},
          {"properties",
           {{"code", g.code},
            {"name", g.name},
            {"community_code", g.community_code},
            {"synthetic", g.synthetic}}},
          {"geometry", json::parse(g.geometry)}};
}

// ?from=&to= (dates, inclusive; default the last 30 days) and ?region= (digits) of a dashboard,
// the region narrowed to the caller's.
struct DashboardQuery {
  CivilDay from = 0, to = 0;
  std::string region;
};
Result<DashboardQuery> DashboardQueryOf(const Request& req, const Clock& clock) {
  DashboardQuery q;
  q.to = LocalDay(clock.Now());
  q.from = q.to - 29;
  GZ_RETURN_IF_ERROR(ParseDateRange(req, q.from, q.to));
  GZ_ASSIGN_OR_RETURN(q.region, ParseRegionParam(req));
  GZ_ASSIGN_OR_RETURN(q.region, ViewableRegion(req, q.region));
  return q;
}

void AddDashboardRoutes(Router& R, CaseService& cases, GridService& grids) {
  // Counts of the cases reported in the period, by state, category, community, township, grid or day.
  R.Add("GET", "/api/v1/dashboard/counts", [&cases](const Request& req, const Params&) {
    auto q = DashboardQueryOf(req, cases.clock());
    if (!q.ok()) return ErrorResponse(q.status());
    std::string by = req.Param("by").value_or("state");
    return OrError(cases.CountBy(by, q->region, q->from, q->to), [&](const auto& rows) {
      json::array a;
      int64_t total = 0;
      for (const auto& [k, n] : rows) a.push_back({{"key", k}, {"count", n}}), total += n;
      return Json({{"by", by}, {"from", FormatDate(q->from)}, {"to", FormatDate(q->to)}, {"region", q->region},
                   {"total", total}, {"rows", std::move(a)}});
    });
  });
  // Hotspots: the grids of the region as GeoJSON, each with its count of cases for a choropleth.
  R.Add("GET", "/api/v1/dashboard/hotspots", [&cases, &grids](const Request& req, const Params&) {
    auto q = DashboardQueryOf(req, cases.clock());
    if (!q.ok()) return ErrorResponse(q.status());
    // ?measure=cases (reported in the period, the default) or overdue (open and overdue now).
    std::string measure = req.Param("measure").value_or("cases");
    if (measure != "cases" && measure != "overdue")
      return ErrorResponse(Status::Invalid("measure", "must be cases or overdue"));
    auto counts = measure == "overdue" ? cases.CountOverdueBy("grid", q->region)
                                       : cases.CountBy("grid", q->region, q->from, q->to);
    if (!counts.ok()) return ErrorResponse(counts.status());
    auto gs = grids.ListGrids(q->region);
    if (!gs.ok()) return ErrorResponse(gs.status());
    std::map<std::string, int64_t> by_grid(counts->begin(), counts->end());
    int64_t max = 0;
    for (const auto& g : *gs)
      if (auto it = by_grid.find(g.code); it != by_grid.end()) max = std::max(max, it->second);
    return GridCollection(
        *gs, {{"measure", measure}, {"from", FormatDate(q->from)}, {"to", FormatDate(q->to)}, {"max_cases", max}},
        &by_grid);
  });
}

// Parses a JSON object body; InvalidArgument for anything else.
// Refuses fields the endpoint does not know, so typos do not pass silently.
Result<Unit> UnitFromJson(const Request& req) {
  GZ_ASSIGN_OR_RETURN(auto o, ParseObject(req));
  GZ_RETURN_IF_ERROR(OnlyFields(o, {"kind", "name", "region_code", "phone"}));
  Unit u;
  std::string kind;
  GZ_RETURN_IF_ERROR(GetString(o, "kind", kind, true));
  auto k = ParseUnitKind(kind);
  if (!k) return Status::Invalid("kind", "must be one of department, party_org, resident_unit, social_org");
  u.kind = *k;
  GZ_RETURN_IF_ERROR(GetString(o, "name", u.name, true));
  GZ_RETURN_IF_ERROR(GetString(o, "region_code", u.region_code, true));
  GZ_RETURN_IF_ERROR(GetString(o, "phone", u.phone, false));
  return u;
}

Result<GridWorker> WorkerFromJson(const Request& req) {
  GZ_ASSIGN_OR_RETURN(auto o, ParseObject(req));
  GZ_RETURN_IF_ERROR(OnlyFields(o, {"name", "phone", "capacity", "active", "grids"}));
  GridWorker w;
  GZ_RETURN_IF_ERROR(GetString(o, "name", w.name, true));
  GZ_RETURN_IF_ERROR(GetString(o, "phone", w.phone, false));
  int64_t cap = w.capacity;
  GZ_RETURN_IF_ERROR(GetInt(o, "capacity", cap, false, 1, 1000));
  w.capacity = static_cast<int>(cap);
  GZ_RETURN_IF_ERROR(GetBool(o, "active", w.active));
  if (auto g = o.if_contains("grids"); g && !g->is_null()) {
    if (!g->is_array()) return Status::Invalid("grids", "must be an array of grid codes");
    const auto& arr = g->get_array();
    if (arr.size() > 100) return Status::Invalid("grids", "at most 100 grids per worker");
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_string()) return Status::Invalid("grids[" + std::to_string(i) + "]", "must be a grid code string");
      w.grid_codes.emplace_back(arr[i].get_string());
    }
  }
  return w;
}

}  // namespace

Api::~Api() = default;

Api::Api(RegionService& regions, GridService& grids, ApiInfo info, ApiServices parts)
    : routes_(std::make_unique<Router>()),
      accounts_(parts.accounts),
      trust_actor_header_(info.trust_actor_header),
      trusted_proxies_(info.trusted_proxies) {
  auto& R = *routes_;
  CaseService* cases = parts.cases;
  if (cases && info.intake_per_minute > 0) {
    clock_ = &cases->clock();
    intake_limit_ = std::make_unique<TokenBuckets>(info.intake_per_minute, info.intake_burst);
  }
  if (parts.accounts) AddSessionRoutes(R, *parts.accounts);
  if (parts.feed) AddFeedRoutes(R, *parts.feed);
  if (parts.open311) AddOpen311Routes(R, *parts.open311, parts.accounts);
  if (cases) AddCaseRoutes(R, *cases);
  if (parts.assessment) AddAssessmentRoutes(R, *parts.assessment);
  if (cases) AddDashboardRoutes(R, *cases, grids);
  R.Add("GET", "/healthz", [info](const Request&, const Params&) {
    json::object o{{"status", "ok"}, {"backend", info.backend}, {"version", info.version}};
    if (info.leading) o["leader"] = info.leading->load();
    return Json(o);
  }, /*quick=*/true);
  R.Add("GET", "/api/v1/config", [info](const Request&, const Params&) {
    return Json({{"home_region", info.home_region},
                 {"tile_url", info.tile_url},
                 {"version", info.version},
                 {"trust_actor_header", info.trust_actor_header}});
  });

  // --- regions ---
  R.Add("GET", "/api/v1/regions/{}", [&regions](const Request&, const Params& p) {
    return OrError(regions.GetRegion(p[0]), [](const RegionView& v) {
      json::object o = RegionJson(v.region);
      json::array anc, ch;
      for (const auto& a : v.ancestors) anc.push_back(RegionJson(a));
      for (const auto& c : v.children) ch.push_back(RegionJson(c));
      o["ancestors"] = std::move(anc);
      o["children"] = std::move(ch);
      return Json(o);
    });
  });

  // --- units ---
  auto unit_list = [&regions](const Request& req, const Params&) {
    UnitFilter f;
    f.region_code = req.Param("region").value_or("");
    f.under = req.Param("under").value_or("");
    if (!f.under.empty() && !IsDigits(f.under)) return ErrorResponse(Status::Invalid("under", "must be a division code"));
    if (auto k = req.Param("kind")) {
      f.kind = ParseUnitKind(*k);
      if (!f.kind) return ErrorResponse(Status::Invalid("kind", "must be one of department, party_org, resident_unit, social_org"));
    }
    if (Status s = ParsePaging(req, f.limit, f.offset); !s.ok()) return ErrorResponse(s);
    return OrError(regions.ListUnits(f), [](const std::vector<Unit>& us) {
      json::array a;
      for (const auto& u : us) a.push_back(UnitJson(u));
      return Json({{"items", std::move(a)}});
    });
  };
  R.Add("GET", "/api/v1/units", unit_list);
  R.Add("POST", "/api/v1/units", AdminOnly([&regions](const Request& req, const Params&) {
    auto u = UnitFromJson(req);
    if (!u.ok()) return ErrorResponse(u.status());
    return OrError(regions.CreateUnit(*u), [](const Unit& x) { return Json(UnitJson(x), 201); });
  }));
  R.Add("GET", "/api/v1/units/{}", [&regions](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(regions.GetUnit(*id), [](const Unit& x) { return Json(UnitJson(x)); });
  });
  R.Add("PUT", "/api/v1/units/{}", AdminOnly([&regions](const Request& req, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    auto u = UnitFromJson(req);
    if (!u.ok()) return ErrorResponse(u.status());
    u->id = *id;
    return OrError(regions.UpdateUnit(*u), [](const Unit& x) { return Json(UnitJson(x)); });
  }));
  R.Add("DELETE", "/api/v1/units/{}", AdminOnly([&regions](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(regions.DeleteUnit(*id));
  }));

  // --- grids ---
  R.Add("GET", "/api/v1/grids", [&grids](const Request& req, const Params&) {
    std::string prefix = req.Param("community").value_or(req.Param("under").value_or(""));
    return OrError(grids.ListGrids(prefix), [](const std::vector<Grid>& gs) { return GridCollection(gs, {}); });
  });
  R.Add("POST", "/api/v1/grids/import", AdminOnly([&grids](const Request& req, const Params&) {
    return OrError(grids.ImportGeoJson(req.body),
                   [](size_t n) { return Json({{"imported", n}}); });
  }));
  R.Add("GET", "/api/v1/grids/{}", [&grids](const Request&, const Params& p) {
    return OrError(grids.GetGrid(p[0]), [](const Grid& g) { return Json(GridFeatureJson(g)); });
  });
  R.Add("DELETE", "/api/v1/grids/{}", AdminOnly([&grids](const Request&, const Params& p) { return OrError(grids.DeleteGrid(p[0])); }));

  R.Add("GET", "/api/v1/locate", [&grids](const Request& req, const Params&) {
    auto lng = ParseNumberParam(req, "lng");
    if (!lng.ok()) return ErrorResponse(lng.status());
    auto lat = ParseNumberParam(req, "lat");
    if (!lat.ok()) return ErrorResponse(lat.status());
    return OrError(grids.Locate(*lng, *lat), [](const Location& l) {
      return Json({{"grid", {{"code", l.grid_code}, {"name", l.grid_name}, {"synthetic", l.synthetic}}},
                   {"community", RegionOrNull(l.community)},
                   {"township", RegionOrNull(l.township)},
                   {"district", RegionOrNull(l.district)}});
    });
  });

  // --- grid workers ---
  R.Add("GET", "/api/v1/grid-workers", [&grids](const Request& req, const Params&) {
    WorkerFilter f;
    f.grid_code = req.Param("grid").value_or("");
    f.under = req.Param("under").value_or("");
    if (!f.under.empty() && !IsDigits(f.under)) return ErrorResponse(Status::Invalid("under", "must be a division code"));
    if (Status s = ParsePaging(req, f.limit, f.offset); !s.ok()) return ErrorResponse(s);
    return OrError(grids.ListWorkers(f), [](const std::vector<GridWorker>& ws) {
      json::array a;
      for (const auto& w : ws) a.push_back(WorkerJson(w));
      return Json({{"items", std::move(a)}});
    });
  });
  R.Add("POST", "/api/v1/grid-workers", AdminOnly([&grids](const Request& req, const Params&) {
    auto w = WorkerFromJson(req);
    if (!w.ok()) return ErrorResponse(w.status());
    return OrError(grids.CreateWorker(*w), [](const GridWorker& x) { return Json(WorkerJson(x), 201); });
  }));
  R.Add("GET", "/api/v1/grid-workers/{}", [&grids](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(grids.GetWorker(*id), [](const GridWorker& x) { return Json(WorkerJson(x)); });
  });
  R.Add("PUT", "/api/v1/grid-workers/{}", AdminOnly([&grids](const Request& req, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    auto w = WorkerFromJson(req);
    if (!w.ok()) return ErrorResponse(w.status());
    w->id = *id;
    return OrError(grids.UpdateWorker(*w), [](const GridWorker& x) { return Json(WorkerJson(x)); });
  }));
  R.Add("DELETE", "/api/v1/grid-workers/{}", AdminOnly([&grids](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(grids.DeleteWorker(*id));
  }));
}

std::string Api::ClientAddress(const Request& req) const {
  std::string addr = req.remote_address;
  if (!req.forwarded_for.empty() &&
      std::find(trusted_proxies_.begin(), trusted_proxies_.end(), addr) != trusted_proxies_.end()) {
    std::string_view xff = req.forwarded_for;
    size_t comma = xff.rfind(',');
    xff = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
    while (!xff.empty() && xff.front() == ' ') xff.remove_prefix(1);
    while (!xff.empty() && xff.back() == ' ') xff.remove_suffix(1);
    if (!xff.empty() && xff.size() <= 45) addr = std::string(xff);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {  // ::ffff:a.b.c.d from a dual-stack socket: the IPv4 client
      char buf[INET_ADDRSTRLEN];
      if (inet_ntop(AF_INET, v6.s6_addr + 12, buf, sizeof buf)) addr = buf;
      return addr;
    }
    std::memset(v6.s6_addr + 8, 0, 8);  // keep the /64
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &v6, buf, sizeof buf)) addr = std::string(buf) + "/64";
  }
  return addr;
}

bool Api::IsQuick(const Request& req) const { return routes_->IsQuick(req); }

// Who acts: a session cookie or bearer token decides (its role's actor); without one, the
// X-Gongzhi-Actor header only where the server trusts it (tests, scripts), else nobody.
Response Api::Handle(const Request& req) {
  // Rate limits (intake, sign-in) key on the client's address: settle it once for every handler.
  if (std::string client = ClientAddress(req); client != req.remote_address || !req.forwarded_for.empty()) {
    Request r = req;
    r.remote_address = std::move(client);
    r.forwarded_for.clear();
    return Handle(r);
  }
  bool bearer = false;
  std::string token = CredentialOf(req, &bearer);
  std::optional<Principal> who;
  if (accounts_ && !token.empty()) {
    auto p = accounts_->Authenticate(token);
    if (!p.ok()) return ErrorResponse(p.status());
    who = std::move(*p);
    if (!who && bearer)
      return ErrorResponse(Status(ErrorCode::kUnauthenticated, "the bearer token is unknown, expired or revoked",
                                  "Authorization"));
  }
  // People without an account report at a human pace: a script flooding intake from one address
  // is slowed down, with the wait in Retry-After. (A made-up cookie does not count as an account.)
  if (intake_limit_ && !who && req.method == "POST" &&
      (req.path == "/api/v1/cases" || req.path.starts_with("/api/v1/track/"))) {
    if (int64_t wait = intake_limit_->Take(req.remote_address, clock_->Now())) {
      Response r = ErrorResponse(Status(ErrorCode::kResourceExhausted,
                                        "too many reports from your address; try again in " + std::to_string(wait) +
                                            " seconds, or sign in"));
      r.headers.emplace_back("Retry-After", std::to_string(wait));
      return r;
    }
  }
  // A write riding on the session cookie must come from our own page (SameSite=Strict already
  // keeps other sites' requests from carrying it; the token also stops same-site neighbours).
  if (who && !bearer && req.method != "GET" && req.method != "HEAD" &&
      !(req.method == "POST" && req.path == "/api/v1/session") && req.csrf_token != CsrfTokenOf(token))
    return ErrorResponse(Status(ErrorCode::kPermissionDenied,
                                "a write with the session cookie needs the X-CSRF-Token header given at sign-in",
                                "X-CSRF-Token"));
  if (!accounts_) return routes_->Dispatch(req);
  const bool actor_param = std::any_of(req.query.begin(), req.query.end(), [](const auto& kv) { return kv.first == "actor"; });
  if (!who && (trust_actor_header_ || (req.actor.empty() && !actor_param))) return routes_->Dispatch(req);
  Request r = req;
  r.actor = who ? who->actor : "";
  r.credential = who ? token : "";
  r.account = who ? who->account.login : "";
  // The feed's ?actor= stands in for the header where browsers cannot set one: same rule.
  std::erase_if(r.query, [](const auto& kv) { return kv.first == "actor"; });
  return routes_->Dispatch(r);
}

}  // namespace gongzhi::http
