// Assessment ranking over many cases (issue #4: all units of one level for a month over
// 10,000,000 cases, target ≤ 50 ms, beside the same figures computed by a plain scan).
// Synthetic dispatch facts (one per case) follow the fold's shape: 60 departments, 13 townships ×
// 12 communities, 40 categories, a year of days; their roll-ups are written as the rebuild writes
// them. The facts themselves are bulk-loaded for the scan comparison (a benchmark fixture).
//   build/bench/rollup_bench [N_CASES=1000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "app/assessment.h"
#include "store/sql_store.h"
#include "store/sqlite/sqlite_connection.h"

using namespace gongzhi;

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::stoll(argv[1]) : 1'000'000;
  auto dir = std::filesystem::temp_directory_path() / "gongzhi-rollup-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "b.db").string();
  ManualClock clock(0);
  auto store = std::move(OpenStore(path, clock).value());
  std::mt19937_64 rng(42);
  auto pick = [&](int64_t k) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(k)); };
  const InstantMs year = LocalMidnight(DayFromYmd(2026, 1, 1));
  constexpr int64_t kMin = 60'000, kDay = 24 * 60 * kMin;

  auto t0 = std::chrono::steady_clock::now();
  RollupDeltas rollups;
  auto raw = std::move(sql::OpenSqlite(path).value());
  if (!raw->ExecScript("PRAGMA foreign_keys=OFF; PRAGMA synchronous=OFF; BEGIN").ok()) return 1;
  for (int64_t i = 1; i <= n; ++i) {
    CaseFact f;
    f.case_id = i;
    f.n = 1;
    f.unit_id = 1 + pick(60);
    f.region_code = "130404" + std::to_string(100 + pick(13)) + std::to_string(100 + pick(12));
    f.category_code = std::to_string(1000 + pick(40));
    f.dispatched_at = year + pick(365 * kDay);
    f.response_due = f.dispatched_at + 60 * kMin;
    f.handling_due = f.dispatched_at + (1 + pick(15)) * kDay;
    if (pick(20)) f.claimed_at = f.dispatched_at + pick(120) * kMin;
    f.returned = pick(25) == 0;
    f.deferred = !f.returned && pick(30) == 0;
    if (!f.returned && f.claimed_at && pick(10)) {
      f.resolved_at = f.claimed_at + pick(20 * kDay);
      f.handling_minutes = (f.resolved_at - f.dispatched_at) / kMin / 3;
      f.overdue = f.resolved_at > f.handling_due;
      if (pick(2)) f.rated_at = f.resolved_at + pick(3 * kDay), f.solved = pick(5) != 0, f.satisfied = pick(6) != 0;
    }
    AddContribution(f, +1, rollups);
    auto day = [](InstantMs t) { return int64_t{t ? LocalDay(t) : 0}; };
    auto s = raw->Exec(
        "INSERT INTO case_facts (case_id, n, unit_id, worker_id, region_code, category_code, reopened, dispatched_at, "
        "response_due, handling_due, claimed_at, resolved_at, rated_at, returned, deferred, overdue, reworks, "
        "handling_minutes, solved, satisfied, dispatch_day, due_day, resolve_day, rated_day) VALUES (?, 1, ?, 0, ?, ?, 0, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
        {f.case_id, f.unit_id, f.region_code, f.category_code, f.dispatched_at, f.response_due, f.handling_due,
         f.claimed_at, f.resolved_at, f.rated_at, int64_t{f.returned}, int64_t{f.deferred}, int64_t{f.overdue},
         f.handling_minutes, int64_t{f.solved}, int64_t{f.satisfied}, day(f.dispatched_at), day(f.handling_due),
         day(f.resolved_at), day(f.rated_at)});
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.status().ToString().c_str()), 1;
  }
  if (!raw->ExecScript("COMMIT").ok()) return 1;
  raw.reset();
  // The roll-ups as the rebuild writes them (facts already loaded above).
  {
    auto w = std::move(sql::OpenSqlite(path).value());
    if (!w->ExecScript("BEGIN").ok()) return 1;
    for (const char* table : {"rollups", "rollups_township"}) {
      const RollupDeltas& rows = std::string(table) == "rollups" ? rollups : ByTownship(rollups);
      for (const auto& [k, c] : rows) {
        auto s = w->Exec(std::string("INSERT INTO ") + table +
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         {int64_t{k.day}, k.unit_id, k.worker_id, k.region_code, k.category_code, c.dispatched,
                          c.responded_on_time, c.returned, c.due, c.deferred, c.on_time, c.overdue, c.resolved,
                          c.reworked, c.handling_minutes, c.rated, c.solved, c.satisfied});
        if (!s.ok()) return std::fprintf(stderr, "%s\n", s.status().ToString().c_str()), 1;
      }
    }
    if (!w->ExecScript("COMMIT; ANALYZE").ok()) return 1;
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto count = [&](const char* table) {
    auto c = std::move(sql::OpenSqlite(path).value());
    return c->Exec(std::string("SELECT COUNT(*) FROM ") + table)->rows.at(0).Int(0);
  };
  std::printf("%lld cases loaded in %.1f s: %lld fine roll-up rows, %lld township roll-up rows\n",
              static_cast<long long>(n), load_s, static_cast<long long>(count("rollups")),
              static_cast<long long>(count("rollups_township")));

  AssessmentService assess(*store, clock);
  AssessmentScope month{DayFromYmd(2026, 11, 1), DayFromYmd(2026, 11, 30)};
  auto time_ms = [](auto&& fn, int reps) {
    fn();  // warm the cache
    auto a = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) fn();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count() / reps;
  };
  size_t rows = 0;
  double units = time_ms([&] { rows = assess.Rank(RollupGroup::kUnit, month)->size(); }, 20);
  std::printf("ranking of %zu units for November: %.2f ms\n", rows, units);
  double towns = time_ms([&] { rows = assess.Rank(RollupGroup::kTownship, month)->size(); }, 20);
  std::printf("ranking of %zu townships for November: %.2f ms\n", rows, towns);
  AssessmentScope fine = month;
  fine.fine = true;
  double fine_ms = time_ms([&] { rows = assess.Rank(RollupGroup::kUnit, fine)->size(); }, 5);
  std::printf("ranking of units from the community x category roll-ups: %.2f ms\n", fine_ms);
  // The same figures by a plain scan of the facts (the response rate's counts, by dispatch day).
  auto scan_conn = std::move(sql::OpenSqlite(path).value());
  double scan = time_ms(
      [&] {
        auto r = scan_conn->Exec(
            "SELECT unit_id, COUNT(*), SUM(claimed_at > 0 AND claimed_at <= response_due), SUM(returned) FROM case_facts "
            "NOT INDEXED WHERE dispatch_day BETWEEN ? AND ? GROUP BY unit_id",
            {int64_t{month.from}, int64_t{month.to}});
        rows = r->rows.size();
      },
      3);
  std::printf("plain scan of the facts for the units' response counts: %.2f ms (%zu units)\n", scan, rows);
  if (!std::getenv("KEEP")) std::filesystem::remove_all(dir);
  return 0;
}
