#include "app/grids.h"

#include <gtest/gtest.h>

#include "app/demo.h"
#include "app/regions.h"
#include "app/test_support.h"

namespace gongzhi {
namespace {

class GridServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(regions_.ImportDivisions(testing::ReadRepoFile("data/fuxing-divisions.csv"), "", nullptr).ok());
  }
  testing::TempStore ts_;
  RegionService regions_{ts_.store()};
  GridService grids_{ts_.store()};
};

std::string Square(const std::string& code, double x, double y, double s = 0.01) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                R"({"type":"Feature","properties":{"code":"%s","name":"网格%s"},"geometry":{"type":"Polygon",)"
                R"("coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}})",
                code.c_str(), code.c_str() + 12, x, y, x + s, y, x + s, y + s, x, y + s, x, y);
  return buf;
}

std::string Fc(std::initializer_list<std::string> fs) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  bool first = true;
  for (const auto& f : fs) s += (first ? "" : ",") + f, first = false;
  return s + "]}";
}

TEST_F(GridServiceTest, ImportThenLocate) {
  auto n = grids_.ImportGeoJson(Fc({Square("130404001008001", 114.40, 36.60), Square("130404002001001", 114.41, 36.60)}));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2u);
  auto loc = grids_.Locate(114.405, 36.605);
  ASSERT_TRUE(loc.ok()) << loc.status().ToString();
  EXPECT_EQ(loc->grid_code, "130404001008001");
  EXPECT_FALSE(loc->synthetic);
  EXPECT_EQ(loc->community.code, "130404001008");
  EXPECT_EQ(loc->township.name, "胜利桥街道");
  EXPECT_EQ(loc->district.name, "复兴区");
  EXPECT_EQ(grids_.Locate(114.415, 36.605)->township.code, "130404002");
  EXPECT_EQ(grids_.Locate(114.5, 36.605).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(grids_.Locate(200, 36).status().field(), "lng");
}

TEST_F(GridServiceTest, UnknownCommunityRefusesTheWholeFile) {
  auto n = grids_.ImportGeoJson(Fc({Square("130404001008001", 114.40, 36.60), Square("130404001999001", 114.41, 36.60)}));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().field(), "features[1].properties.code");
  EXPECT_NE(n.status().message().find("unknown community 130404001999"), std::string::npos);
  EXPECT_TRUE(ts_.store().ListGrids("")->empty());
  // A township code is not a community either.
  auto t = grids_.ImportGeoJson(Fc({Square("130404001000001", 114.40, 36.60)}));
  EXPECT_FALSE(t.ok());
}

TEST_F(GridServiceTest, DemoGridsCoverEveryCommunityAndAreSynthetic) {
  auto n = LoadDemoGrids(grids_);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 115u * 4);
  auto villages = ts_.store().RegionsUnder("130404", RegionLevel::kVillage);
  for (const auto& v : *villages) EXPECT_EQ(ts_.store().ListGrids(v.code)->size(), 4u) << v.code;
  auto all = ts_.store().ListGrids("");
  for (const auto& g : *all) EXPECT_TRUE(g.synthetic);
  // The centre of every grid locates to that grid.
  for (const auto& g : *all) {
    auto loc = grids_.Locate((g.min_lng + g.max_lng) / 2, (g.min_lat + g.max_lat) / 2);
    ASSERT_TRUE(loc.ok());
    EXPECT_EQ(loc->grid_code, g.code);
    EXPECT_TRUE(loc->synthetic);
  }
  // Idempotent: the same codes again.
  ASSERT_TRUE(LoadDemoGrids(grids_).ok());
  EXPECT_EQ(ts_.store().ListGrids("")->size(), 460u);
}

TEST_F(GridServiceTest, IndexNoticesWritesByAnotherProcess) {
  ASSERT_TRUE(grids_.RebuildIndex().ok());
  EXPECT_EQ(grids_.Locate(114.405, 36.605).status().code(), ErrorCode::kNotFound);
  // A second store on the same file stands for `gongzhi import grids` run beside the server.
  auto other = OpenStore(ts_.path(), ts_.clock());
  ASSERT_TRUE(other.ok());
  GridService other_grids(**other);
  ASSERT_TRUE(other_grids.ImportGeoJson(Fc({Square("130404001008001", 114.40, 36.60)})).ok());
  EXPECT_EQ(grids_.Locate(114.405, 36.605).status().code(), ErrorCode::kNotFound);  // not yet refreshed
  // Lists of grids are never stale, refreshed or not.
  auto listed = grids_.ListGrids("130404001008");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).code, "130404001008001");
  ASSERT_TRUE(grids_.RefreshIfChanged().ok());
  EXPECT_EQ(grids_.Locate(114.405, 36.605)->grid_code, "130404001008001");
  // From the refreshed snapshot: by prefix, in code order, whole.
  ASSERT_TRUE(other_grids.ImportGeoJson(Fc({Square("130404001008002", 114.42, 36.60), Square("130404002001001", 114.41, 36.60)})).ok());
  ASSERT_TRUE(grids_.RefreshIfChanged().ok());
  auto fresh = grids_.ListGrids("130404001008");
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->size(), 2u);
  EXPECT_EQ(fresh->at(0).code, "130404001008001");
  EXPECT_EQ(fresh->at(1).code, "130404001008002");
  EXPECT_EQ(fresh->at(1).geometry, (*other)->GetGrid("130404001008002")->value().geometry);
  EXPECT_EQ(grids_.ListGrids("")->size(), 3u);
  EXPECT_EQ(grids_.ListGrids("1304040020")->size(), 1u);
  EXPECT_TRUE(grids_.ListGrids("130404009")->empty());
}

TEST_F(GridServiceTest, DeletingAGridRemovesItFromLocate) {
  ASSERT_TRUE(grids_.ImportGeoJson(Fc({Square("130404001008001", 114.40, 36.60)})).ok());
  ASSERT_TRUE(grids_.DeleteGrid("130404001008001").ok());
  EXPECT_EQ(grids_.Locate(114.405, 36.605).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(grids_.GetGrid("130404001008001").status().code(), ErrorCode::kNotFound);
}

TEST_F(GridServiceTest, WorkersValidatedAndAssigned) {
  ASSERT_TRUE(grids_.ImportGeoJson(Fc({Square("130404001008001", 114.40, 36.60)})).ok());
  GridWorker w;
  w.name = "李娜";
  w.capacity = 6;
  w.grid_codes = {"130404001008001"};
  auto c = grids_.CreateWorker(w);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  w.capacity = 0;
  EXPECT_EQ(grids_.CreateWorker(w).status().field(), "capacity");
  EXPECT_EQ(grids_.ListWorkers({.grid_code = "130404001008001"})->size(), 1u);
  EXPECT_EQ(grids_.GetWorker(999).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace gongzhi
