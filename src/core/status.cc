#include "core/status.h"

namespace gongzhi {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kResourceExhausted: return "too_many_requests";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s = ErrorCodeName(code_);
  if (!field_.empty()) s += " (" + field_ + ")";
  s += ": " + message_;
  return s;
}

}  // namespace gongzhi
