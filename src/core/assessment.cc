#include "core/assessment.h"

#include <cstdio>

namespace gongzhi {

RollupCounts& RollupCounts::operator+=(const RollupCounts& o) {
  for (const auto& f : kRollupFields) this->*f.member += o.*f.member;
  return *this;
}

RollupCounts& RollupCounts::operator-=(const RollupCounts& o) {
  for (const auto& f : kRollupFields) this->*f.member -= o.*f.member;
  return *this;
}

bool RollupCounts::IsZero() const { return *this == RollupCounts{}; }

void AddContribution(const CaseFact& f, int sign, RollupDeltas& out) {
  auto row = [&](InstantMs at) -> RollupCounts& {
    return out[RollupKey{LocalDay(at), f.unit_id, f.worker_id, f.region_code, f.category_code}];
  };
  auto add = [sign](int64_t& counter, int64_t v) { counter += sign * v; };
  if (!f.reopened) {  // response and return: by dispatch day
    auto& r = row(f.dispatched_at);
    add(r.dispatched, 1);
    add(r.responded_on_time, f.claimed_at && f.claimed_at <= f.response_due);
    add(r.returned, f.returned);
  }
  if (!f.returned && f.handling_due) {  // 按期办结: by the day the case is due
    auto& r = row(f.handling_due);
    add(r.due, 1);
    add(r.deferred, f.deferred);
    add(r.on_time, !f.deferred && f.resolved_at && f.resolved_at <= f.handling_due);
    add(r.overdue, f.overdue);
  }
  if (f.resolved_at) {  // rework and handling time: by resolution day
    auto& r = row(f.resolved_at);
    add(r.resolved, 1);
    add(r.reworked, f.reworks > 0);
    add(r.handling_minutes, f.handling_minutes);
  }
  if (f.rated_at) {  // ratings: by rating day
    auto& r = row(f.rated_at);
    add(r.rated, 1);
    add(r.solved, f.solved == 1);
    add(r.satisfied, f.satisfied == 1);
  }
}

RollupDeltas ByTownship(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine)
    out[RollupKey{k.day, k.unit_id, k.worker_id, k.region_code.substr(0, 9), ""}] += c;
  return out;
}

RollupDeltas TownshipTotals(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine) out[RollupKey{k.day, 0, 0, k.region_code.substr(0, 9), ""}] += c;
  return out;
}

RollupDeltas UnitTotals(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine)
    if (k.unit_id != 0) out[RollupKey{k.day, k.unit_id, 0, k.region_code.substr(0, 6), ""}] += c;
  return out;
}

RollupDeltas CountyCategoryTotals(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine) out[RollupKey{k.day, 0, 0, k.region_code.substr(0, 6), k.category_code}] += c;
  return out;
}

RollupDeltas ByMonth(const RollupDeltas& days) {
  RollupDeltas out;
  for (const auto& [k, c] : days) {
    RollupKey m = k;
    m.day = MonthStart(k.day);
    out[std::move(m)] += c;
  }
  return out;
}

RollupDeltas CommunityMonths(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine) out[RollupKey{MonthStart(k.day), 0, 0, k.region_code, ""}] += c;
  return out;
}

RollupDeltas CommunityCategoryMonths(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine) out[RollupKey{MonthStart(k.day), 0, 0, k.region_code, k.category_code}] += c;
  return out;
}

RollupDeltas WorkerMonths(const RollupDeltas& fine) {
  RollupDeltas out;
  for (const auto& [k, c] : fine)
    if (k.worker_id != 0) out[RollupKey{MonthStart(k.day), 0, k.worker_id, k.region_code.substr(0, 9), ""}] += c;
  return out;
}

CivilDay MonthStart(CivilDay day) {
  int y, m, d;
  YmdFromDay(day, y, m, d);
  return day - (d - 1);
}

MonthSplit SplitByMonths(CivilDay from, CivilDay to) {
  MonthSplit s;
  if (from > to) return s;
  // The months the period touches, [head, tail]; each is taken whole (a month of the table, less
  // the days outside the period when it is cut and they are the fewer) or as its days inside.
  const CivilDay head = MonthStart(from), tail = MonthStart(to);
  auto next_month = [](CivilDay m) { return MonthStart(m + 31); };
  struct Cut {
    bool whole;  // from the month table
    // Whole: its days outside the period, taken off. Else: its days inside, added.
    std::vector<std::pair<CivilDay, CivilDay>> ranges;
  };
  auto cut = [&](CivilDay m) {
    const CivilDay end = next_month(m) - 1;
    const CivilDay in_from = std::max(from, m), in_to = std::min(to, end);
    const CivilDay inside = in_to - in_from + 1, outside = (end - m + 1) - inside;
    Cut c{outside < inside, {}};
    if (!c.whole) {
      c.ranges.emplace_back(in_from, in_to);
    } else {
      if (in_from > m) c.ranges.emplace_back(m, in_from - 1);
      if (in_to < end) c.ranges.emplace_back(in_to + 1, end);
    }
    return c;
  };
  const Cut first = cut(head), last = head == tail ? first : cut(tail);
  // The months in between are whole; the head and the tail join them when taken whole.
  const CivilDay from_month = first.whole ? head : next_month(head);
  const CivilDay to_month = last.whole ? tail : MonthStart(tail - 1);
  if (from_month <= to_month && (head != tail || first.whole)) s.first_month = from_month, s.last_month = to_month;
  auto place = [&](const Cut& c) {
    for (const auto& range : c.ranges) (c.whole ? s.minus : s.days).push_back(range);
  };
  place(first);
  if (tail != head) place(last);
  return s;
}

FactChanges DiffFacts(const std::vector<CaseFact>& before, const std::vector<CaseFact>& after) {
  FactChanges out;
  for (size_t i = 0; i < after.size(); ++i) {
    const CaseFact* old = i < before.size() ? &before[i] : nullptr;
    if (old && *old == after[i]) continue;
    if (old) AddContribution(*old, -1, out.deltas);
    AddContribution(after[i], +1, out.deltas);
    out.facts.push_back(after[i]);
  }
  for (auto it = out.deltas.begin(); it != out.deltas.end();) it = it->second.IsZero() ? out.deltas.erase(it) : ++it;
  return out;
}

std::optional<double> Rate::value() const {
  if (denominator <= 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

Status ValidateWeights(const AssessmentWeights& w) {
  for (auto [v, name] : {std::pair{w.response, "response"}, {w.resolution, "resolution"}, {w.satisfaction, "satisfaction"}})
    if (!(v >= 0 && v <= 1)) return Status::Invalid(std::string("weights.") + name, "must be between 0 and 1");
  double sum = w.response + w.resolution + w.satisfaction;
  if (sum < 0.999 || sum > 1.001) return Status::Invalid("weights", "must add up to 1");
  return Status::Ok();
}

Figures ComputeFigures(const RollupCounts& c, const AssessmentWeights& w) {
  Figures f;
  f.counts = c;
  f.response = {c.responded_on_time, c.dispatched};
  f.resolution = {c.solved, c.rated};
  f.satisfaction = {c.satisfied, c.rated};
  f.on_time = {c.on_time, c.due - c.deferred};  // 按期结案数 / (应结案数 − 缓办数)
  f.rework = {c.reworked, c.resolved};
  f.returns = {c.returned, c.dispatched};
  if (c.resolved > 0) f.average_handling_hours = static_cast<double>(c.handling_minutes) / 60.0 / c.resolved;
  double sum = 0, weight = 0;
  for (auto [r, wt] : {std::pair{f.response, w.response}, {f.resolution, w.resolution}, {f.satisfaction, w.satisfaction}}) {
    if (auto v = r.value()) sum += *v * wt, weight += wt;
  }
  if (weight > 0) f.score = 100.0 * sum / weight;
  return f;
}

std::string IsoWeekName(CivilDay day) {
  // The week's Thursday decides its year.
  CivilDay thursday = day - Weekday(day) + 3;
  int y, m, d;
  YmdFromDay(thursday, y, m, d);
  int week = (thursday - DayFromYmd(y, 1, 1)) / 7 + 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", y, week);
  return buf;
}

Result<std::pair<CivilDay, CivilDay>> ParsePeriodName(std::string_view t) {
  auto num = [&](size_t pos, size_t len) -> int {
    if (pos + len > t.size()) return -1;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto bad = [&] {
    return Status::Invalid("period", "'" + std::string(t) + "' is not a period: use 2026, 2026-Q4, 2026-11, 2026-W48 or 2026-11-26");
  };
  int y = num(0, 4);
  if (y < 1970 || y > 9999) return bad();
  if (t.size() == 4) return std::pair{DayFromYmd(y, 1, 1), DayFromYmd(y, 12, 31)};
  if (t.size() < 6 || t[4] != '-') return bad();
  if (t.size() == 7 && t[5] == 'Q') {
    int q = num(6, 1);
    if (q < 1 || q > 4) return bad();
    CivilDay first = DayFromYmd(y, 3 * q - 2, 1);
    CivilDay next = q == 4 ? DayFromYmd(y + 1, 1, 1) : DayFromYmd(y, 3 * q + 1, 1);
    return std::pair{first, next - 1};
  }
  if (t.size() == 8 && t[5] == 'W') {
    int w = num(6, 2);
    // ISO week 1 contains 4 January; weeks start on Monday.
    CivilDay jan4 = DayFromYmd(y, 1, 4);
    CivilDay week1 = jan4 - Weekday(jan4);
    CivilDay next_week1 = DayFromYmd(y + 1, 1, 4) - Weekday(DayFromYmd(y + 1, 1, 4));
    int weeks = (next_week1 - week1) / 7;
    if (w < 1 || w > weeks) return bad();
    CivilDay first = week1 + 7 * (w - 1);
    return std::pair{first, first + 6};
  }
  if (t.size() == 7) {
    int m = num(5, 2);
    if (m < 1 || m > 12) return bad();
    CivilDay next = m == 12 ? DayFromYmd(y + 1, 1, 1) : DayFromYmd(y, m + 1, 1);
    return std::pair{DayFromYmd(y, m, 1), next - 1};
  }
  auto d = ParseDate(t);
  if (!d.ok()) return bad();
  return std::pair{*d, *d};
}

}  // namespace gongzhi
