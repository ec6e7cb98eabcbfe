// GeoJSON (RFC 7946) input of grids: a FeatureCollection of Polygon/MultiPolygon features with
// properties `code` and `name`. Parsing checks structure, types and geometry; the use case
// checks what needs the database (the community must exist).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/grid.h"
#include "core/status.h"

namespace gongzhi {

struct GridFeature {
  std::string code;
  std::string name;
  std::vector<RawPolygon> polygons;
  GeoMultiPolygon shape;  // validated
  std::string geometry;   // normalised GeoJSON geometry text (2-D positions)
  size_t index = 0;       // position in the input's features array
};

// Parses and validates every feature; the first problem found is returned with its path
// ("features[3].properties.code") and nothing else is returned. At most `max_features`.
Result<std::vector<GridFeature>> ParseGridFeatureCollection(std::string_view text, size_t max_features = 200000);

// GeoJSON geometry text for polygons (a Polygon when there is one, else a MultiPolygon).
std::string GeometryJson(const std::vector<RawPolygon>& polygons);

}  // namespace gongzhi
