// Helpers shared by the API handlers: JSON responses, strict body parsing with field paths, ids
// and query parameters.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "app/json_text.h"
#include "http/http_types.h"

namespace gongzhi::http {

namespace json = boost::json;

Response Json(const json::value& v, int status = 200);
// A 200 answer whose body is JSON text already (written with JsonObjectWriter).
Response JsonResponse(std::string text);
Response NoContent();
// The body as a JSON object (depth ≤ 32); InvalidArgument otherwise.
Result<json::object> ParseObject(const Request& req);
// Refuses fields the endpoint does not know, so typos do not pass silently.
Status OnlyFields(const json::object& o, std::initializer_list<std::string_view> allowed);
Status GetString(const json::object& o, const char* key, std::string& out, bool required);
Status GetInt(const json::object& o, const char* key, int64_t& out, bool required, int64_t lo, int64_t hi);
Status GetBool(const json::object& o, const char* key, bool& out);
// A positive integer id from a path segment.
Result<int64_t> ParseId(const std::string& s, const char* field);
Result<double> ParseNumberParam(const Request& req, const char* name);
// ?limit= (1..1000) and ?offset= (0..1e8) when present.
Status ParsePaging(const Request& req, int& limit, int& offset);

template <typename T, typename F>
Response OrError(const Result<T>& r, F&& to_response) {
  if (!r.ok()) return ErrorResponse(r.status());
  return to_response(r.value());
}
// 204 when OK.
Response OrError(const Status& s);

// ?from=&to= (dates YYYY-MM-DD, inclusive), each overriding its default in `from`/`to` when
// present; `to` must not be before `from`, and a range is at most ten years.
Status ParseDateRange(const Request& req, int32_t& from, int32_t& to);
// ?region= when given: a region code (1–12 digits); "" when absent or empty.
Result<std::string> ParseRegionParam(const Request& req);

// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string CsvCell(const std::string& s);

}  // namespace gongzhi::http
