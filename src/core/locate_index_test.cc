#include "core/locate_index.h"

#include <random>

#include <boost/geometry/algorithms/covered_by.hpp>
#include <gtest/gtest.h>

namespace gongzhi {
namespace {

GeoMultiPolygon Shape(const RawPolygon& p) { return BuildShape({p}, "t").value(); }

TEST(LocateIndexTest, FindsTheContainingGridOrNothing) {
  // An L-shaped grid whose bounding box covers a point that lies outside it.
  RawPolygon l{{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}}};
  RawPolygon right{{{{2, 0}, {3, 0}, {3, 2}, {2, 2}, {2, 0}}}};
  LocateIndex idx({Shape(l), Shape(right)});
  EXPECT_EQ(idx.Find(0.5, 0.5), 0u);
  EXPECT_EQ(idx.Find(2.5, 1.5), 1u);
  EXPECT_FALSE(idx.Find(1.5, 1.5));  // inside l's box, outside l
  EXPECT_FALSE(idx.Find(5, 5));
  // A point on the shared edge x=2 belongs to both; the lower index wins, every time.
  EXPECT_EQ(idx.Find(2, 0.5), 0u);
}

TEST(LocateIndexTest, HolesAreOutside) {
  RawPolygon donut{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}}};
  LocateIndex idx({Shape(donut)});
  EXPECT_EQ(idx.Find(0.5, 0.5), 0u);
  EXPECT_FALSE(idx.Find(2, 2));
}

TEST(LocateIndexTest, AgreesWithBruteForceOnALattice) {
  std::vector<std::pair<std::string, std::string>> cs;
  for (int i = 0; i < 50; ++i) cs.emplace_back("130404001" + std::to_string(100 + i), "c");
  auto specs = LatticeGrids(cs, 114.30, 36.57, 114.47, 36.65, 2);
  std::vector<GeoMultiPolygon> shapes;
  for (auto& s : specs) shapes.push_back(Shape(s.polygon));
  LocateIndex idx(shapes);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lng(114.28, 114.49), lat(36.55, 36.67);
  for (int i = 0; i < 2000; ++i) {
    double x = lng(rng), y = lat(rng);
    std::optional<size_t> expect;
    for (size_t k = 0; k < shapes.size() && !expect; ++k)
      if (boost::geometry::covered_by(GeoPoint(x, y), shapes[k])) expect = k;
    EXPECT_EQ(idx.Find(x, y), expect) << x << "," << y;
  }
}

}  // namespace
}  // namespace gongzhi
