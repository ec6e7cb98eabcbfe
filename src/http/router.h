// Method + path routing for the API: "/api/v1/cases/{}" matches one segment per "{}", whose
// values reach the handler in order. A path that matches with another method answers 405.
// A route added as quick may be answered on the server's I/O thread (see ServerOptions::quick).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.h"

namespace gongzhi::http {

using Params = std::vector<std::string>;

class Router {
 public:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{}" matches one segment
    std::function<Response(const Request&, const Params&)> fn;
    bool quick = false;
  };

  void Add(std::string method, std::string_view pattern, std::function<Response(const Request&, const Params&)> fn,
           bool quick = false) {
    Route r{std::move(method), {}, std::move(fn), quick};
    size_t pos = 1;
    while (pos <= pattern.size()) {
      size_t next = pattern.find('/', pos);
      if (next == std::string_view::npos) next = pattern.size();
      r.segments.emplace_back(pattern.substr(pos, next - pos));
      pos = next + 1;
    }
    routes.push_back(std::move(r));
  }

  // Whether the route this request goes to (the first that matches, as in Dispatch) was added as
  // quick: "/api/v1/cases/export.csv" also fits "/api/v1/cases/{}", but goes to the export.
  bool IsQuick(const Request& req) const {
    const Route* r = Find(req, Segments(req.path), nullptr);
    return r && r->quick;
  }

  Response Dispatch(const Request& req) const {
    auto segs = Segments(req.path);
    bool path_fits = false;
    if (const Route* r = Find(req, segs, &path_fits)) {
      Params params;
      for (size_t i = 0; i < segs.size(); ++i)
        if (r->segments[i] == "{}") params.emplace_back(segs[i]);
      return r->fn(req, params);
    }
    if (path_fits) {
      Response resp = ErrorResponse(Status(ErrorCode::kInvalidArgument, "method " + req.method + " is not allowed here"));
      resp.status = 405;
      return resp;
    }
    return ErrorResponse(Status::NotFound("no API endpoint " + req.path));
  }

 private:
  static std::vector<std::string_view> Segments(std::string_view path) {
    std::vector<std::string_view> segs;
    size_t pos = 1;
    while (pos <= path.size()) {
      size_t next = path.find('/', pos);
      if (next == std::string_view::npos) next = path.size();
      segs.push_back(path.substr(pos, next - pos));
      pos = next + 1;
    }
    return segs;
  }

  // The route a request goes to: the first whose path and method fit. `path_fits` is set when any
  // route's path fitted (the answer is then 405, not 404).
  const Route* Find(const Request& req, const std::vector<std::string_view>& segs, bool* path_fits) const {
    for (const auto& r : routes) {
      if (r.segments.size() != segs.size()) continue;
      bool fits = true;
      for (size_t i = 0; i < segs.size() && fits; ++i) fits = r.segments[i] == "{}" || r.segments[i] == segs[i];
      if (!fits) continue;
      if (path_fits) *path_fits = true;
      if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) return &r;
    }
    return nullptr;
  }

  std::vector<Route> routes;
};

}  // namespace gongzhi::http
