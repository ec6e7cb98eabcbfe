// The 复兴区 (Fuxing District, Handan) demo: the real division codes of the district, synthetic
// grids, a few departments and grid workers. Loading is idempotent.
#pragma once

#include <string>
#include <vector>

#include "app/accounts.h"
#include "app/grids.h"
#include "app/regions.h"

namespace gongzhi {

inline constexpr const char* kDemoDistrict = "130404";
// Its division codes (data/fuxing-divisions.csv), embedded at build time.
extern const char* const kFuxingDivisionsCsv;

struct DemoSummary {
  size_t regions_written = 0, grids = 0, units = 0, workers = 0;
};

// Loads what is missing of the demo; leaves data already present alone.
Result<DemoSummary> LoadDemo(RegionService& regions, GridService& grids, Store& store);

// Demo accounts, one per kind of person (created where missing), all with the password
// kDemoPassword. Returns a "login  role  (name)" line for each, to print.
inline constexpr const char* kDemoPassword = "gongzhi-demo-2026";
Result<std::vector<std::string>> LoadDemoAccounts(AccountService& accounts, Store& store);

// Synthetic grids over an approximate box of 复兴区 (not surveyed boundaries).
Result<size_t> LoadDemoGrids(GridService& grids);

}  // namespace gongzhi
