#include "core/grid.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

RawPolygon Square(double x, double y, double s) {
  return RawPolygon{{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}};
}

TEST(GridShapeTest, AcceptsBothOrientations) {
  RawPolygon ccw = Square(114.3, 36.6, 0.01);
  RawPolygon cw = ccw;
  std::reverse(cw.rings[0].begin(), cw.rings[0].end());
  EXPECT_TRUE(BuildShape({ccw}, "g").ok());
  EXPECT_TRUE(BuildShape({cw}, "g").ok());
}

TEST(GridShapeTest, RefusesWhatIsNotAPolygon) {
  RawPolygon unclosed = Square(114.3, 36.6, 0.01);
  unclosed.rings[0].back() = {114.3, 36.605};
  auto s = BuildShape({unclosed}, "features[0].geometry");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("unclosed"), std::string::npos);
  EXPECT_EQ(s.status().field(), "features[0].geometry.coordinates[0]");

  RawPolygon few{{{{1, 1}, {2, 2}, {1, 1}}}};
  EXPECT_NE(BuildShape({few}, "g").status().message().find("fewer than 4"), std::string::npos);

  RawPolygon bowtie{{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}};
  EXPECT_NE(BuildShape({bowtie}, "g").status().message().find("self-intersection"), std::string::npos);

  RawPolygon far = Square(181, 36.6, 0.01);
  EXPECT_NE(BuildShape({far}, "g").status().message().find("out of range"), std::string::npos);

  EXPECT_FALSE(BuildShape({}, "g").ok());
}

TEST(GridShapeTest, OverlappingMultiPolygonIsRefused) {
  auto s = BuildShape({Square(0, 0, 1), Square(0.5, 0.5, 1)}, "g");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(BuildShape({Square(0, 0, 1), Square(2, 2, 1)}, "g").ok());
}

TEST(GridCodeTest, FifteenDigits) {
  EXPECT_TRUE(ValidateGridCode("130404001008001", "code").ok());
  EXPECT_FALSE(ValidateGridCode("13040400100800", "code").ok());
  EXPECT_FALSE(ValidateGridCode("13040400100800x", "code").ok());
  EXPECT_FALSE(ValidateGridCode("130404001008000", "code").ok());
  EXPECT_EQ(CommunityOfGridCode("130404001008001"), "130404001008");
}

TEST(LatticeTest, OneCellPerCommunityAndSharedEdges) {
  std::vector<std::pair<std::string, std::string>> cs = {{"130404001008", "甲"}, {"130404001017", "乙"},
                                                         {"130404001018", "丙"}};
  auto grids = LatticeGrids(cs, 114.30, 36.57, 114.47, 36.65, 2);
  ASSERT_EQ(grids.size(), 12u);
  EXPECT_EQ(grids[0].code, "130404001008001");
  EXPECT_EQ(grids[4].code, "130404001017001");
  EXPECT_EQ(grids[0].name, "甲第1网格");
  for (const auto& g : grids) {
    auto shape = BuildShape({g.polygon}, g.code);
    ASSERT_TRUE(shape.ok()) << g.code << shape.status().ToString();
    for (auto [x, y] : g.polygon.rings[0]) {
      EXPECT_GE(x, 114.30 - 1e-9);
      EXPECT_LE(x, 114.47 + 1e-9);
      EXPECT_GE(y, 36.57 - 1e-9);
      EXPECT_LE(y, 36.65 + 1e-9);
    }
  }
  // Neighbouring grids of one community share an edge exactly.
  EXPECT_EQ(grids[0].polygon.rings[0][1].first, grids[1].polygon.rings[0][0].first);
}

}  // namespace
}  // namespace gongzhi
