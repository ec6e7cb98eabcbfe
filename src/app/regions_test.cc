#include "app/regions.h"

#include <gtest/gtest.h>

#include "app/test_support.h"

namespace gongzhi {
namespace {

TEST(RegionServiceTest, ImportsFuxingAndIsIdempotent) {
  testing::TempStore ts;
  RegionService svc(ts.store());
  std::string csv = testing::ReadRepoFile("data/fuxing-divisions.csv");
  size_t reported = 0;
  auto r = svc.ImportDivisions(csv, "", [&](size_t n) { reported = n; });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->read, 126u);  // 复兴区 + 10 townships + 115 communities
  EXPECT_EQ(reported, 126u);
  EXPECT_EQ(*ts.store().CountRegions(), 126);
  auto again = svc.ImportDivisions(csv, "", nullptr);
  EXPECT_EQ(again->written, 0u);
  EXPECT_EQ(again->unchanged, 126u);
  auto v = svc.GetRegion("130404");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->region.name, "复兴区");
  EXPECT_EQ(v->children.size(), 10u);
}

TEST(RegionServiceTest, UnderImportsOnlyTheSubtreeAndAncestorsAreReturned) {
  testing::TempStore ts;
  RegionService svc(ts.store());
  std::string csv = testing::ReadRepoFile("data/fuxing-divisions.csv");
  auto r = svc.ImportDivisions(csv, "130404001", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*ts.store().CountRegions(), 1 + static_cast<int64_t>(ts.store().ChildRegions("130404001")->size()));
  ASSERT_TRUE(svc.ImportDivisions(csv, "", nullptr).ok());
  auto v = svc.GetRegion("130404001008");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->ancestors.size(), 2u);
  EXPECT_EQ(v->ancestors[0].code, "130404");
  EXPECT_EQ(v->ancestors[1].code, "130404001");
}

TEST(RegionServiceTest, BadFileWritesNothing) {
  testing::TempStore ts;
  RegionService svc(ts.store());
  auto r = svc.ImportDivisions("code,name,level,parent_code\n130404,复兴区,county,1304\n130404001,x,village,130404\n", "",
                               nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "line 3.level");
  EXPECT_EQ(*ts.store().CountRegions(), 0);
  EXPECT_EQ(svc.ImportDivisions("x", "13040", nullptr).status().field(), "under");
  EXPECT_EQ(svc.GetRegion("130404").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(svc.GetRegion("abc").status().field(), "code");
}

TEST(RegionServiceTest, UnitsNeedAnExistingRegion) {
  testing::TempStore ts;
  RegionService svc(ts.store());
  ASSERT_TRUE(svc.ImportDivisions(testing::ReadRepoFile("data/fuxing-divisions.csv"), "", nullptr).ok());
  Unit u;
  u.name = "胜利桥派出所";
  u.region_code = "130404001";
  auto created = svc.CreateUnit(u);
  ASSERT_TRUE(created.ok());
  u.region_code = "130404099";
  auto missing = svc.CreateUnit(u);
  EXPECT_EQ(missing.status().field(), "region_code");
  EXPECT_EQ(svc.ListUnits({.limit = 1000})->size(), 1u);
  Unit moved = *created;
  moved.region_code = "130404002";
  auto updated = svc.UpdateUnit(moved);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->created_at, created->created_at);
  EXPECT_EQ(svc.GetUnit(created->id)->region_code, "130404002");
  EXPECT_EQ(svc.ListUnits({.limit = 0}).status().field(), "limit");
}

}  // namespace
}  // namespace gongzhi
