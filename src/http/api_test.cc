#include "http/api.h"

#include <unistd.h>

#include <filesystem>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "app/demo.h"
#include "store/sql_store.h"

namespace gongzhi::http {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("gz_api_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    store_ = std::move(OpenStore(path_.string(), clock_).value());
    regions_ = std::make_unique<RegionService>(*store_);
    grids_ = std::make_unique<GridService>(*store_);
    ASSERT_TRUE(LoadDemo(*regions_, *grids_, *store_).ok());
    api_ = std::make_unique<Api>(*regions_, *grids_, ApiInfo{"sqlite", "130404", "", "test"});
  }
  void TearDown() override {
    api_.reset();
    grids_.reset();
    regions_.reset();
    store_.reset();
    for (auto ext : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + ext);
  }
  Response Call(std::string method, std::string path, std::string body = "",
                std::vector<std::pair<std::string, std::string>> query = {}) {
    Request r;
    r.actor = actor_;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.query = std::move(query);
    return api_->Handle(r);
  }
  static boost::json::object Body(const Response& r) { return boost::json::parse(r.body).as_object(); }
  static std::string ErrorField(const Response& r) {
    auto body = Body(r);
    auto& e = body.at("error").as_object();
    return e.contains("field") ? std::string(e.at("field").as_string()) : "";
  }

  std::string actor_ = "system";  // who acts (the trusted header's form): an administrator by default
  ManualClock clock_{1'795'000'000'000};
  std::filesystem::path path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RegionService> regions_;
  std::unique_ptr<GridService> grids_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, GridCollectionsCarryEachGridWhole) {
  // A name that JSON must escape, imported as an administrator would.
  const std::string fc =
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"130404001008901",)"
      R"("name":"他说\"好\"\\三丰园 网格"},"geometry":{"type":"Polygon","coordinates":[[[114.40,36.60],)"
      R"([114.401,36.60],[114.401,36.601],[114.40,36.601],[114.40,36.60]]]}}]})";
  ASSERT_EQ(Call("POST", "/api/v1/grids/import", fc).status, 200);
  // (The dashboard's hotspots write the same collection with counts: tests/e2e/assessment.test.mjs.)
  {
    const std::string path = "/api/v1/grids";
    auto r = Call("GET", path, "", {{"community", "130404001008"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = Body(r);
    EXPECT_EQ(body.at("type"), "FeatureCollection");
    const auto& features = body.at("features").as_array();
    ASSERT_GT(features.size(), 1u) << path;
    bool named = false;
    for (const auto& f : features) {
      const auto& o = f.as_object();
      const std::string code(o.at("properties").at("code").as_string());
      EXPECT_EQ(o.at("type"), "Feature");
      EXPECT_EQ(o.at("id"), o.at("properties").at("code"));
      auto g = grids_->GetGrid(code);
      ASSERT_TRUE(g.ok());
      EXPECT_EQ(o.at("properties").at("name"), g->name.c_str());
      EXPECT_EQ(o.at("properties").at("community_code"), "130404001008");
      EXPECT_EQ(o.at("geometry"), boost::json::parse(g->geometry)) << code;
      named = named || g->name == "他说\"好\"\\三丰园 网格";
    }
    EXPECT_TRUE(named) << path;
  }
}

TEST_F(ApiTest, UnitBodiesAreCheckedFieldByField) {
  EXPECT_EQ(Call("POST", "/api/v1/units", "{").status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/units", "[1]").status, 400);
  auto r = Call("POST", "/api/v1/units", R"({"kind":"department","name":"x","region_code":"130404","color":"red"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorField(r), "color");
  r = Call("POST", "/api/v1/units", R"({"kind":"department","name":7,"region_code":"130404"})");
  EXPECT_EQ(ErrorField(r), "name");
  r = Call("POST", "/api/v1/units", R"({"kind":"army","name":"x","region_code":"130404"})");
  EXPECT_EQ(ErrorField(r), "kind");
  r = Call("POST", "/api/v1/units", R"({"kind":"department","name":"x","region_code":"130404999"})");
  EXPECT_EQ(ErrorField(r), "region_code");
  r = Call("POST", "/api/v1/units", R"({"kind":"department","name":"复兴区应急管理局","region_code":"130404"})");
  ASSERT_EQ(r.status, 201);
  int64_t id = Body(r).at("id").as_int64();
  EXPECT_EQ(Call("GET", "/api/v1/units/" + std::to_string(id)).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/units/abc").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/units/999999").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/units/" + std::to_string(id)).status, 204);
  EXPECT_EQ(Call("DELETE", "/api/v1/units/" + std::to_string(id)).status, 404);
}

TEST_F(ApiTest, OnlyAdministratorsChangeTheFoundation) {
  const std::string body = R"({"kind":"department","name":"复兴区应急管理局","region_code":"130404"})";
  actor_ = "";
  EXPECT_EQ(Call("POST", "/api/v1/units", body).status, 401);
  for (const char* who : {"dispatcher:130404", "unit:1", "worker:1"}) {
    actor_ = who;
    auto r = Call("POST", "/api/v1/units", body);
    EXPECT_EQ(r.status, 403) << who;
    EXPECT_EQ(Body(r).at("error").at("code").as_string(), "permission_denied");
  }
  EXPECT_EQ(Call("GET", "/api/v1/units", "", {{"under", "130404"}}).body.find("应急管理局"), std::string::npos)
      << "nothing was created";
  actor_ = "system";
  EXPECT_EQ(Call("POST", "/api/v1/units", body).status, 201);
}

TEST_F(ApiTest, OnlyCheapReadsAndIntakeAreQuick) {
  auto quick = [&](std::string method, std::string path) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    return api_->IsQuick(r);
  };
  EXPECT_TRUE(quick("GET", "/healthz"));
  EXPECT_TRUE(quick("HEAD", "/healthz"));
  EXPECT_FALSE(quick("POST", "/healthz"));
  EXPECT_FALSE(quick("GET", "/api/v1/grids"));
  EXPECT_FALSE(quick("GET", "/api/v1/nothing"));
  // With the case service: a case and a tracking code are quick, and so is an intake (it hands its
  // insert to the store's writer and is answered after the commit); lists, exports and other
  // writes are not.
  CaseService cases(*store_, *grids_, clock_);
  api_ = std::make_unique<Api>(*regions_, *grids_, ApiInfo{"sqlite", "130404", "", "test"}, ApiServices{&cases});
  EXPECT_TRUE(quick("GET", "/api/v1/cases/42"));
  EXPECT_TRUE(quick("GET", "/api/v1/track/ABCD-EFGH-JKMN"));
  EXPECT_FALSE(quick("GET", "/api/v1/cases"));
  // These fit "/api/v1/cases/{}" too, but go to the exports (up to 100,000 cases).
  EXPECT_FALSE(quick("GET", "/api/v1/cases/export.csv"));
  EXPECT_FALSE(quick("GET", "/api/v1/cases/export.geojson"));
  EXPECT_TRUE(quick("POST", "/api/v1/cases"));
  EXPECT_FALSE(quick("POST", "/api/v1/cases/import"));
  EXPECT_FALSE(quick("POST", "/api/v1/cases/42/actions/claim"));
  EXPECT_FALSE(quick("GET", "/api/v1/cases/42/proposal"));
  EXPECT_FALSE(quick("GET", "/api/v1/track/ABCD-EFGH-JKMN/personal-data"));
  api_.reset();
}

TEST(ClientAddressTest, PeerOrTrustedProxysClientIpv6PerSlash64MappedIpv4AsIpv4) {
  ManualClock clock{0};
  auto path = std::filesystem::temp_directory_path() / ("gz_addr_" + std::to_string(::getpid()) + ".db");
  auto store = std::move(OpenStore(path.string(), clock).value());
  RegionService regions(*store);
  GridService grids(*store);
  ApiInfo info{"sqlite", "130404", "", "test"};
  info.trusted_proxies = {"10.0.0.2"};
  Api api(regions, grids, info);
  auto addr = [&](std::string peer, std::string xff) {
    Request r;
    r.remote_address = std::move(peer);
    r.forwarded_for = std::move(xff);
    return api.ClientAddress(r);
  };
  EXPECT_EQ(addr("203.0.113.9", ""), "203.0.113.9");
  EXPECT_EQ(addr("203.0.113.9", "198.51.100.1"), "203.0.113.9") << "not a trusted proxy: its header is not believed";
  EXPECT_EQ(addr("10.0.0.2", "1.2.3.4, 198.51.100.1"), "198.51.100.1") << "the address the proxy itself added";
  EXPECT_EQ(addr("2001:db8:1:2:aaaa:bbbb:cccc:dddd", ""), "2001:db8:1:2::/64");
  EXPECT_EQ(addr("2001:db8:1:2::1", ""), addr("2001:db8:1:2:ffff::9", ""));
  EXPECT_NE(addr("2001:db8:1:2::1", ""), addr("2001:db8:1:3::1", ""));
  EXPECT_EQ(addr("::ffff:192.0.2.7", ""), "192.0.2.7");
  EXPECT_NE(addr("::ffff:192.0.2.7", ""), addr("::ffff:192.0.2.8", ""));
  store.reset();
  for (auto ext : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + ext);
}

TEST_F(ApiTest, LocateParameters) {
  auto r = Call("GET", "/api/v1/locate", "", {{"lng", "114.35"}, {"lat", "36.60"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r).at("district").at("code").as_string(), "130404");
  EXPECT_TRUE(Body(r).at("grid").at("synthetic").as_bool());
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/locate", "", {{"lat", "36.6"}})), "lng");
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/locate", "", {{"lng", "abc"}, {"lat", "36.6"}})), "lng");
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/locate", "", {{"lng", "114"}, {"lat", "nan"}})), "lat");
  EXPECT_EQ(Call("GET", "/api/v1/locate", "", {{"lng", "0"}, {"lat", "0"}}).status, 404);
}

TEST_F(ApiTest, RoutingErrors) {
  EXPECT_EQ(Call("GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(Call("PATCH", "/api/v1/units").status, 405);
  auto r = Call("GET", "/api/v1/regions/130404");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r).at("children").as_array().size(), 10u);
  EXPECT_EQ(Call("GET", "/api/v1/regions/999999").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/regions/x").status, 400);
}

TEST_F(ApiTest, WorkersRoundTrip) {
  auto r = Call("POST", "/api/v1/grid-workers", R"({"name":"周丽","capacity":5,"grids":["130404001008001"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  int64_t id = Body(r).at("id").as_int64();
  r = Call("PUT", "/api/v1/grid-workers/" + std::to_string(id), R"({"name":"周丽","capacity":9,"grids":[]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(Call("GET", "/api/v1/grid-workers/" + std::to_string(id))).at("capacity").as_int64(), 9);
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/grid-workers", R"({"name":"x","capacity":"9"})")), "capacity");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/grid-workers", R"({"name":"x","grids":["130404001008999"]})")), "grids[0]");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/grid-workers", R"({"name":"x","capacity":99999999999999999999})")),
            "capacity");
}

}  // namespace
}  // namespace gongzhi::http
