#include "app/grids.h"

#include <algorithm>
#include <map>

#include <boost/geometry/algorithms/envelope.hpp>
#include <boost/json.hpp>

#include "app/geojson.h"

namespace gongzhi {
namespace {

Grid ToGrid(const GridFeature& f, bool synthetic) {
  Grid g;
  g.code = f.code;
  g.name = f.name;
  g.community_code = CommunityOfGridCode(f.code);
  g.geometry = f.geometry;
  g.synthetic = synthetic;
  auto box = boost::geometry::return_envelope<GeoBox>(f.shape);
  g.min_lng = box.min_corner().x(), g.min_lat = box.min_corner().y();
  g.max_lng = box.max_corner().x(), g.max_lat = box.max_corner().y();
  return g;
}

// Reads back a stored geometry (written by us, so well-formed) into polygons.
std::vector<RawPolygon> PolygonsOf(const std::string& geometry) {
  namespace json = boost::json;
  json::value v = json::parse(geometry);
  auto ring_of = [](const json::value& r) {
    std::vector<std::pair<double, double>> ring;
    for (const auto& p : r.as_array()) ring.emplace_back(p.as_array()[0].to_number<double>(), p.as_array()[1].to_number<double>());
    return ring;
  };
  auto poly_of = [&](const json::value& p) {
    RawPolygon poly;
    for (const auto& r : p.as_array()) poly.rings.push_back(ring_of(r));
    return poly;
  };
  std::vector<RawPolygon> out;
  const auto& o = v.as_object();
  if (o.at("type").as_string() == "Polygon") {
    out.push_back(poly_of(o.at("coordinates")));
  } else {
    for (const auto& p : o.at("coordinates").as_array()) out.push_back(poly_of(p));
  }
  return out;
}

}  // namespace

Status GridService::WriteGrids(std::vector<Grid> grids) {
  GZ_RETURN_IF_ERROR(store_.UpsertGrids(grids));
  return RebuildIndex();
}

Result<size_t> GridService::ImportGeoJson(std::string_view text) {
  GZ_ASSIGN_OR_RETURN(auto features, ParseGridFeatureCollection(text));
  std::map<std::string, bool> community_ok;
  std::vector<Grid> grids;
  grids.reserve(features.size());
  for (const auto& f : features) {
    std::string community = CommunityOfGridCode(f.code);
    auto it = community_ok.find(community);
    if (it == community_ok.end()) {
      GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(community));
      it = community_ok.emplace(community, r && r->level == RegionLevel::kVillage).first;
    }
    if (!it->second)
      return Status::Invalid("features[" + std::to_string(f.index) + "].properties.code",
                             "unknown community " + community + " (the first 12 digits of the grid code must be a "
                             "village/community in the region tree)");
    grids.push_back(ToGrid(f, false));
  }
  GZ_RETURN_IF_ERROR(WriteGrids(std::move(grids)));
  return features.size();
}

Result<size_t> GridService::GenerateDemoGrids(const std::string& county_code, double min_lng, double min_lat,
                                              double max_lng, double max_lat) {
  GZ_ASSIGN_OR_RETURN(auto villages, store_.RegionsUnder(county_code, RegionLevel::kVillage));
  if (villages.empty()) return Status::NotFound("no village/community units under " + county_code);
  std::vector<std::pair<std::string, std::string>> communities;
  for (const auto& v : villages) {
    // "三丰园社区居民委员会" → "三丰园社区": the committee suffix makes grid names long.
    std::string name = v.name;
    for (const char* suffix : {"居民委员会", "村民委员会", "委员会"}) {
      std::string s = suffix;
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
        name.erase(name.size() - s.size());
        if (s == "村民委员会") name += "村";
        break;
      }
    }
    communities.emplace_back(v.code, name);
  }
  std::vector<Grid> grids;
  for (auto& spec : LatticeGrids(communities, min_lng, min_lat, max_lng, max_lat, 2)) {
    GridFeature f;
    f.code = spec.code;
    f.name = spec.name;
    f.polygons.push_back(spec.polygon);
    GZ_ASSIGN_OR_RETURN(f.shape, BuildShape(f.polygons, spec.code));
    f.geometry = GeometryJson(f.polygons);
    grids.push_back(ToGrid(f, true));
  }
  size_t n = grids.size();
  GZ_RETURN_IF_ERROR(WriteGrids(std::move(grids)));
  return n;
}

Result<std::vector<Grid>> GridService::ListGrids(const std::string& prefix) {
  if (!prefix.empty() && !IsDigits(prefix)) return Status::Invalid("community", "must be a division code (digits only)");
  // From the index's snapshot while it is current (one small query), not by reading every row
  // and its geometry again: the grid map of a city's dashboard lists 23k grids.
  GZ_ASSIGN_OR_RETURN(int64_t version, store_.GridsVersion());
  auto snap = snapshot();
  if (!snap || snap->version != version) return store_.ListGrids(prefix);
  auto by_code = [](const Grid& g, const std::string& p) { return g.code < p; };
  auto first = std::lower_bound(snap->grids.begin(), snap->grids.end(), prefix, by_code);
  auto last = first;
  while (last != snap->grids.end() && last->code.starts_with(prefix)) ++last;
  return std::vector<Grid>(first, last);
}

Result<Grid> GridService::GetGrid(const std::string& code) {
  GZ_RETURN_IF_ERROR(ValidateGridCode(code, "code"));
  GZ_ASSIGN_OR_RETURN(auto g, store_.GetGrid(code));
  if (!g) return Status::NotFound("no grid with code " + code);
  return *g;
}

Status GridService::DeleteGrid(const std::string& code) {
  GZ_RETURN_IF_ERROR(ValidateGridCode(code, "code"));
  GZ_RETURN_IF_ERROR(store_.DeleteGrid(code));
  return RebuildIndex();
}

std::shared_ptr<const GridService::Snapshot> GridService::snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

Status GridService::RebuildIndex() {
  std::lock_guard rebuild(rebuild_mu_);
  // Read the version first: a write racing with this rebuild leaves the index marked stale.
  GZ_ASSIGN_OR_RETURN(int64_t version, store_.GridsVersion());
  GZ_ASSIGN_OR_RETURN(auto grids, store_.ListGrids(""));
  auto snap = std::make_shared<Snapshot>();
  snap->version = version;
  std::vector<GeoMultiPolygon> shapes;
  shapes.reserve(grids.size());
  std::map<std::string, Region> regions;
  auto region = [&](const std::string& code) -> Result<Region> {
    if (code.empty()) return Region{};
    auto it = regions.find(code);
    if (it != regions.end()) return it->second;
    GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(code));
    return regions.emplace(code, r.value_or(Region{})).first->second;
  };
  for (const auto& g : grids) {
    auto shape = BuildShape(PolygonsOf(g.geometry), g.code);
    if (!shape.ok()) return Status::Internal("stored grid " + g.code + " is invalid: " + shape.status().message());
    shapes.push_back(std::move(shape).value());
    Location loc;
    loc.grid_code = g.code;
    loc.grid_name = g.name;
    loc.synthetic = g.synthetic;
    GZ_ASSIGN_OR_RETURN(loc.community, region(g.community_code));
    GZ_ASSIGN_OR_RETURN(loc.township, region(loc.community.parent_code));
    GZ_ASSIGN_OR_RETURN(loc.district, region(loc.township.parent_code));
    snap->locations.push_back(std::move(loc));
  }
  snap->index = std::make_unique<LocateIndex>(std::move(shapes));
  snap->grids = std::move(grids);
  std::sort(snap->grids.begin(), snap->grids.end(), [](const Grid& a, const Grid& b) { return a.code < b.code; });
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snap);
  return Status::Ok();
}

Status GridService::RefreshIfChanged() {
  GZ_ASSIGN_OR_RETURN(int64_t version, store_.GridsVersion());
  auto snap = snapshot();
  if (snap && snap->version == version) return Status::Ok();
  return RebuildIndex();
}

Result<Location> GridService::Locate(double lng, double lat) {
  if (!(lng >= -180 && lng <= 180)) return Status::Invalid("lng", "longitude must be a number between -180 and 180");
  if (!(lat >= -90 && lat <= 90)) return Status::Invalid("lat", "latitude must be a number between -90 and 90");
  auto snap = snapshot();
  if (!snap) return Status::Unavailable("the grid index is not loaded yet");
  auto i = snap->index->Find(lng, lat);
  if (!i) return Status::NotFound("the point lies outside every grid");
  return snap->locations[*i];
}

Result<GridWorker> GridService::CreateWorker(GridWorker w) {
  GZ_RETURN_IF_ERROR(ValidateGridWorker(w));
  return store_.InsertWorker(w);
}

Result<GridWorker> GridService::GetWorker(int64_t id) {
  GZ_ASSIGN_OR_RETURN(auto w, store_.GetWorker(id));
  if (!w) return Status::NotFound("no grid worker with id " + std::to_string(id));
  return *w;
}

Result<std::vector<GridWorker>> GridService::ListWorkers(const WorkerFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Status::Invalid("limit", "must be between 1 and 1000");
  if (filter.offset < 0) return Status::Invalid("offset", "must not be negative");
  return store_.ListWorkers(filter);
}

Result<GridWorker> GridService::UpdateWorker(GridWorker w) {
  GZ_ASSIGN_OR_RETURN(auto old, GetWorker(w.id));
  GZ_RETURN_IF_ERROR(ValidateGridWorker(w));
  w.created_at = old.created_at;
  GZ_RETURN_IF_ERROR(store_.UpdateWorker(w));
  return w;
}

Status GridService::DeleteWorker(int64_t id) { return store_.DeleteWorker(id); }

}  // namespace gongzhi
