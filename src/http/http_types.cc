#include "http/http_types.h"
#include "app/json_text.h"

#include <boost/json.hpp>

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
  boost::json::object err{{"code", ErrorCodeName(s.code())}, {"message", s.message()}};
  if (!s.field().empty()) err["field"] = s.field();
  Response r;
  r.status = HttpStatusOf(s.code());
  r.body = JsonText(boost::json::object{{"error", std::move(err)}});
  if (s.code() == ErrorCode::kUnavailable) r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace gongzhi::http
