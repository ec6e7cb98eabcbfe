#include "core/locate_index.h"

#include <boost/geometry/algorithms/covered_by.hpp>
#include <boost/geometry/algorithms/envelope.hpp>

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
LocateIndex::LocateIndex(std::vector<GeoMultiPolygon> shapes) : shapes_(std::move(shapes)), tree_(Boxes(shapes_)) {}

std::optional<size_t> LocateIndex::Find(double lng, double lat) const {
  GeoPoint p(lng, lat);
  std::optional<size_t> best;
  for (auto it = tree_.qbegin(bgi::intersects(p)); it != tree_.qend(); ++it) {
    size_t i = it->second;
    if (best && *best < i) continue;
    if (bg::covered_by(p, shapes_[i])) best = i;
  }
  return best;
}

}  // namespace gongzhi
