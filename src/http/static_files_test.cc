#include "http/static_files.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace gongzhi::http {
namespace {

TEST(StaticFilesTest, ServesFilesAppRoutesAndRefusesTraversal) {
  auto root = std::filesystem::temp_directory_path() / ("gz_web_" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<html>index</html>";
  std::ofstream(root / "assets" / "app.js") << "console.log(1)";
  StaticFiles files(root.string());
  auto get = [&](std::string path) {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    return files.Serve(r);
  };
  auto index = get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  bool csp = false;
  for (auto& [k, v] : index.headers) csp = csp || (k == "Content-Security-Policy" && v.find("script-src 'self'") != std::string::npos);
  EXPECT_TRUE(csp);
  EXPECT_EQ(get("/assets/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/console/queue").body, "<html>index</html>");  // app route
  EXPECT_EQ(get("/assets/missing.js").status, 404);
  EXPECT_EQ(get("/../../etc/passwd").status, 404);
  EXPECT_EQ(get("/assets/..%2f..%2fetc/passwd").status, 404);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace gongzhi::http
