// Expected failures as values. Every fallible operation of the domain, the use cases and the
// stores returns a Status or a Result<T>; exceptions are reserved for start-up and bugs.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gongzhi {

enum class ErrorCode {
  kOk,
  kInvalidArgument,   // the caller sent something wrong; `field` names it
  kNotFound,          // the thing does not exist (or is outside the caller's scope)
  kConflict,          // the request contradicts the current state (duplicate, refused rule)
  kPermissionDenied,
  kPayloadTooLarge,
  kUnauthenticated,   // no valid credential (401)
  kResourceExhausted, // rate limited (429)
  kUnavailable,       // a dependency (database) is down; retrying may help
  kInternal,          // a bug or a broken invariant
};

// Stable lower_snake name used in JSON error bodies ("invalid_argument", ...).
const char* ErrorCodeName(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Status NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
  static Status Conflict(std::string message, std::string field = {}) {
    return {ErrorCode::kConflict, std::move(message), std::move(field)};
  }
  static Status Unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message)}; }
  static Status Internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Path of the offending input field ("features[3].properties.code"), empty when not applicable.
  const std::string& field() const { return field_; }
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string field_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be Ok

  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gongzhi

// Propagates a failed Status from an expression returning Status.
#define GZ_RETURN_IF_ERROR(expr)        \
  do {                                  \
    ::gongzhi::Status gz_s_ = (expr);   \
    if (!gz_s_.ok()) return gz_s_;      \
  } while (0)

#define GZ_CONCAT_INNER(a, b) a##b
#define GZ_CONCAT(a, b) GZ_CONCAT_INNER(a, b)
// `GZ_ASSIGN_OR_RETURN(auto x, Fallible());` binds the value or returns the failure.
#define GZ_ASSIGN_OR_RETURN(lhs, expr) GZ_ASSIGN_OR_RETURN_IMPL(GZ_CONCAT(gz_r_, __LINE__), lhs, expr)
#define GZ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
