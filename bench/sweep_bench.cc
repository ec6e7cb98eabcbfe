// The deadline sweep with many open cases (issue #3: cost per sweep with 1,000,000 open cases
// when 100 are due). The open cases are bulk-loaded with one SQL statement (a benchmark fixture,
// not application code); the sweep itself runs through CaseService as the server runs it.
//   build/bench/sweep_bench [N_OPEN=1000000] [N_DUE=100]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "app/cases.h"
#include "app/demo.h"
#include "store/sql_store.h"
#include "store/sqlite/sqlite_connection.h"

using namespace gongzhi;

int main(int argc, char** argv) {
  const int64_t n_open = argc > 1 ? std::stoll(argv[1]) : 1'000'000;
  const int64_t n_due = argc > 2 ? std::stoll(argv[2]) : 100;
  auto dir = std::filesystem::temp_directory_path() / "gongzhi-sweep-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "b.db").string();
  const InstantMs now = 1'795'000'000'000;
  ManualClock clock(now);
  auto store = std::move(OpenStore(path, clock).value());
  RegionService regions(*store);
  GridService grids(*store);
  CaseService cases(*store, grids, clock);
  if (!LoadDemo(regions, grids, *store).ok() || !cases.LoadConfig().ok() || !cases.LoadDemoConfig().ok()) return 1;

  auto t0 = std::chrono::steady_clock::now();
  {
    auto raw = std::move(sql::OpenSqlite(path).value());
    // N dispatched cases; the first n_due have a response deadline already passed, the others are
    // due tomorrow or later.
    std::string q =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(n_open) +
        ") INSERT INTO cases (tracking_code, version, state, category_code, description, region_code, township_code, "
        "channel, unit_id, created_at, updated_at, dispatched_at, response_warn, response_due, handling_warn, "
        "handling_due, next_due, timers_through, last_seq, last_hash) SELECT printf('B%011d', i), 1, 'dispatched', "
        "'0101', 'bench', '130404001008', '130404001', 'api', 1, " + std::to_string(now - 7200000) + ", " +
        std::to_string(now - 7200000) + ", " + std::to_string(now - 7200000) +
        ", CASE WHEN i <= " + std::to_string(n_due) + " THEN " + std::to_string(now - 60000) + " ELSE " +
        std::to_string(now + 86400000) + " + i END, CASE WHEN i <= " + std::to_string(n_due) + " THEN " +
        std::to_string(now - 1000) + " ELSE " + std::to_string(now + 86400000) + " + i END, " +
        std::to_string(now + 2 * 86400000LL) + ", " + std::to_string(now + 3 * 86400000LL) +
        ", CASE WHEN i <= " + std::to_string(n_due) + " THEN " + std::to_string(now - 60000) + " ELSE " +
        std::to_string(now + 86400000) + " + i END, " + std::to_string(now - 7200000) + ", 0, '' FROM n";
    if (!raw->ExecScript("BEGIN; " + q + "; COMMIT;").ok()) {
      std::fprintf(stderr, "bulk load failed\n");
      return 1;
    }
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  auto time_sweep = [&](const char* label) {
    auto t = std::chrono::steady_clock::now();
    auto st = cases.Sweep(10000);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    if (!st.ok()) {
      std::fprintf(stderr, "sweep failed: %s\n", st.status().ToString().c_str());
      std::exit(1);
    }
    std::printf("%-28s %8.2f ms  cases=%d warnings=%d overdue=%d supervisions=%d\n", label, ms, st->cases, st->warnings,
                st->overdue, st->supervisions);
  };
  std::printf("open cases: %lld (bulk-loaded in %.1f s), due now: %lld\n", static_cast<long long>(n_open), load_s,
              static_cast<long long>(n_due));
  time_sweep("sweep with cases due:");
  time_sweep("sweep, nothing due:");
  clock.Advance(1000);
  time_sweep("sweep 1 s later, none due:");
  store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
