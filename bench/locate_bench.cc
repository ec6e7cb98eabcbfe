// Point → grid lookups per second on one core (target ≥ 2,000,000/s with 20,000 grids).
// Grids: a synthetic lattice, 5,000 communities × 4 grids over a city-sized box (邯郸市 extent).
#include <map>
#include <random>

#include <benchmark/benchmark.h>

#include "core/locate_index.h"

namespace {

using namespace gongzhi;

struct Fixture {
  std::unique_ptr<LocateIndex> index;
  std::vector<GeoPoint> points;
};

const Fixture& Get(int communities) {
  static std::map<int, Fixture> cache;
  auto it = cache.find(communities);
  if (it != cache.end()) return it->second;
  std::vector<std::pair<std::string, std::string>> cs;
  for (int i = 0; i < communities; ++i) {
    char code[16];
    std::snprintf(code, sizeof code, "1304%02d%03d%03d", i / 100000 % 100, i / 1000 % 1000, i % 1000 + 1);
    cs.emplace_back(code, "c");
  }
  std::vector<GeoMultiPolygon> shapes;
  for (auto& g : LatticeGrids(cs, 113.5, 36.0, 115.5, 37.0, 2)) shapes.push_back(BuildShape({g.polygon}, g.code).value());
  Fixture f;
  f.index = std::make_unique<LocateIndex>(std::move(shapes));
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> lng(113.5, 115.5), lat(36.0, 37.0);
  for (int i = 0; i < 1 << 16; ++i) f.points.emplace_back(lng(rng), lat(rng));
  return cache.emplace(communities, std::move(f)).first->second;
}

void BM_Locate(benchmark::State& state) {
  const Fixture& f = Get(static_cast<int>(state.range(0)));
  size_t i = 0, found = 0;
  for (auto _ : state) {
    const GeoPoint& p = f.points[i++ & 0xffff];
    auto r = f.index->Find(p.x(), p.y());
    found += r.has_value();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["grids"] = static_cast<double>(f.index->size());
  state.counters["hit_ratio"] = static_cast<double>(found) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Locate)->Arg(5000)->Arg(50000);

void BM_BuildIndex(benchmark::State& state) {
  std::vector<std::pair<std::string, std::string>> cs;
  for (int i = 0; i < 5000; ++i) cs.emplace_back("130404" + std::to_string(100000 + i), "c");
  std::vector<GeoMultiPolygon> shapes;
  for (auto& g : LatticeGrids(cs, 113.5, 36.0, 115.5, 37.0, 2)) shapes.push_back(BuildShape({g.polygon}, g.code).value());
  for (auto _ : state) {
    LocateIndex idx(shapes);
    benchmark::DoNotOptimize(idx);
  }
  state.counters["grids"] = static_cast<double>(shapes.size());
}
BENCHMARK(BM_BuildIndex)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
