// Point → grid lookup: an R-tree over grid bounding boxes, then an exact point-in-polygon test.
// Immutable once built; safe to query from many threads.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include <boost/geometry/index/rtree.hpp>

#include "core/grid.h"

namespace gongzhi {

class LocateIndex {
 public:
  // shapes[i] is the shape of entry i; Find returns such an i.
  explicit LocateIndex(std::vector<GeoMultiPolygon> shapes);

  // The entry whose shape covers (lng, lat), boundary included; when several do (shared edges,
  // overlaps) the lowest index wins, so results are stable. nullopt outside every shape.
  std::optional<size_t> Find(double lng, double lat) const;
  size_t size() const { return shapes_.size(); }

 private:
  using Value = std::pair<GeoBox, size_t>;
  std::vector<GeoMultiPolygon> shapes_;
  boost::geometry::index::rtree<Value, boost::geometry::index::rstar<16>> tree_;
};

}  // namespace gongzhi
