#include "core/locate_index.h"

#include <algorithm>

#include <boost/geometry/algorithms/covered_by.hpp>  // strategies the R-tree query needs

#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/iterator/function_output_iterator.hpp>

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace gongzhi {
namespace {

std::vector<std::pair<GeoBox, size_t>> Boxes(const std::vector<GeoMultiPolygon>& shapes) {
  std::vector<std::pair<GeoBox, size_t>> v;
  v.reserve(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) v.emplace_back(bg::return_envelope<GeoBox>(shapes[i]), i);
  return v;
}

}  // namespace

// The packing constructor (bulk load) builds a better tree than inserting one by one.
LocateIndex::LocateIndex(std::vector<GeoMultiPolygon> shapes) : size_(shapes.size()), tree_(Boxes(shapes)) {
  shape_rings_.push_back(0);
  ring_start_.push_back(0);
  auto add_ring = [&](const auto& ring) {
    for (const auto& pt : ring) points_.emplace_back(pt.x(), pt.y());
    ring_start_.push_back(static_cast<uint32_t>(points_.size()));
  };
  for (const auto& shape : shapes) {
    size_t rings = 0;
    for (const auto& poly : shape) {
      add_ring(poly.outer());
      ++rings;
      for (const auto& inner : poly.inners()) add_ring(inner), ++rings;
    }
    shape_rings_.push_back(shape_rings_.back() + static_cast<uint32_t>(rings));
  }
}

// Even-odd crossing test over closed rings, with points on an edge counted as covered (the same
// answer as boost::geometry::covered_by for valid polygons, checked by the tests).
bool LocateIndex::Covers(size_t shape, double x, double y) const {
  bool inside = false;
  for (uint32_t r = shape_rings_[shape]; r < shape_rings_[shape + 1]; ++r) {
    const auto* p = points_.data() + ring_start_[r];
    const uint32_t n = ring_start_[r + 1] - ring_start_[r];
    for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
      const double xi = p[i].first, yi = p[i].second, xj = p[j].first, yj = p[j].second;
      // On the edge (collinear and within its box): covered.
      const double cross = (xj - xi) * (y - yi) - (yj - yi) * (x - xi);
      if (cross == 0 && std::min(xi, xj) <= x && x <= std::max(xi, xj) && std::min(yi, yj) <= y &&
          y <= std::max(yi, yj))
        return true;
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

std::optional<size_t> LocateIndex::Find(double lng, double lat) const {
  GeoPoint p(lng, lat);
  std::optional<size_t> best;
  // query() with a function output iterator: the qbegin() iterators are type-erased and allocate.
  tree_.query(bgi::intersects(p), boost::make_function_output_iterator([&](const Value& v) {
                if (best && *best < v.second) return;
                if (Covers(v.second, lng, lat)) best = v.second;
              }));
  return best;
}

}  // namespace gongzhi
