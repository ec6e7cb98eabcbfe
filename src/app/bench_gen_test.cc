// The benchmark data generator: what it builds is consistent (every case is in a grid of its
// community, routed by the generated rules, its audit chain intact, its figures plausible) and the
// same seed gives the same data.
#include "app/bench_gen.h"

#include <gtest/gtest.h>

#include "app/assessment.h"
#include "app/audit.h"
#include "app/demo.h"
#include "app/test_support.h"
#include "core/work_calendar.h"

namespace gongzhi {
namespace {

using testing::TempStore;

struct Generated {
  BenchGenSummary summary;
  std::vector<RankRow> townships;
  std::vector<CaseRecord> sample;
};

Generated Generate(TempStore& ts, uint64_t seed) {
  RegionService regions(ts.store());
  GridService grids(ts.store());
  CaseService cases(ts.store(), grids, ts.clock());
  BenchGenOptions o;
  o.divisions_csv = kFuxingDivisionsCsv;
  o.root = kDemoDistrict;
  o.cases = 3000;
  o.days = 90;
  o.seed = seed;
  auto sum = GenerateBenchData(o, regions, grids, cases, ts.store(), ts.clock());
  EXPECT_TRUE(sum.ok()) << sum.status().ToString();
  AssessmentService a(ts.store(), ts.clock());
  AssessmentScope scope;
  scope.to = LocalDay(ts.clock().Now());
  scope.from = scope.to - 120;
  auto rank = a.Rank(RollupGroup::kTownship, scope);
  EXPECT_TRUE(rank.ok()) << rank.status().ToString();
  CaseFilter f;
  f.limit = 500;
  auto sample = ts.store().cases().ListCases(f);
  EXPECT_TRUE(sample.ok());
  return {sum.ok() ? *sum : BenchGenSummary{}, rank.ok() ? *rank : std::vector<RankRow>{},
          sample.ok() ? *sample : std::vector<CaseRecord>{}};
}

TEST(BenchGen, BuildsAConsistentDistrictAndTheSameSeedGivesTheSameData) {
  TempStore a;
  Generated g = Generate(a, 7);
  EXPECT_EQ(g.summary.regions, 126);
  EXPECT_EQ(g.summary.grids, 4 * 115);      // 2×2 per community
  EXPECT_EQ(g.summary.workers, 115);        // one per community
  EXPECT_EQ(g.summary.units, 4 + 10);       // four departments, a police station per township
  EXPECT_EQ(g.summary.cases, 3000);
  ASSERT_EQ(g.sample.size(), 500u);
  int rejected = 0, to_workers = 0, rated = 0;
  const InstantMs now = a.clock().Now();
  for (const auto& c : g.sample) {
    EXPECT_TRUE(c.grid_code.starts_with(c.region_code)) << c.grid_code << " " << c.region_code;
    EXPECT_TRUE(c.created_at < now && c.created_at > now - 91LL * 24 * 3600 * 1000);
    rejected += c.facts.state == CaseState::kRejected;
    to_workers += c.worker_id.has_value();
    rated += c.rating_satisfaction.has_value();
    if (c.facts.state == CaseState::kClosed) {
      EXPECT_TRUE(c.unit_id.has_value() != c.worker_id.has_value());
      EXPECT_LE(c.created_at, c.dispatched_at);
      EXPECT_LE(c.dispatched_at, c.claimed_at);
      EXPECT_LE(c.claimed_at, c.resolved_at);
      EXPECT_LE(c.resolved_at, c.closed_at);
    }
  }
  // The shapes asked for: a few percent rejected, some cases with grid workers, most rated.
  EXPECT_GT(rejected, 5);
  EXPECT_LT(rejected, 80);
  EXPECT_GT(to_workers, 10);
  EXPECT_GT(rated, 250);
  auto audit = VerifyAuditTrail(a.store().cases());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok);
  // Every township with cases is ranked, with a score in range.
  ASSERT_EQ(g.townships.size(), 10u);
  for (const auto& r : g.townships) {
    ASSERT_TRUE(r.figures.score.has_value()) << r.key;
    EXPECT_GT(*r.figures.score, 40);
    EXPECT_LE(*r.figures.score, 100);
  }

  TempStore b;
  Generated again = Generate(b, 7);
  ASSERT_EQ(again.sample.size(), g.sample.size());
  for (size_t i = 0; i < g.sample.size(); ++i) {
    EXPECT_EQ(again.sample[i].created_at, g.sample[i].created_at);
    EXPECT_EQ(again.sample[i].grid_code, g.sample[i].grid_code);
    EXPECT_EQ(again.sample[i].category_code, g.sample[i].category_code);
    EXPECT_EQ(again.sample[i].unit_id, g.sample[i].unit_id);
  }
  EXPECT_EQ(again.townships[0].key, g.townships[0].key);
  EXPECT_EQ(again.townships[0].figures.score, g.townships[0].figures.score);
}

}  // namespace
}  // namespace gongzhi
