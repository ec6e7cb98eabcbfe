// Serves the built web UI (web/dist) from a directory: files by path, index.html for app routes,
// security headers (CSP without inline scripts) on HTML. Refuses paths that climb out of the root.
#pragma once

#include <string>

#include "http/http_types.h"

namespace gongzhi::http {

class StaticFiles {
 public:
  // `root` may be empty or missing: every request then answers 404 with a hint.
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  Response Serve(const Request& req) const;

 private:
  std::string root_;
};

}  // namespace gongzhi::http
