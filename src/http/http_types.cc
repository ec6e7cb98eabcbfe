#include "http/http_types.h"
#include "app/json_text.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace gongzhi::http {

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Status& s) {
  // The database's or a bug's own words stay in the log: they name hosts, tables and internals.
  std::string message = s.message();
  if (s.code() == ErrorCode::kUnavailable || s.code() == ErrorCode::kInternal) {
    spdlog::warn("answered {}: {}", HttpStatusOf(s.code()), s.ToString());
    message = s.code() == ErrorCode::kUnavailable ? "the service cannot reach its database just now; try again shortly"
                                                  : "something went wrong on our side; it has been logged";
  }
  boost::json::object err{{"code", ErrorCodeName(s.code())}, {"message", message}};
  if (!s.field().empty()) err["field"] = s.field();
  Response r;
  r.status = HttpStatusOf(s.code());
  r.body = JsonText(boost::json::object{{"error", std::move(err)}});
  if (s.code() == ErrorCode::kUnavailable) r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace gongzhi::http
