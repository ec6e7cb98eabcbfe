#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gongzhi::http {
namespace {

std::string MimeOf(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool ReadFile(const std::filesystem::path& p, std::string& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return false;
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

Response StaticFiles::Serve(const Request& req) const {
  namespace fs = std::filesystem;
  // Only plain segments: no "..", no backslashes, no NUL; anything else is not a file of ours.
  const std::string& path = req.path;
  if (path.find("..") != std::string::npos || path.find('\\') != std::string::npos ||
      path.find('\0') != std::string::npos || path.empty() || path[0] != '/')
    return ErrorResponse(Status::NotFound("no such file"));
  if (root_.empty()) return ErrorResponse(Status::NotFound("the web UI is not built; run scripts/run.sh"));
  fs::path file = fs::path(root_) / path.substr(1);
  bool is_app_route = fs::path(path).extension().empty();
  if (path == "/" || (is_app_route && !fs::is_regular_file(file))) file = fs::path(root_) / "index.html";
  Response r;
  if (!ReadFile(file, r.body)) return ErrorResponse(Status::NotFound("no such file: " + path));
  r.content_type = MimeOf(file.string());
  if (r.content_type.rfind("text/html", 0) == 0) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob: https:; connect-src 'self' ws: wss:; object-src 'none'; "
                           "base-uri 'self'; frame-ancestors 'none'");
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("Referrer-Policy", "same-origin");
  } else if (path.rfind("/assets/", 0) == 0) {
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  }
  return r;
}

}  // namespace gongzhi::http
