#include "app/geojson.h"

#include <map>

#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/json.hpp>

#include "core/model.h"
#include "app/json_text.h"

namespace json = boost::json;

namespace gongzhi {
namespace {

Result<std::vector<std::pair<double, double>>> ParseRing(const json::value& v, const std::string& f) {
  if (!v.is_array()) return Status::Invalid(f, "a ring must be an array of positions");
  std::vector<std::pair<double, double>> ring;
  const auto& arr = v.get_array();
  ring.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    const auto& p = arr[i];
    std::string pf = f + "[" + std::to_string(i) + "]";
    if (!p.is_array() || p.get_array().size() < 2 || p.get_array().size() > 3)
      return Status::Invalid(pf, "a position must be [longitude, latitude]");
    const auto& pa = p.get_array();
    for (const auto& n : pa)
      if (!n.is_number()) return Status::Invalid(pf, "coordinates must be numbers");
    ring.emplace_back(pa[0].to_number<double>(), pa[1].to_number<double>());
  }
  return ring;
}

Result<RawPolygon> ParsePolygon(const json::value& v, const std::string& f) {
  if (!v.is_array() || v.get_array().empty()) return Status::Invalid(f, "a polygon must be a non-empty array of rings");
  RawPolygon poly;
  const auto& rings = v.get_array();
  for (size_t r = 0; r < rings.size(); ++r) {
    GZ_ASSIGN_OR_RETURN(auto ring, ParseRing(rings[r], f + "[" + std::to_string(r) + "]"));
    poly.rings.push_back(std::move(ring));
  }
  return poly;
}

}  // namespace

std::string GeometryJson(const std::vector<RawPolygon>& polygons) {
  auto poly_json = [](const RawPolygon& p) {
    json::array rings;
    for (const auto& ring : p.rings) {
      json::array pts;
      for (auto [x, y] : ring) pts.push_back(json::array{x, y});
      rings.push_back(std::move(pts));
    }
    return rings;
  };
  json::object g;
  if (polygons.size() == 1) {
    g["type"] = "Polygon";
    g["coordinates"] = poly_json(polygons[0]);
  } else {
    g["type"] = "MultiPolygon";
    json::array all;
    for (const auto& p : polygons) all.push_back(poly_json(p));
    g["coordinates"] = std::move(all);
  }
  return JsonText(g);
}

Result<std::vector<GridFeature>> ParseGridFeatureCollection(std::string_view text, size_t max_features) {
  json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec, {}, opts);
  if (ec) return Status::Invalid("", "not valid JSON: " + ec.message());
  if (!doc.is_object()) return Status::Invalid("", "expected a GeoJSON FeatureCollection object");
  const auto& root = doc.get_object();
  auto type = root.if_contains("type");
  if (!type || !type->is_string() || type->get_string() != "FeatureCollection")
    return Status::Invalid("type", "must be \"FeatureCollection\"");
  auto features = root.if_contains("features");
  if (!features || !features->is_array()) return Status::Invalid("features", "must be an array of features");
  const auto& arr = features->get_array();
  if (arr.empty()) return Status::Invalid("features", "holds no feature");
  if (arr.size() > max_features)
    return Status::Invalid("features", "more than " + std::to_string(max_features) + " features in one file");
  std::vector<GridFeature> out;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string f = "features[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) return Status::Invalid(f, "a feature must be an object");
    const auto& feat = arr[i].get_object();
    auto ft = feat.if_contains("type");
    if (!ft || !ft->is_string() || ft->get_string() != "Feature") return Status::Invalid(f + ".type", "must be \"Feature\"");
    GridFeature g;
    g.index = i;
    auto props = feat.if_contains("properties");
    if (!props || !props->is_object()) return Status::Invalid(f + ".properties", "must be an object with code and name");
    auto code = props->get_object().if_contains("code");
    if (!code || !code->is_string()) return Status::Invalid(f + ".properties.code", "must be a string of 15 digits");
    g.code = std::string(code->get_string());
    GZ_RETURN_IF_ERROR(ValidateGridCode(g.code, f + ".properties.code"));
    if (auto [it, fresh] = seen.emplace(g.code, i); !fresh)
      return Status::Invalid(f + ".properties.code", "duplicate code " + g.code + ", also at features[" +
                                                         std::to_string(it->second) + "]");
    auto name = props->get_object().if_contains("name");
    if (!name || !name->is_string() || name->get_string().empty())
      return Status::Invalid(f + ".properties.name", "must be a non-empty string");
    g.name = std::string(name->get_string());
    if (g.name.size() > 200 || !IsCleanUtf8(g.name))
      return Status::Invalid(f + ".properties.name", "must be at most 200 bytes of plain text");
    auto geom = feat.if_contains("geometry");
    if (!geom || !geom->is_object()) return Status::Invalid(f + ".geometry", "must be a Polygon or MultiPolygon");
    auto gt = geom->get_object().if_contains("type");
    auto coords = geom->get_object().if_contains("coordinates");
    std::string gf = f + ".geometry";
    if (!gt || !gt->is_string() || (gt->get_string() != "Polygon" && gt->get_string() != "MultiPolygon"))
      return Status::Invalid(gf + ".type", "must be \"Polygon\" or \"MultiPolygon\"");
    if (!coords) return Status::Invalid(gf + ".coordinates", "missing");
    if (gt->get_string() == "Polygon") {
      GZ_ASSIGN_OR_RETURN(auto p, ParsePolygon(*coords, gf + ".coordinates"));
      g.polygons.push_back(std::move(p));
    } else {
      if (!coords->is_array() || coords->get_array().empty())
        return Status::Invalid(gf + ".coordinates", "a MultiPolygon must be a non-empty array of polygons");
      const auto& polys = coords->get_array();
      for (size_t p = 0; p < polys.size(); ++p) {
        GZ_ASSIGN_OR_RETURN(auto poly, ParsePolygon(polys[p], gf + ".coordinates[" + std::to_string(p) + "]"));
        g.polygons.push_back(std::move(poly));
      }
    }
    GZ_ASSIGN_OR_RETURN(g.shape, BuildShape(g.polygons, gf));
    g.geometry = GeometryJson(g.polygons);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace gongzhi
