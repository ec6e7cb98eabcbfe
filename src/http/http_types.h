// Plain request/response types between the Beast server and the API handlers, so handlers and
// their tests never include Beast.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gongzhi::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string body;
  std::string content_type;
  std::string actor;  // X-Gongzhi-Actor header: who acts (until accounts, issue #6)
  std::string last_event_id;  // Last-Event-ID header (an SSE client reconnecting)
  std::string cookie;         // Cookie header
  std::string authorization;  // Authorization header
  std::string csrf_token;     // X-CSRF-Token header (writes with a session cookie need it)
  std::string remote_address; // the peer's IP address (for rate limits)
  std::string forwarded_for;  // X-Forwarded-For, believed only from a trusted proxy
  bool secure = false;        // reached over TLS (X-Forwarded-Proto: https from the proxy)
  std::string credential;     // set by the API: the session or bearer token that authenticated it
  std::string account;        // set by the API: the login of that credential's account
  // Set by the server: a handler that returns Response::Later() answers through this, exactly
  // once, from any thread. Empty when the caller wants the answer returned (tests).
  std::function<void(struct Response)> reply;

  // First value of query parameter `name`.
  std::optional<std::string> Param(const std::string& name) const {
    for (const auto& [k, v] : query)
      if (k == name) return v;
    return std::nullopt;
  }
};

// A response body that stays open (Server-Sent Events). Thread-safe; Write never blocks: it queues
// and returns false once the client is gone or has fallen too far behind (then the server closes).
class Stream {
 public:
  virtual ~Stream() = default;
  virtual bool Write(std::string data) = 0;
  // Ends the response once what was written has been sent.
  virtual void Close() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool deferred = false;  // the answer comes later through Request::reply
  // When set, the server sends the status and headers with no length, then calls this with the
  // open body; the response lasts until either side closes it.
  std::function<void(std::shared_ptr<Stream>)> stream;
  // When set, the body goes out in pieces (Transfer-Encoding: chunked), for answers too large to
  // build whole (exports): the server calls this on a worker thread for each piece, the next only
  // once the one before was sent, until it returns false (no more after this piece). An error
  // cannot change the status any more: the server then closes the connection without the last
  // chunk, so the client sees a truncated answer rather than a short one. `body` is ignored.
  std::function<Result<bool>(std::string& piece)> chunks;

  static Response Later() {
    Response r;
    r.deferred = true;
    return r;
  }
};

using Handler = std::function<Response(const Request&)>;

// HTTP status for an error code (400, 404, 409, 403, 413, 503, 500).
int HttpStatusOf(ErrorCode code);
// {"error":{"code":"invalid_argument","message":"...","field":"..."}} with its status.
Response ErrorResponse(const Status& s);

}  // namespace gongzhi::http
