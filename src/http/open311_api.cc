#include "http/open311_api.h"

#include <charconv>
#include <cmath>

#include <boost/url/decode_view.hpp>
#include <boost/url/parse_query.hpp>

#include "http/json_io.h"

namespace gongzhi::http {
namespace {

enum class Format { kJson, kXml };

// "requests.json" -> ("requests", json); nullopt for any other suffix.
std::optional<std::pair<std::string, Format>> SplitFormat(const std::string& segment) {
  for (auto [suffix, f] : {std::pair{".json", Format::kJson}, std::pair{".xml", Format::kXml}}) {
    std::string_view s(suffix);
    if (segment.size() > s.size() && segment.ends_with(s)) return std::pair{segment.substr(0, segment.size() - s.size()), f};
  }
  return std::nullopt;
}

// The element name of one item of a list, as the specification's XML writes it.
std::string ItemName(std::string_view list) {
  if (list == "service_requests") return "request";
  if (list == "service_request_updates") return "request_update";
  if (list == "services") return "service";
  if (list == "errors") return "error";
  if (list == "attributes") return "attribute";
  if (list == "values") return "value";
  if (list == "endpoints") return "endpoint";
  if (list == "formats") return "format";
  return "item";
}

void XmlEscape(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
}

void Xml(std::string& out, std::string_view name, const json::value& v) {
  out += "<";
  out += name;
  out += ">";
  if (v.is_object()) {
    for (const auto& [k, x] : v.get_object()) Xml(out, k, x);
  } else if (v.is_array()) {
    std::string item = ItemName(name);
    for (const auto& x : v.get_array()) Xml(out, item, x);
  } else if (v.is_string()) {
    XmlEscape(out, v.get_string());
  } else if (!v.is_null()) {
    out += JsonText(v);  // numbers, true/false
  }
  out += "</";
  out += name;
  out += ">";
}

// `root` names the XML document element (the JSON is the value itself).
Response Answer(Format f, std::string_view root, const json::value& v, int status = 200) {
  Response r;
  r.status = status;
  if (f == Format::kJson) {
    r.content_type = "application/json; charset=utf-8";
    r.body = JsonText(v);
  } else {
    r.content_type = "text/xml; charset=utf-8";
    r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    Xml(r.body, root, v);
  }
  return r;
}

// Errors as the specification has them: 404 for an unknown service, request or token, 403 for a
// bad api_key, 400 for anything else the client sent (503/500 stay what they are).
Response Error(Format f, const Status& s) {
  int code = 400;
  switch (s.code()) {
    case ErrorCode::kNotFound: code = 404; break;
    case ErrorCode::kPermissionDenied: code = 403; break;
    case ErrorCode::kUnavailable: code = 503; break;
    case ErrorCode::kInternal: code = 500; break;
    default: code = 400;
  }
  std::string description = s.field().empty() ? s.message() : s.field() + ": " + s.message();
  return Answer(f, "errors", json::array{json::object{{"code", code}, {"description", description}}}, code);
}

json::object ServiceJson(const Category& c, const std::string& group) {
  std::string limits = "响应时限 " + std::to_string(c.response_minutes) + " 分钟，办理时限 " +
                       std::to_string(c.handling_minutes) + " 分钟" +
                       (c.urgency == Urgency::kEmergency ? "（自然时间）" : "（工作时间）");
  return {{"service_code", c.code}, {"service_name", c.name}, {"description", limits}, {"metadata", false},
          {"type", "realtime"},     {"keywords", UrgencyName(c.urgency)},               {"group", group}};
}

json::value Time(InstantMs t) { return t ? json::value(FormatLocalTime(t)) : json::value(nullptr); }

json::object RequestJson(const PublicRequest& p) {
  const auto& c = p.record;
  return {{"service_request_id", std::to_string(c.id)},
          {"status", p.closed ? "closed" : "open"},
          {"status_notes", p.status_notes},
          {"service_name", p.service_name},
          {"service_code", c.category_code},
          {"description", c.description},
          {"agency_responsible", p.agency},
          {"service_notice", ""},
          {"requested_datetime", Time(c.created_at)},
          {"updated_datetime", Time(c.updated_at)},
          {"expected_datetime", Time(c.deadlines.handling_due)},
          {"address", p.address},
          {"address_id", c.region_code},
          {"zipcode", ""},
          {"lat", c.lat ? json::value(*c.lat) : json::value(nullptr)},
          {"long", c.lng ? json::value(*c.lng) : json::value(nullptr)},
          {"media_url", ""}};
}

// Form fields of an application/x-www-form-urlencoded body ('+' is a space), then the query's.
using Fields = std::vector<std::pair<std::string, std::string>>;
Result<Fields> FormOf(const Request& req) {
  Fields out;
  if (!req.body.empty()) {
    if (!req.content_type.starts_with("application/x-www-form-urlencoded"))
      return Status::Invalid("Content-Type", "send the request as application/x-www-form-urlencoded");
    // '+' is a space; bytes a strict client would have percent-encoded (UTF-8 text sent as is,
    // as curl -d does) are encoded here so the parser accepts them.
    std::string body;
    for (unsigned char ch : req.body) {
      static const char kHex[] = "0123456789ABCDEF";
      if (ch == '+') body += "%20";
      else if (ch >= 0x80 || ch < 0x20 || ch == ' ' || ch == '"' || ch == '<' || ch == '>' || ch == '\\' ||
               ch == '^' || ch == '`' || ch == '{' || ch == '|' || ch == '}' || ch == 0x7f)
        body += '%', body += kHex[ch >> 4], body += kHex[ch & 15];
      else body += static_cast<char>(ch);
    }
    auto params = boost::urls::parse_query(body);
    if (!params) return Status::Invalid("body", "is not a valid form-encoded body");
    for (auto p : *params) {
      auto key = *p.key, value = *p.value;  // percent-decoded views
      out.emplace_back(std::string(key.begin(), key.end()),
                       p.has_value ? std::string(value.begin(), value.end()) : std::string());
    }
  }
  out.insert(out.end(), req.query.begin(), req.query.end());
  return out;
}

std::string FieldOf(const Fields& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return "";
}

Result<std::optional<double>> Coordinate(const Fields& f, const char* name, double lo, double hi) {
  std::string v = FieldOf(f, name);
  if (v.empty()) return std::optional<double>();
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d) || d < lo || d > hi)
    return Status::Invalid(name, "must be a decimal number between " + std::to_string(int(lo)) + " and " +
                                     std::to_string(int(hi)));
  return std::optional<double>(d);
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    std::string part = s.substr(pos, c - pos);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    pos = c + 1;
  }
  return out;
}

constexpr InstantMs kDay = 86'400'000;

// GET requests: filters of the specification; default the last 90 days, at most 1000.
Result<Open311Query> QueryOf(const Request& req, InstantMs now) {
  Open311Query q;
  if (auto ids = req.Param("service_request_id")) {
    for (const auto& s : SplitCommas(*ids)) {
      auto id = ParseId(s, "service_request_id");
      if (!id.ok()) return id.status();
      q.ids.push_back(*id);
    }
    if (q.ids.size() > 1000) return Status::Invalid("service_request_id", "at most 1000 ids");
    return q;
  }
  if (auto codes = req.Param("service_code")) q.service_codes = SplitCommas(*codes);
  if (q.service_codes.size() > 100) return Status::Invalid("service_code", "at most 100 codes");
  if (auto st = req.Param("status")) {
    auto parts = SplitCommas(*st);
    bool open = false, closed = false;
    for (const auto& s : parts) {
      if (s == "open") open = true;
      else if (s == "closed") closed = true;
      else return Status::Invalid("status", "must be open, closed or both (comma-separated)");
    }
    if (open != closed) q.closed = closed;
  }
  std::optional<InstantMs> from, to;
  for (auto [name, target] : {std::pair{"start_date", &from}, std::pair{"end_date", &to}}) {
    auto v = req.Param(name);
    if (!v || v->empty()) continue;
    auto t = ParseInstant(*v);
    if (!t.ok()) return Status::Invalid(name, t.status().message());
    *target = *t;
  }
  if (from && to && *to < *from) return Status::Invalid("end_date", "is before start_date");
  if (from && to && *to - *from > 90 * kDay) return Status::Invalid("end_date", "a range spans at most 90 days");
  q.to = to ? *to + 1 : (from ? *from + 90 * kDay : now + 1);
  q.from = from ? *from : q.to - 90 * kDay;
  return q;
}

}  // namespace

void AddOpen311Routes(Router& router, Open311Service& open311, AccountService* accounts, std::string base) {
  // discovery, services, requests, servicerequestupdates: one segment, then the format.
  router.Add("GET", base + "/{}", [&open311, base](const Request& req, const Params& p) {
    auto sf = SplitFormat(p[0]);
    if (!sf) return Error(Format::kJson, Status::NotFound("no such resource; add .json or .xml"));
    auto [what, f] = *sf;
    if (what == "discovery") {
      json::object endpoint{{"specification", "http://wiki.open311.org/GeoReport_v2"},
                            {"url", base},
                            {"changeset", "2026-11-26T00:00:00+08:00"},
                            {"type", "production"},
                            {"formats", json::array{"application/json", "text/xml"}}};
      return Answer(f, "discovery",
                    json::object{{"changeset", "2026-11-26T00:00:00+08:00"},
                                 {"contact", "Gongzhi (共治) — the operator of this district's platform"},
                                 {"key_service", "api_key from the platform's administrator"},
                                 {"endpoints", json::array{endpoint}}});
    }
    if (what == "services") {
      std::optional<std::pair<double, double>> at;
      Fields query(req.query.begin(), req.query.end());
      auto lat = Coordinate(query, "lat", -90, 90);
      auto lng = Coordinate(query, "long", -180, 180);
      if (!lat.ok()) return Error(f, lat.status());
      if (!lng.ok()) return Error(f, lng.status());
      if (lat->has_value() != lng->has_value()) return Error(f, Status::Invalid("long", "lat and long go together"));
      if (lat->has_value()) at = std::pair{**lng, **lat};
      auto all = open311.Services(std::nullopt);  // for the groups' names too
      if (!all.ok()) return Error(f, all.status());
      auto services = at ? open311.Services(at) : all;
      if (!services.ok()) return Error(f, services.status());
      std::map<std::string, std::string> names;
      for (const auto& c : *all) names[c.code] = c.name;
      json::array out;
      for (const auto& c : *services) out.push_back(ServiceJson(c, c.parent_code.empty() ? c.name : names[c.parent_code]));
      return Answer(f, "services", out);
    }
    if (what == "requests") {
      auto q = QueryOf(req, open311.Now());
      if (!q.ok()) return Error(f, q.status());
      auto found = open311.Requests(*q);
      if (!found.ok()) return Error(f, found.status());
      json::array out;
      for (const auto& r : *found) out.push_back(RequestJson(r));
      return Answer(f, "service_requests", out);
    }
    if (what == "servicerequestupdates") {
      auto q = QueryOf(req, open311.Now());
      if (!q.ok()) return Error(f, q.status());
      auto ups = open311.Updates(q->from, q->to, 1000);
      if (!ups.ok()) return Error(f, ups.status());
      json::array out;
      for (const auto& u : *ups)
        out.push_back(json::object{{"update_id", std::to_string(u.update_id)},
                                   {"service_request_id", std::to_string(u.case_id)},
                                   {"status", u.closed ? "closed" : "open"},
                                   {"updated_datetime", FormatLocalTime(u.at)},
                                   {"description", u.description},
                                   {"media_url", ""}});
      return Answer(f, "service_request_updates", out);
    }
    return Error(f, Status::NotFound("no resource " + what + " in GeoReport v2"));
  });

  router.Add("GET", base + "/services/{}", [&open311](const Request&, const Params& p) {
    auto sf = SplitFormat(p[0]);
    if (!sf) return Error(Format::kJson, Status::NotFound("no such resource; add .json or .xml"));
    auto svc = open311.Service(sf->first);
    if (!svc.ok()) return Error(sf->second, svc.status());
    if (!*svc) return Error(sf->second, Status::NotFound("no service with code " + sf->first));
    // Our services ask for nothing beyond the standard fields (metadata false): no attributes.
    return Answer(sf->second, "service_definition",
                  json::object{{"service_code", (*svc)->code}, {"attributes", json::array{}}});
  });

  router.Add("GET", base + "/requests/{}", [&open311](const Request&, const Params& p) {
    auto sf = SplitFormat(p[0]);
    if (!sf) return Error(Format::kJson, Status::NotFound("no such resource; add .json or .xml"));
    auto id = ParseId(sf->first, "service_request_id");
    if (!id.ok()) return Error(sf->second, Status::NotFound("no service request " + sf->first));
    Open311Query q;
    q.ids = {*id};
    auto found = open311.Requests(q);
    if (!found.ok()) return Error(sf->second, found.status());
    if (found->empty()) return Error(sf->second, Status::NotFound("no service request " + sf->first));
    return Answer(sf->second, "service_requests", json::array{RequestJson(found->front())});
  });

  router.Add("GET", base + "/tokens/{}", [&open311](const Request&, const Params& p) {
    auto sf = SplitFormat(p[0]);
    if (!sf) return Error(Format::kJson, Status::NotFound("no such resource; add .json or .xml"));
    auto id = open311.IdOfToken(sf->first);
    if (!id.ok()) return Error(sf->second, id.status());
    if (!*id) return Error(sf->second, Status::NotFound("no token " + sf->first));
    return Answer(sf->second, "service_requests",
                  json::array{json::object{{"service_request_id", std::to_string(**id)}, {"token", sf->first}}});
  });

  auto key_allowed = [&open311, accounts](const std::string& key) -> Result<bool> {
    if (open311.KeyAllowed(key)) return true;
    if (!accounts || !key.starts_with("gzt_")) return false;
    GZ_ASSIGN_OR_RETURN(auto who, accounts->Authenticate(key));
    return who.has_value() && who->kind == "api";
  };
  router.Add("POST", base + "/{}", [&open311, key_allowed](const Request& req, const Params& p) {
    auto sf = SplitFormat(p[0]);
    if (!sf || sf->first != "requests") return Error(Format::kJson, Status::NotFound("POST requests.json or requests.xml"));
    const Format f = sf->second;
    auto form = FormOf(req);
    if (!form.ok()) return Error(f, form.status());
    auto allowed = key_allowed(FieldOf(*form, "api_key"));
    if (!allowed.ok()) return Error(f, allowed.status());
    if (!*allowed) return Error(f, Status(ErrorCode::kPermissionDenied, "a valid api_key is required", "api_key"));
    Open311Submission s;
    s.service_code = FieldOf(*form, "service_code");
    s.description = FieldOf(*form, "description");
    s.address_string = FieldOf(*form, "address_string");
    s.first_name = FieldOf(*form, "first_name");
    s.last_name = FieldOf(*form, "last_name");
    s.phone = FieldOf(*form, "phone");
    s.email = FieldOf(*form, "email");
    s.media_url = FieldOf(*form, "media_url");
    auto lat = Coordinate(*form, "lat", -90, 90);
    auto lng = Coordinate(*form, "long", -180, 180);
    if (!lat.ok()) return Error(f, lat.status());
    if (!lng.ok()) return Error(f, lng.status());
    s.lat = *lat;
    s.lng = *lng;
    for (auto [name, value, max] : {std::tuple{"first_name", &s.first_name, 100}, std::tuple{"last_name", &s.last_name, 100},
                                    std::tuple{"phone", &s.phone, 40}, std::tuple{"email", &s.email, 254},
                                    std::tuple{"address_string", &s.address_string, 500},
                                    std::tuple{"media_url", &s.media_url, 2000}})
      if (static_cast<int>(value->size()) > max)
        return Error(f, Status::Invalid(name, "is longer than " + std::to_string(max) + " bytes"));
    auto answer = [f](const Result<IntakeResult>& r) {
      if (!r.ok()) return Error(f, r.status());
      return Answer(f, "service_requests",
                    json::array{json::object{{"service_request_id", std::to_string(r->record.id)},
                                             {"token", r->record.tracking_code},
                                             {"service_notice", "已受理。凭 token（查询码）可查询进度和评价。"},
                                             {"account_id", nullptr}}});
    };
    if (!req.reply) {
      std::promise<Result<IntakeResult>> done;
      auto fut = done.get_future();
      open311.Submit(s, [&done](Result<IntakeResult> r) { done.set_value(std::move(r)); });
      return answer(fut.get());
    }
    open311.Submit(s, [reply = req.reply, answer](Result<IntakeResult> r) { reply(answer(r)); });
    return Response::Later();
  });
}

}  // namespace gongzhi::http
