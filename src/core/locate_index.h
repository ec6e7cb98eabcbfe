// Point → grid lookup: an R-tree over grid bounding boxes, then an exact point-in-polygon test.
// Immutable once built; safe to query from many threads.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <cstdint>
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
  size_t size() const { return size_; }

 private:
  using Value = std::pair<GeoBox, size_t>;
  // Rings of every shape as flat point arrays: ring_start_[k]..ring_start_[k+1] in points_ is
  // ring k; shape_rings_[i]..shape_rings_[i+1] are the rings of shape i (outer rings and holes
  // alike: with even-odd counting a hole simply flips the parity back).
  bool Covers(size_t shape, double x, double y) const;
  std::vector<std::pair<double, double>> points_;
  std::vector<uint32_t> ring_start_;
  std::vector<uint32_t> shape_rings_;
  size_t size_ = 0;
  boost::geometry::index::rtree<Value, boost::geometry::index::rstar<8>> tree_;
};

}  // namespace gongzhi
