// Use cases of grids (网格), point location and grid workers (网格员).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/store.h"
#include "core/locate_index.h"

namespace gongzhi {

struct Location {
  std::string grid_code, grid_name;
  bool synthetic = false;
  Region community, township, district;  // fields empty where the tree lacks the node
};

class GridService {
 public:
  explicit GridService(Store& store) : store_(store) {}

  // Validates the whole FeatureCollection (geometry, codes, communities present in the region
  // tree) and writes all grids in one transaction, or nothing. Returns how many were written.
  Result<size_t> ImportGeoJson(std::string_view text);

  // Generates a synthetic lattice (2×2 grids per community) for every village-level unit under
  // `county_code` inside the given box, marked synthetic. Idempotent (same codes each time).
  Result<size_t> GenerateDemoGrids(const std::string& county_code, double min_lng, double min_lat, double max_lng,
                                   double max_lat);

  Result<std::vector<Grid>> ListGrids(const std::string& prefix);
  Result<Grid> GetGrid(const std::string& code);
  Status DeleteGrid(const std::string& code);

  // The grid containing the point, from the in-memory index; NotFound outside every grid.
  Result<Location> Locate(double lng, double lat);
  // Rebuilds the index from the store. Thread-safe; lookups continue on the old index meanwhile.
  Status RebuildIndex();
  // Rebuilds only when the store's grids changed since the last build (e.g. an import by another
  // process). Cheap when nothing changed: one small query.
  Status RefreshIfChanged();

  Result<GridWorker> CreateWorker(GridWorker w);
  Result<GridWorker> GetWorker(int64_t id);
  Result<std::vector<GridWorker>> ListWorkers(const WorkerFilter& filter);
  Result<GridWorker> UpdateWorker(GridWorker w);
  Status DeleteWorker(int64_t id);

 private:
  struct Snapshot {
    int64_t version = -1;
    std::unique_ptr<LocateIndex> index;
    std::vector<Location> locations;  // parallel to the index's entries
    std::vector<Grid> grids;          // as the store lists them, by code (a city's: ~8 MB)
  };
  std::shared_ptr<const Snapshot> snapshot() const;
  Status WriteGrids(std::vector<Grid> grids);

  Store& store_;
  mutable std::mutex mu_;  // guards snapshot_
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex rebuild_mu_;  // one rebuild at a time
};

}  // namespace gongzhi
