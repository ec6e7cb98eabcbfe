#include "core/assessment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace gongzhi {
namespace {

std::pair<std::string, std::string> Range(std::string_view period) {
  auto r = ParsePeriodName(period);
  if (!r.ok()) return {"error", r.status().field()};
  return {FormatDate(r->first), FormatDate(r->second)};
}

TEST(AssessmentPeriods, NamedPeriodsCoverTheirDays) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(Range("2026"), (P{"2026-01-01", "2026-12-31"}));
  EXPECT_EQ(Range("2026-Q1"), (P{"2026-01-01", "2026-03-31"}));
  EXPECT_EQ(Range("2026-Q4"), (P{"2026-10-01", "2026-12-31"}));
  EXPECT_EQ(Range("2026-02"), (P{"2026-02-01", "2026-02-28"}));
  EXPECT_EQ(Range("2028-02"), (P{"2028-02-01", "2028-02-29"}));  // leap year
  EXPECT_EQ(Range("2026-12"), (P{"2026-12-01", "2026-12-31"}));
  EXPECT_EQ(Range("2026-11-26"), (P{"2026-11-26", "2026-11-26"}));
  // ISO weeks: week 1 of 2026 starts on Monday 2025-12-29; 2026 has 53 weeks.
  EXPECT_EQ(Range("2026-W01"), (P{"2025-12-29", "2026-01-04"}));
  EXPECT_EQ(Range("2026-W48"), (P{"2026-11-23", "2026-11-29"}));
  EXPECT_EQ(Range("2026-W53"), (P{"2026-12-28", "2027-01-03"}));
  for (const char* bad : {"", "26", "2026-13", "2026-Q5", "2026-W54", "2027-W53", "2026-11-31", "2026/11", "x2026"})
    EXPECT_EQ(Range(bad).first, "error") << bad;
}

TEST(AssessmentPeriods, IsoWeekNamesMatchTheirRanges) {
  EXPECT_EQ(IsoWeekName(DayFromYmd(2026, 11, 26)), "2026-W48");
  EXPECT_EQ(IsoWeekName(DayFromYmd(2025, 12, 29)), "2026-W01");  // belongs to the next year's week 1
  EXPECT_EQ(IsoWeekName(DayFromYmd(2027, 1, 3)), "2026-W53");
  for (CivilDay d = DayFromYmd(2025, 12, 1); d < DayFromYmd(2028, 2, 1); ++d) {
    auto r = ParsePeriodName(IsoWeekName(d));
    ASSERT_TRUE(r.ok()) << FormatDate(d);
    EXPECT_LE(r->first, d);
    EXPECT_GE(r->second, d);
  }
}

TEST(AssessmentFigures, RatesScoreAndWeights) {
  RollupCounts c;
  c.dispatched = 4, c.responded_on_time = 3, c.rated = 0;  // nothing rated yet
  c.due = 5, c.deferred = 1, c.on_time = 2;
  c.resolved = 2, c.handling_minutes = 300;
  Figures f = ComputeFigures(c, {});
  EXPECT_EQ(f.response.value(), 0.75);
  EXPECT_FALSE(f.satisfaction.value());  // 0 / 0 is no figure, not zero
  EXPECT_EQ(f.on_time.numerator, 2);
  EXPECT_EQ(f.on_time.denominator, 4);  // 应结案数 − 缓办数
  EXPECT_EQ(f.average_handling_hours, 2.5);
  // Only the response rate is known: the score is that rate, not a rate diluted by empty ones.
  ASSERT_TRUE(f.score);
  EXPECT_DOUBLE_EQ(*f.score, 75.0);
  EXPECT_FALSE(ComputeFigures(RollupCounts{}, {}).score);
  EXPECT_TRUE(ValidateWeights({0.5, 0.25, 0.25}).ok());
  EXPECT_EQ(ValidateWeights({0.5, 0.5, 0.5}).field(), "weights");
  EXPECT_EQ(ValidateWeights({-0.1, 0.6, 0.5}).field(), "weights.response");
}

TEST(AssessmentFacts, ContributionsLandOnTheirDaysAndDiffsCancel) {
  const InstantMs fri = LocalMidnight(DayFromYmd(2026, 11, 27)) + 10 * 3'600'000LL;
  CaseFact f;
  f.case_id = 1, f.n = 1, f.unit_id = 5, f.region_code = "130404001008", f.category_code = "0101";
  f.dispatched_at = fri, f.response_due = fri + 3'600'000, f.handling_due = fri + 3 * 86'400'000LL;
  RollupDeltas d;
  AddContribution(f, +1, d);
  ASSERT_EQ(d.size(), 2u);  // dispatch day and due day
  EXPECT_EQ(d.begin()->first.day, DayFromYmd(2026, 11, 27));
  EXPECT_EQ(d.begin()->second.dispatched, 1);
  EXPECT_EQ(d.rbegin()->first.day, DayFromYmd(2026, 11, 30));
  EXPECT_EQ(d.rbegin()->second.due, 1);
  // Returned: no longer due from this unit; the dispatch still counts, with its return.
  CaseFact g = f;
  g.returned = true;
  auto changes = DiffFacts({f}, {g});
  ASSERT_EQ(changes.facts.size(), 1u);
  ASSERT_EQ(changes.deltas.size(), 2u);
  EXPECT_EQ(changes.deltas.begin()->second.returned, 1);
  EXPECT_EQ(changes.deltas.begin()->second.dispatched, 0);
  EXPECT_EQ(changes.deltas.rbegin()->second.due, -1);
  EXPECT_TRUE(DiffFacts({f}, {f}).deltas.empty());
  // The township roll-up folds community and category away.
  auto t = ByTownship(d);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.begin()->first.region_code, "130404001");
  EXPECT_EQ(t.begin()->first.category_code, "");
  // The township totals fold units and workers away too: a worker's case and a unit's case of one
  // township and day land on one row.
  CaseFact w = f;
  w.case_id = 2, w.unit_id = 0, w.worker_id = 9, w.region_code = "130404001017";
  AddContribution(w, +1, d);
  EXPECT_EQ(ByTownship(d).size(), 4u);
  auto sum = TownshipTotals(d);
  ASSERT_EQ(sum.size(), 2u);
  EXPECT_EQ(sum.begin()->first.unit_id, 0);
  EXPECT_EQ(sum.begin()->first.worker_id, 0);
  EXPECT_EQ(sum.begin()->first.region_code, "130404001");
  EXPECT_EQ(sum.begin()->second.dispatched, 2);
  // The unit totals keep units apart and leave the worker's case out.
  auto units = UnitTotals(d);
  ASSERT_EQ(units.size(), 2u);
  for (const auto& [k, c] : units) {
    EXPECT_EQ(k.unit_id, f.unit_id);
    EXPECT_EQ(k.worker_id, 0);
    EXPECT_EQ(k.region_code, "130404");
    EXPECT_EQ(k.category_code, "");
  }
  EXPECT_EQ(units.begin()->second.dispatched, 1);
  // The community months fold days into their month, and units and workers together; the worker
  // months keep grid workers only, per township.
  auto communities = CommunityMonths(d);
  ASSERT_EQ(communities.size(), 2u);  // two communities; Friday and Monday fall in November
  for (const auto& [k, c] : communities) {
    EXPECT_EQ(k.day, DayFromYmd(2026, 11, 1));
    EXPECT_EQ(k.unit_id, 0);
    EXPECT_EQ(k.worker_id, 0);
    EXPECT_EQ(k.region_code.size(), 12u);
    EXPECT_EQ(c.dispatched, 1);
    EXPECT_EQ(c.due, 1);
  }
  // Any level's days fold into months, keys kept.
  auto unit_months = ByMonth(units);
  ASSERT_EQ(unit_months.size(), 1u);
  EXPECT_EQ(unit_months.begin()->first, (RollupKey{DayFromYmd(2026, 11, 1), f.unit_id, 0, "130404", ""}));
  EXPECT_EQ(unit_months.begin()->second.dispatched, 1);
  EXPECT_EQ(unit_months.begin()->second.due, 1);
  auto workers = WorkerMonths(d);
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers.begin()->first, (RollupKey{DayFromYmd(2026, 11, 1), 0, 9, "130404001", ""}));
  EXPECT_EQ(workers.begin()->second.dispatched, 1);
  EXPECT_EQ(workers.begin()->second.due, 1);
}

TEST(AssessmentPeriods, SplitByMonthsCoversEveryDayOnce) {
  using Days = std::vector<std::pair<CivilDay, CivilDay>>;
  EXPECT_EQ(MonthStart(DayFromYmd(2026, 2, 28)), DayFromYmd(2026, 2, 1));
  EXPECT_EQ(MonthStart(DayFromYmd(2026, 3, 1)), DayFromYmd(2026, 3, 1));
  // A year: twelve whole months, no days around them.
  auto year = SplitByMonths(DayFromYmd(2026, 1, 1), DayFromYmd(2026, 12, 31));
  EXPECT_EQ(year.first_month, DayFromYmd(2026, 1, 1));
  EXPECT_EQ(year.last_month, DayFromYmd(2026, 12, 1));
  EXPECT_TRUE(year.days.empty());
  EXPECT_TRUE(year.minus.empty());
  // A week across a month's end: days only.
  auto week = SplitByMonths(DayFromYmd(2026, 11, 30), DayFromYmd(2026, 12, 6));
  EXPECT_GT(week.first_month, week.last_month);
  EXPECT_EQ(week.days, (Days{{DayFromYmd(2026, 11, 30), DayFromYmd(2026, 11, 30)},
                             {DayFromYmd(2026, 12, 1), DayFromYmd(2026, 12, 6)}}));
  EXPECT_TRUE(week.minus.empty());
  // A rolling 30 days: three days of October, and November less its last three.
  auto rolling = SplitByMonths(DayFromYmd(2026, 10, 29), DayFromYmd(2026, 11, 27));
  EXPECT_EQ(rolling.first_month, DayFromYmd(2026, 11, 1));
  EXPECT_EQ(rolling.last_month, DayFromYmd(2026, 11, 1));
  EXPECT_EQ(rolling.days, (Days{{DayFromYmd(2026, 10, 29), DayFromYmd(2026, 10, 31)}}));
  EXPECT_EQ(rolling.minus, (Days{{DayFromYmd(2026, 11, 28), DayFromYmd(2026, 11, 30)}}));
  // From the middle of one month to the middle of another: January less its first fortnight,
  // the days of April.
  auto mid = SplitByMonths(DayFromYmd(2026, 1, 15), DayFromYmd(2026, 4, 10));
  EXPECT_EQ(mid.first_month, DayFromYmd(2026, 1, 1));
  EXPECT_EQ(mid.last_month, DayFromYmd(2026, 3, 1));
  EXPECT_EQ(mid.minus, (Days{{DayFromYmd(2026, 1, 1), DayFromYmd(2026, 1, 14)}}));
  EXPECT_EQ(mid.days, (Days{{DayFromYmd(2026, 4, 1), DayFromYmd(2026, 4, 10)}}));
  // Inside one month: its days, or the month less the few days outside.
  auto inside = SplitByMonths(DayFromYmd(2026, 6, 10), DayFromYmd(2026, 6, 12));
  EXPECT_GT(inside.first_month, inside.last_month);
  EXPECT_EQ(inside.days, (Days{{DayFromYmd(2026, 6, 10), DayFromYmd(2026, 6, 12)}}));
  auto most = SplitByMonths(DayFromYmd(2026, 6, 3), DayFromYmd(2026, 6, 28));
  EXPECT_EQ(most.first_month, DayFromYmd(2026, 6, 1));
  EXPECT_EQ(most.last_month, DayFromYmd(2026, 6, 1));
  EXPECT_EQ(most.minus, (Days{{DayFromYmd(2026, 6, 1), DayFromYmd(2026, 6, 2)}, {DayFromYmd(2026, 6, 29), DayFromYmd(2026, 6, 30)}}));
  EXPECT_TRUE(most.days.empty());
  // December into January; a single February; an empty period.
  auto turn = SplitByMonths(DayFromYmd(2025, 12, 2), DayFromYmd(2026, 1, 31));
  EXPECT_EQ(turn.first_month, DayFromYmd(2025, 12, 1));
  EXPECT_EQ(turn.last_month, DayFromYmd(2026, 1, 1));
  EXPECT_EQ(turn.minus, (Days{{DayFromYmd(2025, 12, 1), DayFromYmd(2025, 12, 1)}}));
  auto feb = SplitByMonths(DayFromYmd(2028, 2, 1), DayFromYmd(2028, 2, 29));
  EXPECT_EQ(feb.first_month, feb.last_month);
  EXPECT_TRUE(feb.days.empty());
  EXPECT_TRUE(SplitByMonths(10, 9).days.empty());
  EXPECT_GT(SplitByMonths(10, 9).first_month, SplitByMonths(10, 9).last_month);
  // Over many periods: whole months and days added, less the days taken off, count every day of
  // the period once and no other; what is taken off lies in a whole month; and no month is read
  // as more days than it has inside the period.
  const CivilDay base = DayFromYmd(2025, 10, 20);
  for (CivilDay from = base; from < base + 100; from += 3)
    for (CivilDay to = from - 1; to < from + 400; to += 5) {
      auto s = SplitByMonths(from, to);
      std::map<CivilDay, int> seen;
      std::set<CivilDay> whole;
      for (CivilDay m = s.first_month; m <= s.last_month; m = MonthStart(m + 31))
        for (CivilDay day = m; MonthStart(day) == m; ++day) ++seen[day], whole.insert(day);
      for (auto [a, b] : s.days)
        for (CivilDay day = a; day <= b; ++day) ++seen[day];
      CivilDay read = 0;
      for (auto [a, b] : s.minus)
        for (CivilDay day = a; day <= b; ++day) {
          ASSERT_TRUE(whole.count(day)) << FormatDate(day) << " taken off outside a whole month";
          --seen[day], ++read;
        }
      for (auto [a, b] : s.days) read += b - a + 1;
      std::erase_if(seen, [](const auto& e) { return e.second == 0; });
      ASSERT_EQ(static_cast<CivilDay>(seen.size()), std::max(0, to - from + 1)) << from << ".." << to;
      for (auto [day, n] : seen) {
        ASSERT_EQ(n, 1) << FormatDate(day);
        ASSERT_TRUE(day >= from && day <= to) << FormatDate(day);
      }
      ASSERT_LE(read, std::max(0, to - from + 1)) << FormatDate(from) << ".." << FormatDate(to);
      ASSERT_LE(s.days.size(), 2u);
      ASSERT_LE(s.minus.size(), 2u);
    }
}

}  // namespace
}  // namespace gongzhi
