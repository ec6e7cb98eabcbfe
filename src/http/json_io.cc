#include "http/json_io.h"

#include "core/region.h"
#include "core/work_calendar.h"

#include <charconv>
#include <cmath>
#include <tuple>

namespace gongzhi::http {

Response Json(const json::value& v, int status) {
  Response r;
  r.status = status;
  r.body = JsonText(v);
  return r;
}

Response JsonResponse(std::string text) {
  Response r;
  r.body = std::move(text);
  return r;
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Result<json::object> ParseObject(const Request& req) {
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec) return Status::Invalid("", "malformed JSON body: " + ec.message());
  if (!v.is_object()) return Status::Invalid("", "the body must be a JSON object");
  return std::move(v.as_object());
}

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

Response OrError(const Status& s) { return s.ok() ? NoContent() : ErrorResponse(s); }

Status ParseDateRange(const Request& req, int32_t& from, int32_t& to) {
  for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = req.Param(name)) {
      auto d = ParseDate(*v);
      if (!d.ok()) return Status::Invalid(name, "must be a date YYYY-MM-DD");
      *target = *d;
    }
  }
  if (to < from) return Status::Invalid("to", "must not be before from");
  if (to - from > 3660) return Status::Invalid("to", "a range is at most ten years");
  return Status::Ok();
}

Result<std::string> ParseRegionParam(const Request& req) {
  auto r = req.Param("region");
  if (!r || r->empty()) return std::string();
  if (r->size() > 12 || !IsDigits(*r)) return Status::Invalid("region", "must be a region code (digits)");
  return *r;
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace gongzhi::http
