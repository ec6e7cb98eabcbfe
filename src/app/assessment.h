// The fold from a case's events to its assessment facts (core/assessment.h). One fold serves both
// paths: CaseService applies it to the events it writes (the facts and roll-up deltas go into the
// same transaction as side writes) and `gongzhi rollup rebuild` replays every event through it.
#pragma once

#include <string>
#include <vector>

#include "app/case_store.h"
#include "app/store.h"
#include "core/assessment.h"

namespace gongzhi {

// The case-level context the fold carries between events (region, current category).
struct FoldContext {
  std::string region_code, category_code;
};

// Applies `events` (in order) of one case to its facts. Unknown actions are ignored.
void FoldEvents(int64_t case_id, FoldContext& ctx, std::vector<CaseFact>& facts, const std::vector<CaseEvent>& events);

// Who is assessed: "all", "unit:ID", "worker:ID" or "region:CODE" (the region and all below it).
Result<AssessmentScope> ParseSubject(std::string_view text, AssessmentScope scope);

// The counters a drill-down can list the cases of (RollupCounts field names).
const std::vector<std::string>& AssessmentMetrics();

struct RankRow {
  std::string key;   // unit or worker id, or region / category code
  std::string name;  // unit, worker or region name ("" for categories)
  Figures figures;
};

struct RebuildStats {
  int64_t cases = 0, events = 0, facts = 0;
  int64_t steps = 0;  // transactions that wrote them
};

class AssessmentService {
 public:
  AssessmentService(Store& store, const Clock& clock, AssessmentWeights weights = {})
      : store_(store), clock_(clock), weights_(weights) {}

  const AssessmentWeights& weights() const { return weights_; }
  Result<Figures> Assess(const AssessmentScope& scope);
  // Every group in the scope, best score first (groups without a score last, by key).
  Result<std::vector<RankRow>> Rank(RollupGroup group, const AssessmentScope& scope);
  // The facts (one per dispatch) behind `metric` in the scope: exactly those the figure counts.
  Result<std::vector<CaseFact>> DrillDown(const AssessmentScope& scope, const std::string& metric, int limit);
  // Recomputes every fact and roll-up from the case events, writing those of `cases_per_step`
  // cases at a time (memory stays bounded; other writes go on between the steps). Meanwhile the
  // rankings read a partial assessment; a rebuild that stops before its end is done again by
  // RebuildIfMissing.
  Result<RebuildStats> Rebuild(int64_t cases_per_step = 10'000);
  // Rebuild, when there are cases but no facts (a database from before the assessment tables) or
  // a rebuild did not finish. Three one-row look-ups otherwise: cheap enough for every start.
  Result<std::optional<RebuildStats>> RebuildIfMissing();

 private:
  Store& store_;
  const Clock& clock_;
  AssessmentWeights weights_;
};

}  // namespace gongzhi
