// Grids (网格): polygons under a community, the base unit every report is located to.
// Coordinates are WGS-84 longitude/latitude, treated as planar (grids are small).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

#include "core/status.h"

namespace gongzhi {

using GeoPoint = boost::geometry::model::d2::point_xy<double>;  // x = lng, y = lat
using GeoPolygon = boost::geometry::model::polygon<GeoPoint>;   // clockwise outer, closed
using GeoMultiPolygon = boost::geometry::model::multi_polygon<GeoPolygon>;
using GeoBox = boost::geometry::model::box<GeoPoint>;

// A polygon as read from input: rings[0] is the outer ring, then holes; points are (lng, lat).
struct RawPolygon {
  std::vector<std::vector<std::pair<double, double>>> rings;
};

// Checks and converts polygons to a shape: every ring has at least 4 points, is closed, has
// coordinates in range, and no polygon intersects itself. Ring orientation is corrected, not
// refused. `field` prefixes the error path ("features[3].geometry").
Result<GeoMultiPolygon> BuildShape(const std::vector<RawPolygon>& polygons, const std::string& field);

// Grid codes have 15 digits: 6 county + 3 township + 3 community + 3 sequence (数字城管 单元网格).
Status ValidateGridCode(std::string_view code, const std::string& field);
// The 12-digit community (村/社区) code a valid grid code belongs to.
inline std::string CommunityOfGridCode(std::string_view grid_code) { return std::string(grid_code.substr(0, 12)); }

struct GridSpec {
  std::string code;
  std::string name;
  RawPolygon polygon;
};

// Synthetic demo grids: the box is cut into a lattice with one cell per community (row-major, in
// the given order) and each cell into `per_side`×`per_side` grids, numbered 001, 002, ...
std::vector<GridSpec> LatticeGrids(const std::vector<std::pair<std::string, std::string>>& communities,
                                   double min_lng, double min_lat, double max_lng, double max_lat,
                                   int per_side);

}  // namespace gongzhi
