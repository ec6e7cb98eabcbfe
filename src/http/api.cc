#include "http/api.h"

#include <charconv>
#include <cmath>

#include <boost/json.hpp>

namespace json = boost::json;

namespace gongzhi::http {
namespace {

using Params = std::vector<std::string>;  // values of the {placeholders} of a route, in order

Response Json(const json::value& v, int status = 200) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

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

// Parses a JSON object body; InvalidArgument for anything else.
Result<json::object> ParseObject(const Request& req) {
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec) return Status::Invalid("", "malformed JSON body: " + ec.message());
  if (!v.is_object()) return Status::Invalid("", "the body must be a JSON object");
  return std::move(v.as_object());
}

// Refuses fields the endpoint does not know, so typos do not pass silently.
Status OnlyFields(const json::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    bool ok = false;
    for (auto a : allowed) ok = ok || kv.key() == a;
    if (!ok) return Status::Invalid(std::string(kv.key()), "unknown field");
  }
  return Status::Ok();
}

Status GetString(const json::object& o, const char* key, std::string& out, bool required) {
  auto v = o.if_contains(key);
  if (!v || v->is_null()) return required ? Status::Invalid(key, "is required") : Status::Ok();
  if (!v->is_string()) return Status::Invalid(key, "must be a string");
  out = std::string(v->get_string());
  return Status::Ok();
}

Status GetInt(const json::object& o, const char* key, int64_t& out, bool required, int64_t lo, int64_t hi) {
  auto v = o.if_contains(key);
  if (!v || v->is_null()) return required ? Status::Invalid(key, "is required") : Status::Ok();
  if (!v->is_int64() && !v->is_uint64())
    return Status::Invalid(key, "must be an integer");
  if (v->is_uint64() && v->get_uint64() > static_cast<uint64_t>(hi))
    return Status::Invalid(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  int64_t x = v->to_number<int64_t>();
  if (x < lo || x > hi) return Status::Invalid(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  out = x;
  return Status::Ok();
}

Status GetBool(const json::object& o, const char* key, bool& out) {
  auto v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_bool()) return Status::Invalid(key, "must be true or false");
  out = v->get_bool();
  return Status::Ok();
}

Result<int64_t> ParseId(const std::string& s, const char* field) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id < 1) return Status::Invalid(field, "must be a positive integer id");
  return id;
}

Result<double> ParseNumberParam(const Request& req, const char* name) {
  auto v = req.Param(name);
  if (!v || v->empty()) return Status::Invalid(name, "is required");
  double d = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(d))
    return Status::Invalid(name, "must be a decimal number");
  return d;
}

Status ParsePaging(const Request& req, int& limit, int& offset) {
  for (auto [name, target, lo, hi] : {std::tuple{"limit", &limit, 1, 1000}, std::tuple{"offset", &offset, 0, 100000000}}) {
    auto v = req.Param(name);
    if (!v) continue;
    int x = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (ec != std::errc() || p != v->data() + v->size() || x < lo || x > hi)
      return Status::Invalid(name, "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
    *target = x;
  }
  return Status::Ok();
}

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

template <typename T, typename F>
Response OrError(const Result<T>& r, F&& to_response) {
  if (!r.ok()) return ErrorResponse(r.status());
  return to_response(r.value());
}

Response OrError(const Status& s) { return s.ok() ? NoContent() : ErrorResponse(s); }

}  // namespace

struct Api::Routes {
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{}" matches one segment
    std::function<Response(const Request&, const Params&)> fn;
  };
  std::vector<Route> routes;

  void Add(std::string method, std::string_view pattern, std::function<Response(const Request&, const Params&)> fn) {
    Route r{std::move(method), {}, std::move(fn)};
    size_t pos = 1;
    while (pos <= pattern.size()) {
      size_t next = pattern.find('/', pos);
      if (next == std::string_view::npos) next = pattern.size();
      r.segments.emplace_back(pattern.substr(pos, next - pos));
      pos = next + 1;
    }
    routes.push_back(std::move(r));
  }

  Response Dispatch(const Request& req) const {
    std::vector<std::string_view> segs;
    size_t pos = 1;
    std::string_view path = req.path;
    while (pos <= path.size()) {
      size_t next = path.find('/', pos);
      if (next == std::string_view::npos) next = path.size();
      segs.push_back(path.substr(pos, next - pos));
      pos = next + 1;
    }
    bool path_matched = false;
    for (const auto& r : routes) {
      if (r.segments.size() != segs.size()) continue;
      Params params;
      bool match = true;
      for (size_t i = 0; i < segs.size() && match; ++i) {
        if (r.segments[i] == "{}") params.emplace_back(segs[i]);
        else match = r.segments[i] == segs[i];
      }
      if (!match) continue;
      path_matched = true;
      if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) return r.fn(req, params);
    }
    if (path_matched) {
      Response resp = ErrorResponse(Status(ErrorCode::kInvalidArgument, "method " + req.method + " is not allowed here"));
      resp.status = 405;
      return resp;
    }
    return ErrorResponse(Status::NotFound("no API endpoint " + req.path));
  }
};

Api::~Api() = default;

Api::Api(RegionService& regions, GridService& grids, ApiInfo info) : routes_(std::make_unique<Routes>()) {
  auto& R = *routes_;
  R.Add("GET", "/healthz", [&grids, info](const Request&, const Params&) {
    return Json({{"status", "ok"}, {"backend", info.backend}, {"version", info.version}});
  });
  R.Add("GET", "/api/v1/config", [info](const Request&, const Params&) {
    return Json({{"home_region", info.home_region}, {"tile_url", info.tile_url}, {"version", info.version}});
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
  R.Add("POST", "/api/v1/units", [&regions](const Request& req, const Params&) {
    auto u = UnitFromJson(req);
    if (!u.ok()) return ErrorResponse(u.status());
    return OrError(regions.CreateUnit(*u), [](const Unit& x) { return Json(UnitJson(x), 201); });
  });
  R.Add("GET", "/api/v1/units/{}", [&regions](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(regions.GetUnit(*id), [](const Unit& x) { return Json(UnitJson(x)); });
  });
  R.Add("PUT", "/api/v1/units/{}", [&regions](const Request& req, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    auto u = UnitFromJson(req);
    if (!u.ok()) return ErrorResponse(u.status());
    u->id = *id;
    return OrError(regions.UpdateUnit(*u), [](const Unit& x) { return Json(UnitJson(x)); });
  });
  R.Add("DELETE", "/api/v1/units/{}", [&regions](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(regions.DeleteUnit(*id));
  });

  // --- grids ---
  R.Add("GET", "/api/v1/grids", [&grids](const Request& req, const Params&) {
    std::string prefix = req.Param("community").value_or(req.Param("under").value_or(""));
    return OrError(grids.ListGrids(prefix), [](const std::vector<Grid>& gs) {
      json::array features;
      for (const auto& g : gs) features.push_back(GridFeatureJson(g));
      return Json({{"type", "FeatureCollection"}, {"features", std::move(features)}});
    });
  });
  R.Add("POST", "/api/v1/grids/import", [&grids](const Request& req, const Params&) {
    return OrError(grids.ImportGeoJson(req.body),
                   [](size_t n) { return Json({{"imported", n}}); });
  });
  R.Add("GET", "/api/v1/grids/{}", [&grids](const Request&, const Params& p) {
    return OrError(grids.GetGrid(p[0]), [](const Grid& g) { return Json(GridFeatureJson(g)); });
  });
  R.Add("DELETE", "/api/v1/grids/{}", [&grids](const Request&, const Params& p) { return OrError(grids.DeleteGrid(p[0])); });

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
  R.Add("POST", "/api/v1/grid-workers", [&grids](const Request& req, const Params&) {
    auto w = WorkerFromJson(req);
    if (!w.ok()) return ErrorResponse(w.status());
    return OrError(grids.CreateWorker(*w), [](const GridWorker& x) { return Json(WorkerJson(x), 201); });
  });
  R.Add("GET", "/api/v1/grid-workers/{}", [&grids](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(grids.GetWorker(*id), [](const GridWorker& x) { return Json(WorkerJson(x)); });
  });
  R.Add("PUT", "/api/v1/grid-workers/{}", [&grids](const Request& req, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    auto w = WorkerFromJson(req);
    if (!w.ok()) return ErrorResponse(w.status());
    w->id = *id;
    return OrError(grids.UpdateWorker(*w), [](const GridWorker& x) { return Json(WorkerJson(x)); });
  });
  R.Add("DELETE", "/api/v1/grid-workers/{}", [&grids](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    return OrError(grids.DeleteWorker(*id));
  });
}

Response Api::Handle(const Request& req) { return routes_->Dispatch(req); }

}  // namespace gongzhi::http
