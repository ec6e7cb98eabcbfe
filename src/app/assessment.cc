#include "app/assessment.h"

#include <algorithm>

#include <boost/json.hpp>

namespace gongzhi {

namespace json = boost::json;

namespace {

int64_t IntOr(const json::object& o, std::string_view k, int64_t dflt = 0) {
  auto* v = o.if_contains(k);
  if (!v) return dflt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_bool()) return v->as_bool();
  return dflt;
}

std::string StrOr(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

void FoldEvents(int64_t case_id, FoldContext& ctx, std::vector<CaseFact>& facts, const std::vector<CaseEvent>& events) {
  for (const auto& e : events) {
    json::object p;
    if (!e.payload.empty()) {
      boost::system::error_code ec;
      auto v = json::parse(e.payload, ec);
      if (!ec && v.is_object()) p = std::move(v.as_object());
    }
    std::string category = StrOr(p, "category");
    if (e.action == "report") {
      ctx.region_code = StrOr(p, "region");
      ctx.category_code = category;
      continue;
    }
    if (!category.empty() && (e.action == "accept" || e.action == "dispatch")) ctx.category_code = category;
    // The open dispatch, if any: the last fact unless it was given back.
    CaseFact* open = facts.empty() || facts.back().returned ? nullptr : &facts.back();
    if (e.action == "dispatch") {
      CaseFact f;
      f.case_id = case_id;
      f.n = static_cast<int>(facts.size()) + 1;
      f.unit_id = IntOr(p, "unit");
      f.worker_id = IntOr(p, "worker");
      f.region_code = ctx.region_code;
      f.category_code = ctx.category_code;
      f.dispatched_at = e.at;
      f.response_due = IntOr(p, "response_due");
      f.handling_due = IntOr(p, "handling_due");
      facts.push_back(std::move(f));
    } else if (!open) {
      continue;
    } else if (e.action == "claim") {
      if (!open->claimed_at) open->claimed_at = e.at;
    } else if (e.action == "return") {
      open->returned = true;
    } else if (e.action == "approve_extension" || e.action == "park") {
      open->deferred = true;
    } else if (e.action == "resolve") {
      open->resolved_at = e.at;
      open->handling_minutes = IntOr(p, "working_minutes");
      if (open->handling_due && e.at > open->handling_due) open->overdue = true;
    } else if (e.action == "rework") {
      ++open->reworks;
      open->resolved_at = 0;
      open->handling_minutes = 0;
    } else if (e.action == "overdue") {
      if (StrOr(p, "deadline") == "handling") open->overdue = true;
    } else if (e.action == "rate") {
      open->rated_at = e.at;
      open->solved = IntOr(p, "solved") ? 1 : 0;
      std::string s = StrOr(p, "satisfaction");
      open->satisfied = s == "satisfied" || s == "basically_satisfied" ? 1 : 0;
      if (IntOr(p, "reopened")) {
        // Back to the same handler with a fresh handling limit: a new obligation, not a new dispatch.
        CaseFact f;
        f.case_id = case_id;
        f.n = static_cast<int>(facts.size()) + 1;
        f.unit_id = open->unit_id;
        f.worker_id = open->worker_id;
        f.region_code = open->region_code;
        f.category_code = open->category_code;
        f.reopened = true;
        f.dispatched_at = f.claimed_at = e.at;
        f.handling_due = IntOr(p, "handling_due");
        facts.push_back(std::move(f));
      }
    }
  }
}

Result<AssessmentScope> ParseSubject(std::string_view t, AssessmentScope scope) {
  auto id = [&](std::string_view rest) -> Result<int64_t> {
    int64_t v = 0;
    for (char ch : rest) {
      if (ch < '0' || ch > '9' || v > 1'000'000'000'000) return Status::Invalid("subject", "expected a number after ':'");
      v = v * 10 + (ch - '0');
    }
    if (rest.empty() || v == 0) return Status::Invalid("subject", "expected a number after ':'");
    return v;
  };
  if (t.empty() || t == "all") return scope;
  if (t.starts_with("unit:")) {
    GZ_ASSIGN_OR_RETURN(scope.unit_id, id(t.substr(5)));
  } else if (t.starts_with("worker:")) {
    GZ_ASSIGN_OR_RETURN(scope.worker_id, id(t.substr(7)));
  } else if (t.starts_with("region:") && t.size() > 7) {
    for (char ch : t.substr(7))
      if (ch < '0' || ch > '9') return Status::Invalid("subject", "a region code has digits only");
    scope.region_prefix = std::string(t.substr(7));
  } else {
    return Status::Invalid("subject", "use all, unit:ID, worker:ID or region:CODE");
  }
  return scope;
}

const std::vector<std::string>& AssessmentMetrics() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& f : kRollupFields)
      if (f.counts_dispatches) v.emplace_back(f.name);
    return v;
  }();
  return names;
}

Result<Figures> AssessmentService::Assess(const AssessmentScope& scope) {
  GZ_ASSIGN_OR_RETURN(auto rows, store_.cases().SumRollups(scope, RollupGroup::kNone));
  Figures f = ComputeFigures(rows.empty() ? RollupCounts{} : rows[0].second, weights_);
  GZ_ASSIGN_OR_RETURN(auto late, store_.cases().CountLateAcks(scope, clock_.Now(), false));
  if (!late.empty()) f.late_acks = late[0].second;
  return f;
}

Result<std::vector<RankRow>> AssessmentService::Rank(RollupGroup group, const AssessmentScope& scope) {
  GZ_ASSIGN_OR_RETURN(auto rows, store_.cases().SumRollups(scope, group));
  std::map<std::string, int64_t> late;
  if (group == RollupGroup::kUnit) {
    GZ_ASSIGN_OR_RETURN(auto l, store_.cases().CountLateAcks(scope, clock_.Now(), true));
    late.insert(l.begin(), l.end());
  }
  // Names in one look-up (a city's communities or workers are thousands: one query each took
  // longer than the sums).
  std::unordered_map<std::string, std::string> names;
  std::optional<Store::NameKind> kind;
  if (group == RollupGroup::kUnit) kind = Store::NameKind::kUnit;
  if (group == RollupGroup::kWorker) kind = Store::NameKind::kWorker;
  if (group == RollupGroup::kCounty || group == RollupGroup::kTownship || group == RollupGroup::kCommunity)
    kind = Store::NameKind::kRegion;
  if (group == RollupGroup::kCategory) kind = Store::NameKind::kCategory;
  if (kind) {
    std::vector<std::string> keys;
    keys.reserve(rows.size());
    for (const auto& row : rows) keys.push_back(row.first);
    GZ_ASSIGN_OR_RETURN(names, store_.NamesOf(*kind, keys));
  }
  std::vector<RankRow> out;
  out.reserve(rows.size());
  for (auto& [key, counts] : rows) {
    RankRow r{key, "", ComputeFigures(counts, weights_)};
    if (auto it = late.find(key); it != late.end()) r.figures.late_acks = it->second;
    if (auto it = names.find(key); it != names.end()) r.name = std::move(it->second);
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const RankRow& a, const RankRow& b) {
    if (a.figures.score.has_value() != b.figures.score.has_value()) return a.figures.score.has_value();
    return a.figures.score.value_or(0) > b.figures.score.value_or(0);
  });
  return out;
}

Result<std::vector<CaseFact>> AssessmentService::DrillDown(const AssessmentScope& scope, const std::string& metric,
                                                           int limit) {
  const RollupField* m = nullptr;
  for (const auto& f : kRollupFields)
    if (f.counts_dispatches && metric == f.name) m = &f;
  if (!m) {
    std::string all;
    for (const auto& name : AssessmentMetrics()) all += (all.empty() ? "" : ", ") + name;
    return Status::Invalid("metric", "must be one of " + all);
  }
  // The same contribution the roll-ups summed, restricted to the period's days: no second
  // definition of any figure that could drift from the first.
  std::vector<CaseFact> out;
  std::pair<int64_t, int> after{0, 0};
  for (;;) {  // page by page, so memory stays flat over long histories
    constexpr int kPage = 5000;
    GZ_ASSIGN_OR_RETURN(auto facts, store_.cases().FactsIn(scope, kPage, after));
    for (auto& f : facts) {
      RollupDeltas d;
      AddContribution(f, +1, d);
      int64_t n = 0;
      for (const auto& [k, c] : d)
        if (k.day >= scope.from && k.day <= scope.to) n += c.*(m->member);
      if (n > 0) out.push_back(f);
      if (static_cast<int>(out.size()) >= limit) return out;
    }
    if (static_cast<int>(facts.size()) < kPage) return out;
    after = {facts.back().case_id, facts.back().n};
  }
}

Result<std::optional<RebuildStats>> AssessmentService::RebuildIfMissing() {
  GZ_ASSIGN_OR_RETURN(const bool interrupted, store_.cases().AssessmentRebuildUnderWay());
  if (!interrupted) {
    GZ_ASSIGN_OR_RETURN(auto any_case, store_.cases().ListCases({.limit = 1}));
    GZ_ASSIGN_OR_RETURN(auto any_fact, store_.cases().FactsIn({0, 1 << 30}, 1));
    if (any_case.empty() || !any_fact.empty()) return std::optional<RebuildStats>();
  }
  GZ_ASSIGN_OR_RETURN(auto st, Rebuild());
  return std::optional<RebuildStats>(st);
}

Result<RebuildStats> AssessmentService::Rebuild(int64_t cases_per_step) {
  RebuildStats st;
  GZ_RETURN_IF_ERROR(store_.cases().ClearAssessment());
  // The facts and roll-up deltas of `cases_per_step` cases at a time: the whole history's were
  // ~1.2 KB a case in memory (118 MB for 100k cases, the roll-up deltas most of it).
  std::vector<CaseFact> step;
  RollupDeltas rollups;
  int64_t in_step = 0;
  auto write = [&]() -> Status {
    std::erase_if(rollups, [](const auto& kv) { return kv.second.IsZero(); });
    GZ_RETURN_IF_ERROR(store_.cases().AddAssessment(step, rollups));
    st.facts += static_cast<int64_t>(step.size());
    ++st.steps;
    step.clear();
    rollups.clear();
    in_step = 0;
    return Status::Ok();
  };
  int64_t current = 0;
  FoldContext ctx;
  std::vector<CaseFact> facts;
  std::vector<CaseEvent> one(1);
  auto flush = [&] {
    for (auto& f : facts) {
      AddContribution(f, +1, rollups);
      step.push_back(std::move(f));
    }
    facts.clear();
  };
  Status failed = Status::Ok();
  GZ_RETURN_IF_ERROR(store_.cases().ForEachEvent([&](const CaseEvent& e, const std::string&) {
    if (e.case_id != current) {
      flush();
      if (in_step >= cases_per_step) {
        failed = write();
        if (!failed.ok()) return false;
      }
      current = e.case_id;
      ctx = {};
      ++st.cases;
      ++in_step;
    }
    one[0] = e;
    FoldEvents(e.case_id, ctx, facts, one);
    ++st.events;
    return true;
  }));
  GZ_RETURN_IF_ERROR(failed);
  flush();
  if (in_step > 0) GZ_RETURN_IF_ERROR(write());
  GZ_RETURN_IF_ERROR(store_.cases().FinishAssessment());
  return st;
}

}  // namespace gongzhi
