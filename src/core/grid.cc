#include "core/grid.h"

#include <cmath>
#include <cstdio>

#include <boost/geometry/algorithms/correct.hpp>
#include <boost/geometry/algorithms/intersects.hpp>
#include <boost/geometry/algorithms/is_valid.hpp>

#include "core/region.h"

namespace bg = boost::geometry;

namespace gongzhi {

Result<GeoMultiPolygon> BuildShape(const std::vector<RawPolygon>& polygons, const std::string& field) {
  if (polygons.empty()) return Status::Invalid(field, "has no polygon");
  GeoMultiPolygon shape;
  for (size_t p = 0; p < polygons.size(); ++p) {
    const auto& raw = polygons[p];
    std::string pfield = polygons.size() > 1 ? field + ".coordinates[" + std::to_string(p) + "]"
                                             : field + ".coordinates";
    if (raw.rings.empty()) return Status::Invalid(pfield, "polygon has no ring");
    GeoPolygon poly;
    for (size_t r = 0; r < raw.rings.size(); ++r) {
      const auto& ring = raw.rings[r];
      std::string rfield = pfield + "[" + std::to_string(r) + "]";
      if (ring.size() < 4)
        return Status::Invalid(rfield, "ring has " + std::to_string(ring.size()) +
                                           " points; fewer than 4 points cannot close a polygon");
      for (size_t i = 0; i < ring.size(); ++i) {
        auto [lng, lat] = ring[i];
        if (!std::isfinite(lng) || !std::isfinite(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90)
          return Status::Invalid(rfield + "[" + std::to_string(i) + "]",
                                 "coordinates out of range (longitude -180..180, latitude -90..90)");
      }
      if (ring.front() != ring.back())
        return Status::Invalid(rfield, "unclosed ring: the last point must repeat the first");
      auto& target = r == 0 ? poly.outer() : (poly.inners().emplace_back(), poly.inners().back());
      for (auto [lng, lat] : ring) target.emplace_back(lng, lat);
    }
    // Crossing edges first: a bow-tie also has "wrong orientation", which would hide the real cause.
    if (bg::intersects(poly)) return Status::Invalid(pfield, "self-intersection: the polygon's edges cross");
    bg::correct(poly);
    bg::validity_failure_type failure;
    if (!bg::is_valid(poly, failure)) {
      std::string why;
      switch (failure) {
        case bg::failure_self_intersections: why = "self-intersection: the polygon's edges cross"; break;
        case bg::failure_spikes: why = "self-intersection: the ring folds back on itself (spike)"; break;
        case bg::failure_duplicate_points: why = "repeated consecutive points"; break;
        case bg::failure_few_points: why = "fewer than 4 distinct points"; break;
        case bg::failure_wrong_topological_dimension: why = "the ring has no area"; break;
        case bg::failure_wrong_orientation: why = "the ring has no area or folds over itself"; break;
        case bg::failure_interior_rings_outside: why = "a hole lies outside the outer ring"; break;
        case bg::failure_nested_interior_rings: why = "holes are nested"; break;
        case bg::failure_disconnected_interior: why = "holes split the polygon"; break;
        case bg::failure_intersecting_interiors: why = "holes intersect each other"; break;
        default: why = "invalid polygon (" + std::to_string(static_cast<int>(failure)) + ")"; break;
      }
      // Duplicate consecutive points are harmless in practice; anything else is refused.
      if (failure != bg::failure_duplicate_points) return Status::Invalid(pfield, why);
    }
    shape.push_back(std::move(poly));
  }
  if (shape.size() > 1) {
    bg::validity_failure_type failure;
    if (!bg::is_valid(shape, failure) && failure != bg::failure_duplicate_points)
      return Status::Invalid(field, "the polygons of the MultiPolygon overlap each other");
  }
  return shape;
}

Status ValidateGridCode(std::string_view code, const std::string& field) {
  if (code.size() != 15 || !IsDigits(code))
    return Status::Invalid(field, "grid code must have 15 digits (6 county + 3 township + 3 community + 3 sequence), got '" +
                                      std::string(code) + "'");
  if (code.substr(12) == "000") return Status::Invalid(field, "grid sequence 000 is not allowed");
  return Status::Ok();
}

std::vector<GridSpec> LatticeGrids(const std::vector<std::pair<std::string, std::string>>& communities,
                                   double min_lng, double min_lat, double max_lng, double max_lat,
                                   int per_side) {
  std::vector<GridSpec> out;
  if (communities.empty() || per_side < 1) return out;
  int n = static_cast<int>(communities.size());
  int cols = static_cast<int>(std::ceil(std::sqrt(n * (max_lng - min_lng) / (max_lat - min_lat))));
  if (cols < 1) cols = 1;
  int rows = (n + cols - 1) / cols;
  double cw = (max_lng - min_lng) / cols, ch = (max_lat - min_lat) / rows;
  double gw = cw / per_side, gh = ch / per_side;
  for (int i = 0; i < n; ++i) {
    double cx = min_lng + (i % cols) * cw;
    double cy = max_lat - (i / cols + 1) * ch;  // first community at the top-left
    int seq = 0;
    for (int gy = per_side - 1; gy >= 0; --gy) {
      for (int gx = 0; gx < per_side; ++gx) {
        double x0 = cx + gx * gw, y0 = cy + gy * gh, x1 = x0 + gw, y1 = y0 + gh;
        // Rounded to 1e-7 degrees (~1 cm) so neighbours share exact edges.
        auto r = [](double v) { return std::round(v * 1e7) / 1e7; };
        GridSpec g;
        char seq_buf[8];
        std::snprintf(seq_buf, sizeof seq_buf, "%03d", ++seq);
        g.code = communities[i].first + seq_buf;
        g.name = communities[i].second + "第" + std::to_string(seq) + "网格";
        g.polygon.rings.push_back({{r(x0), r(y0)}, {r(x1), r(y0)}, {r(x1), r(y1)}, {r(x0), r(y1)}, {r(x0), r(y0)}});
        out.push_back(std::move(g));
      }
    }
  }
  return out;
}

}  // namespace gongzhi
