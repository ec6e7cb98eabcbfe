// Assessment (考核) figures: the facts of each dispatch of a case (app/assessment folds them from
// the case's events), their contribution to the roll-ups (unit × worker × community × category ×
// day) that rankings read instead of the cases, and the rates computed from summed counts.
// A fact's contribution depends on the fact alone, so an update is the new contribution minus
// the old one (DiffFacts).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/case.h"
#include "core/status.h"
#include "core/work_calendar.h"

namespace gongzhi {

// One dispatch of a case to a unit or a grid worker (or its reopening after an unsatisfied rating).
struct CaseFact {
  int64_t case_id = 0;
  int n = 0;  // 1, 2, ... in the order of the case's dispatches
  int64_t unit_id = 0, worker_id = 0;  // exactly one is non-zero
  std::string region_code, category_code;
  bool reopened = false;  // made by a reopening rating, not by a dispatch: not counted as dispatched
  InstantMs dispatched_at = 0, response_due = 0, handling_due = 0;  // handling_due as first set (before any extension)
  InstantMs claimed_at = 0, resolved_at = 0, rated_at = 0;
  bool returned = false;  // 退单: the unit gave the case back
  bool deferred = false;  // 缓办: extension approved or parked (挂账) while this dispatch was open
  bool overdue = false;   // the handling deadline passed before resolution
  int reworks = 0;        // times the verifier sent the resolution back (返工)
  int64_t handling_minutes = 0;  // working minutes from dispatch to the (last) resolution
  int solved = -1, satisfied = -1;  // rating: -1 none, 0 no, 1 yes ("satisfied" or "basically satisfied")

  bool operator==(const CaseFact&) const = default;
};

// Counters of one roll-up row; every rate's numerator and denominator are attributed to the same
// day (dispatch day for response and return, due day for on-time, resolution day for rework and
// handling time, rating day for the ratings) so any period gives consistent rates.
struct RollupCounts {
  int64_t dispatched = 0, responded_on_time = 0, returned = 0;
  int64_t due = 0, deferred = 0, on_time = 0, overdue = 0;
  int64_t resolved = 0, reworked = 0, handling_minutes = 0;
  int64_t rated = 0, solved = 0, satisfied = 0;

  RollupCounts& operator+=(const RollupCounts& o);
  RollupCounts& operator-=(const RollupCounts& o);
  bool IsZero() const;
  bool operator==(const RollupCounts&) const = default;
};

// Every counter of RollupCounts, in the order of the roll-up tables' columns: the one list that
// arithmetic, SQL columns, JSON and drill-down metrics are made from.
struct RollupField {
  const char* name;
  int64_t RollupCounts::*member;
  bool counts_dispatches;  // a number of dispatches (drill-down lists them); false for sums like minutes
};
inline constexpr RollupField kRollupFields[] = {
    {"dispatched", &RollupCounts::dispatched, true},
    {"responded_on_time", &RollupCounts::responded_on_time, true},
    {"returned", &RollupCounts::returned, true},
    {"due", &RollupCounts::due, true},
    {"deferred", &RollupCounts::deferred, true},
    {"on_time", &RollupCounts::on_time, true},
    {"overdue", &RollupCounts::overdue, true},
    {"resolved", &RollupCounts::resolved, true},
    {"reworked", &RollupCounts::reworked, true},
    {"handling_minutes", &RollupCounts::handling_minutes, false},
    {"rated", &RollupCounts::rated, true},
    {"solved", &RollupCounts::solved, true},
    {"satisfied", &RollupCounts::satisfied, true},
};

struct RollupKey {
  CivilDay day = 0;
  int64_t unit_id = 0, worker_id = 0;
  std::string region_code, category_code;
  auto operator<=>(const RollupKey&) const = default;
};

using RollupDeltas = std::map<RollupKey, RollupCounts>;

// Adds (sign +1) or removes (sign -1) what `f` contributes to the roll-ups.
void AddContribution(const CaseFact& f, int sign, RollupDeltas& out);

// The same counts per day × unit × worker × township (community and category folded away).
RollupDeltas ByTownship(const RollupDeltas& fine);
// The same counts per day × township, every unit and worker together (unit_id and worker_id 0).
RollupDeltas TownshipTotals(const RollupDeltas& fine);
// The same counts per day × unit × county for units only (rows of grid workers dropped,
// worker_id 0): a unit has one row a day, as it serves one county (or a few).
RollupDeltas UnitTotals(const RollupDeltas& fine);
// The same counts per day × county × category, every unit and worker together (unit_id and
// worker_id 0).
RollupDeltas CountyCategoryTotals(const RollupDeltas& fine);
// The same counts per month (day is the month's first day), all else as it is: the month tables of
// the township, unit and category sums.
RollupDeltas ByMonth(const RollupDeltas& days);
// The same counts per month × community (day is the month's first day; unit_id and worker_id 0,
// every category together): what rankings of communities over whole months read.
RollupDeltas CommunityMonths(const RollupDeltas& fine);
// The same counts per month × community × category (unit_id and worker_id 0): what rankings of
// communities in a category, and of the categories of a township or community, read over whole months.
RollupDeltas CommunityCategoryMonths(const RollupDeltas& fine);
// The same counts per month × grid worker × township for grid workers only (rows of units
// dropped, unit_id 0, every category together): what rankings of workers over whole months read.
RollupDeltas WorkerMonths(const RollupDeltas& fine);

// The first day of the month `day` falls in.
CivilDay MonthStart(CivilDay day);
// A period cut for the month roll-ups: whole months from the month table (their first days,
// first_month > last_month when there are none), plus the days in `days`, minus the days in
// `minus`. A month the period only partly covers is read as its days, or, when fewer of its days
// lie outside the period than inside (a month less its last three days), as the whole month less
// the days outside: a rolling 30 days reads 6 days' rows instead of 30. Counts add, so the
// difference is exact. At most two ranges in each list.
struct MonthSplit {
  CivilDay first_month = 1, last_month = 0;
  std::vector<std::pair<CivilDay, CivilDay>> days;
  std::vector<std::pair<CivilDay, CivilDay>> minus;
};
MonthSplit SplitByMonths(CivilDay from, CivilDay to);

// What an update must write: the facts that changed and the roll-up deltas (zero rows dropped).
struct FactChanges {
  std::vector<CaseFact> facts;
  RollupDeltas deltas;
};
FactChanges DiffFacts(const std::vector<CaseFact>& before, const std::vector<CaseFact>& after);

// --- figures ---

struct Rate {
  int64_t numerator = 0, denominator = 0;
  std::optional<double> value() const;  // none when nothing was counted
};

struct AssessmentWeights {  // composite score weights (data, not code); default as published for one county
  double response = 0.30, resolution = 0.35, satisfaction = 0.35;
};
Status ValidateWeights(const AssessmentWeights& w);

struct Figures {
  RollupCounts counts;
  Rate response, resolution, satisfaction, on_time, rework, returns;
  std::optional<double> average_handling_hours;
  int64_t late_acks = 0;  // 报到 late or missed (from the summons, not the roll-ups)
  std::optional<double> score;  // 0..100; weights of rates with nothing counted are spread over the others
};
Figures ComputeFigures(const RollupCounts& c, const AssessmentWeights& w);

// The ISO week a day falls in, as "2026-W48" (weeks start on Monday; week 1 holds 4 January).
std::string IsoWeekName(CivilDay day);

// A period given as YYYY, YYYY-Qn, YYYY-MM, YYYY-Www (ISO week) or YYYY-MM-DD: its first and last day.
Result<std::pair<CivilDay, CivilDay>> ParsePeriodName(std::string_view text);

}  // namespace gongzhi
