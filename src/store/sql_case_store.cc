#include "store/sql_case_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "app/personal_data.h"
#include "app/tracking_code.h"

namespace gongzhi {
namespace {

using sql::Value;

constexpr const char* kCaseCols =
    "id, tracking_code, version, state, extension_pending, reopened, category_code, description, lng, lat, "
    "grid_code, region_code, township_code, channel, reporter_name, reporter_phone, suggested_unit_id, route_reason, "
    "unit_id, worker_id, merged_into, created_at, updated_at, dispatched_at, claimed_at, resolved_at, verified_at, "
    "closed_at, timers_through, "
    "response_warn, response_due, handling_warn, handling_due, return_count, rework_count, rating_solved, "
    "rating_satisfaction, review_at";

Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(std::monostate{}); }
Value OptD(const std::optional<double>& v) { return v ? Value(*v) : Value(std::monostate{}); }

std::optional<int64_t> OptInt(const sql::Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<int64_t>(r.Int(i));
}

// Contact fields as stored: sealed when the store has a cipher (always, in the server).
std::string OpenContact(const ContactCipher* cipher, std::string stored) {
  if (!cipher || !ContactCipher::IsSealed(stored)) return stored;
  auto plain = cipher->Open(stored);
  return plain.ok() ? std::move(*plain) : std::string("(unreadable)");  // the key is checked at start
}

// The tracking column holds "~" and the id in 16 hex digits for cases whose code is derived from
// the id (every case the platform creates): unique, and in id order, so an insert appends to the
// column's index instead of writing a random leaf of it. Codes given with the record (rows written
// before derived codes, some tests) are stored as they are; "~" is outside the code alphabet.
std::string StoredTracking(int64_t id) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "~%016llx", static_cast<unsigned long long>(id));
  return buf;
}

std::string PublicTracking(int64_t id, std::string stored, const TrackingCodec& codec) {
  return stored.starts_with('~') ? codec.Encode(id) : std::move(stored);
}

CaseRecord CaseFromRow(const sql::Row& r, const ContactCipher* cipher, const TrackingCodec& codec) {
  CaseRecord c;
  size_t i = 0;
  c.id = r.Int(i++);
  c.tracking_code = PublicTracking(c.id, r.Text(i++), codec);
  c.version = r.Int(i++);
  c.facts.state = ParseCaseState(r.Text(i++)).value_or(CaseState::kReported);
  c.facts.extension_pending = r.Int(i++) != 0;
  c.facts.reopened = r.Int(i++) != 0;
  c.category_code = r.Text(i++);
  c.description = r.Text(i++);
  if (!r.IsNull(i)) c.lng = r.Real(i);
  ++i;
  if (!r.IsNull(i)) c.lat = r.Real(i);
  ++i;
  c.grid_code = r.Text(i++);
  c.region_code = r.Text(i++);
  c.township_code = r.Text(i++);
  c.channel = ParseChannel(r.Text(i++)).value_or(Channel::kApi);
  c.reporter_name = OpenContact(cipher, r.Text(i++));
  c.reporter_phone = OpenContact(cipher, r.Text(i++));
  c.suggested_unit_id = OptInt(r, i++);
  c.route_reason = r.Text(i++);
  c.unit_id = OptInt(r, i++);
  c.worker_id = OptInt(r, i++);
  c.merged_into = OptInt(r, i++);
  c.created_at = r.Int(i++);
  c.updated_at = r.Int(i++);
  c.dispatched_at = r.Int(i++);
  c.claimed_at = r.Int(i++);
  c.resolved_at = r.Int(i++);
  c.verified_at = r.Int(i++);
  c.closed_at = r.Int(i++);
  c.timers_through = r.Int(i++);
  c.deadlines.response_warn = r.Int(i++);
  c.deadlines.response_due = r.Int(i++);
  c.deadlines.handling_warn = r.Int(i++);
  c.deadlines.handling_due = r.Int(i++);
  c.return_count = static_cast<int>(r.Int(i++));
  c.rework_count = static_cast<int>(r.Int(i++));
  if (!r.IsNull(i)) c.rating_solved = r.Int(i) != 0;
  ++i;
  if (!r.IsNull(i)) c.rating_satisfaction = ParseSatisfaction(r.Text(i));
  ++i;
  c.review_at = r.Int(i);
  return c;
}

// Appends the values of every column after id and tracking_code (which never change), in kCaseCols
// order, to `out` (built in place: an intake's row is the writer's largest).
void AppendCaseValues(const CaseRecord& c, const ContactCipher* cipher, std::vector<Value>& out) {
  out.emplace_back(c.version);
  out.emplace_back(std::string(CaseStateName(c.facts.state)));
  out.emplace_back(int64_t{c.facts.extension_pending});
  out.emplace_back(int64_t{c.facts.reopened});
  out.emplace_back(c.category_code);
  out.emplace_back(c.description);
  out.emplace_back(OptD(c.lng));
  out.emplace_back(OptD(c.lat));
  out.emplace_back(c.grid_code);
  out.emplace_back(c.region_code);
  out.emplace_back(c.township_code);
  out.emplace_back(std::string(ChannelName(c.channel)));
  out.emplace_back(cipher ? cipher->Seal(c.reporter_name) : c.reporter_name);
  out.emplace_back(cipher ? cipher->Seal(c.reporter_phone) : c.reporter_phone);
  out.emplace_back(Opt(c.suggested_unit_id));
  out.emplace_back(c.route_reason);
  out.emplace_back(Opt(c.unit_id));
  out.emplace_back(Opt(c.worker_id));
  out.emplace_back(Opt(c.merged_into));
  out.emplace_back(c.created_at);
  out.emplace_back(c.updated_at);
  out.emplace_back(c.dispatched_at);
  out.emplace_back(c.claimed_at);
  out.emplace_back(c.resolved_at);
  out.emplace_back(c.verified_at);
  out.emplace_back(c.closed_at);
  out.emplace_back(c.timers_through);
  out.emplace_back(c.deadlines.response_warn);
  out.emplace_back(c.deadlines.response_due);
  out.emplace_back(c.deadlines.handling_warn);
  out.emplace_back(c.deadlines.handling_due);
  out.emplace_back(int64_t{c.return_count});
  out.emplace_back(int64_t{c.rework_count});
  out.emplace_back(c.rating_solved ? Value(int64_t{*c.rating_solved}) : Value(std::monostate{}));
  out.emplace_back(c.rating_satisfaction ? Value(std::string(SatisfactionName(*c.rating_satisfaction)))
                                         : Value(std::monostate{}));
  out.emplace_back(c.review_at);
}

CaseEvent EventFromRow(const sql::Row& r) {
  return CaseEvent{r.Int(0),  r.Int(1),  r.Int(2),  r.Text(3), r.Text(4),
                   r.Text(5), r.Text(6), r.Text(7), r.Text(8), r.Text(9)};
}

constexpr const char* kEventCols = "case_id, seq, at, actor, action, from_state, to_state, payload, prev_hash, hash";

// Assigns seq, prev_hash and hash to `events` following the case's chain, whose tail is
// (last_seq, last_hash); returns the new tail through the same two variables.
void ChainEvents(int64_t case_id, int64_t& last_seq, std::string& last_hash, std::vector<CaseEvent>& events,
                 const EventHasher& hasher) {
  for (auto& e : events) {
    e.case_id = case_id;
    e.seq = ++last_seq;
    e.prev_hash = last_hash;
    e.hash = hasher(e);
    last_hash = e.hash;
  }
}

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

// The heads of the INSERTs of events and of their live-feed entries, before the rows' placeholders.
const std::string& EventInsert() {
  static const std::string q = std::string("INSERT INTO case_events (") + kEventCols + ") VALUES ";
  return q;
}
constexpr const char* kFeedInsert =
    "INSERT INTO feed (case_id, seq, at, action, from_state, to_state, region_code, category_code, unit_id, worker_id, "
    "units) VALUES ";
std::vector<Value> EventValues(const CaseEvent& e) {
  return {e.case_id, e.seq, e.at, e.actor, e.action, e.from_state, e.to_state, e.payload, e.prev_hash, e.hash};
}
std::vector<Value> FeedValues(const CaseRecord& rec, const CaseEvent& e) {
  return {e.case_id,        e.seq,           e.at,           e.action,          e.from_state,   e.to_state,
          rec.region_code, rec.category_code, Opt(rec.unit_id), Opt(rec.worker_id), JoinIds(e.units)};
}

// "(?, ?, ?)": placeholders for one row of `n` values.
std::string Placeholders(size_t n) {
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out + ")";
}

// Appends the events and (with `feed`) their live-feed entries; `rec` is the case as it stands
// after them.
Status InsertEvents(sql::Connection& c, const CaseRecord& rec, const std::vector<CaseEvent>& events, bool feed = true) {
  static const std::string event_insert = EventInsert() + Placeholders(10);
  static const std::string feed_insert = kFeedInsert + Placeholders(11);
  for (const auto& e : events) {
    GZ_RETURN_IF_ERROR(c.Exec(event_insert, EventValues(e)).status());
    if (feed) GZ_RETURN_IF_ERROR(c.Exec(feed_insert, FeedValues(rec, e)).status());
  }
  return Status::Ok();
}

// On PostgreSQL, where each statement is a round trip: one INSERT of the case row (`case_insert`
// with `case_values`), its events and their feed entries, the later ones as data-modifying CTEs.
// A `select` (with `select_params`) runs in the same statement after them and its rows are the
// statement's; it sees the database as it was before the statement (the new rows are not in it).
sql::Statement InsertCaseWithEventsPg(const std::string& case_insert, std::vector<Value> case_values,
                                      const CaseRecord& rec, const std::vector<CaseEvent>& events, bool feed,
                                      const std::string& select, std::vector<Value> select_params) {
  std::vector<std::string> parts{case_insert};
  std::vector<Value> p = std::move(case_values);
  auto rows = [&](std::string head, size_t width, auto values_of) {
    for (size_t i = 0; i < events.size(); ++i) {
      head += (i ? ", " : "") + Placeholders(width);
      for (auto& v : values_of(events[i])) p.push_back(std::move(v));
    }
    parts.push_back(std::move(head));
  };
  if (!events.empty()) {
    rows(EventInsert(), 10, EventValues);
    if (feed) rows(kFeedInsert, 11, [&](const CaseEvent& e) { return FeedValues(rec, e); });
  }
  if (!select.empty()) {
    parts.push_back(select);
    for (auto& v : select_params) p.push_back(std::move(v));
  }
  // The statements before the last become "WITH w0 AS (...), w1 AS (...)"; the last is the body.
  std::string q;
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    q += (i ? ", w" : "WITH w") + std::to_string(i) + " AS (" + parts[i] + ") ";
  q += parts.back();
  return {std::move(q), std::move(p)};
}

constexpr const char* kFactCols =
    "case_id, n, unit_id, worker_id, region_code, category_code, reopened, dispatched_at, response_due, handling_due, "
    "claimed_at, resolved_at, rated_at, returned, deferred, overdue, reworks, handling_minutes, solved, satisfied";
// The counters of kRollupFields in order, comma-separated, each as `before` + name + `after`.
std::string RollupFieldList(const char* before, const char* after) {
  std::string out;
  for (const auto& f : kRollupFields) out += std::string(out.empty() ? "" : ", ") + before + f.name + after;
  return out;
}
// "dispatched, responded_on_time, ...": the counters as they are.
const std::string& RollupColumns() {
  static const std::string q = RollupFieldList("", "");
  return q;
}
// "SUM(dispatched), SUM(responded_on_time), ...": the counters summed.
const std::string& RollupSums() {
  static const std::string q = RollupFieldList("SUM(", ")");
  return q;
}

int64_t DayOf(InstantMs t) { return t ? LocalDay(t) : 0; }

Status UpsertFacts(sql::Connection& c, const std::vector<CaseFact>& facts) {
  for (const auto& f : facts) {
    GZ_RETURN_IF_ERROR(
        c.Exec(std::string("INSERT INTO case_facts (") + kFactCols +
                   ", dispatch_day, due_day, resolve_day, rated_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, n) DO UPDATE SET claimed_at = excluded.claimed_at, "
                   "resolved_at = excluded.resolved_at, rated_at = excluded.rated_at, returned = excluded.returned, "
                   "deferred = excluded.deferred, overdue = excluded.overdue, reworks = excluded.reworks, handling_minutes "
                   "= excluded.handling_minutes, solved = excluded.solved, satisfied = excluded.satisfied, resolve_day = "
                   "excluded.resolve_day, rated_day = excluded.rated_day",
               {f.case_id, int64_t{f.n}, f.unit_id, f.worker_id, f.region_code, f.category_code, int64_t{f.reopened},
                f.dispatched_at, f.response_due, f.handling_due, f.claimed_at, f.resolved_at, f.rated_at,
                int64_t{f.returned}, int64_t{f.deferred}, int64_t{f.overdue}, int64_t{f.reworks}, f.handling_minutes,
                int64_t{f.solved}, int64_t{f.satisfied}, DayOf(f.dispatched_at), DayOf(f.handling_due),
                DayOf(f.resolved_at), DayOf(f.rated_at)})
            .status());
  }
  return Status::Ok();
}

std::vector<Value> RollupValues(const RollupKey& k, const RollupCounts& r) {
  std::vector<Value> v{int64_t{k.day}, k.unit_id, k.worker_id, k.region_code, k.category_code};
  for (const auto& f : kRollupFields) v.push_back(r.*f.member);
  return v;
}

std::string RollupInsert(const char* table) {
  std::string marks = "?, ?, ?, ?, ?";
  for (size_t i = 0; i < std::size(kRollupFields); ++i) marks += ", ?";
  return std::string("INSERT INTO ") + table + " (day, unit_id, worker_id, region_code, category_code, " +
         RollupColumns() + ") VALUES (" + marks + ")";
}

Status AddRollupsTo(sql::Connection& c, const char* table, const RollupDeltas& deltas) {
  std::string q = RollupInsert(table) + " ON CONFLICT (day, unit_id, worker_id, region_code, category_code) DO UPDATE SET ";
  bool first = true;
  for (const auto& f : kRollupFields) {
    q += std::string(first ? "" : ", ") + f.name + " = " + table + "." + f.name + " + excluded." + f.name;
    first = false;
  }
  for (const auto& [k, r] : deltas) {
    // A coarser level can net a change to nothing (a due day moved within its month): no write.
    if (r.IsZero()) continue;
    GZ_RETURN_IF_ERROR(c.Exec(q, RollupValues(k, r)).status());
  }
  return Status::Ok();
}

// The roll-up tables and how the fine deltas fold into each: per community × category (as they
// are), per township with units and workers, per township all together, per unit and county, per
// county and category, and per month: by community, by grid worker and township, and each of the
// township, unit and category sums, and by community and category.
struct RollupLevel {
  const char* table;
  RollupDeltas (*fold)(const RollupDeltas&);  // null: the deltas as they are
  int months_of = -1;  // when set: the deltas of that (earlier) level, by month; `fold` is unused
};
constexpr RollupLevel kRollupLevels[] = {
    {"rollups", nullptr},
    {"rollups_township", ByTownship},
    {"rollups_township_sum", TownshipTotals},
    {"rollups_unit_sum", UnitTotals},
    {"rollups_category_sum", CountyCategoryTotals},
    {"rollups_community_month", CommunityMonths},
    {"rollups_worker_month", WorkerMonths},
    {"rollups_township_sum_month", nullptr, 2},
    {"rollups_unit_sum_month", nullptr, 3},
    {"rollups_category_sum_month", nullptr, 4},
    {"rollups_community_category_month", CommunityCategoryMonths}};

// Calls fn(table, deltas of that level) for every roll-up table. Each level is folded once: the
// month sums fold the day sums already folded.
Status ForEachRollupLevel(const RollupDeltas& fine,
                          const std::function<Status(const char*, const RollupDeltas&)>& fn) {
  std::array<RollupDeltas, std::size(kRollupLevels)> folded;
  auto deltas_of = [&](size_t i) -> const RollupDeltas& {
    return kRollupLevels[i].fold || kRollupLevels[i].months_of >= 0 ? folded[i] : fine;
  };
  for (size_t i = 0; i < std::size(kRollupLevels); ++i) {
    const RollupLevel& level = kRollupLevels[i];
    if (level.months_of >= 0) folded[i] = ByMonth(deltas_of(static_cast<size_t>(level.months_of)));
    else if (level.fold) folded[i] = level.fold(fine);
    GZ_RETURN_IF_ERROR(fn(level.table, deltas_of(i)));
  }
  return Status::Ok();
}

// Adds the deltas to every roll-up table.
Status AddRollups(sql::Connection& c, const RollupDeltas& deltas) {
  return ForEachRollupLevel(deltas, [&c](const char* table, const RollupDeltas& d) { return AddRollupsTo(c, table, d); });
}

CaseFact FactFromRow(const sql::Row& r) {
  CaseFact f;
  f.case_id = r.Int(0);
  f.n = static_cast<int>(r.Int(1));
  f.unit_id = r.Int(2);
  f.worker_id = r.Int(3);
  f.region_code = r.Text(4);
  f.category_code = r.Text(5);
  f.reopened = r.Int(6) != 0;
  f.dispatched_at = r.Int(7);
  f.response_due = r.Int(8);
  f.handling_due = r.Int(9);
  f.claimed_at = r.Int(10);
  f.resolved_at = r.Int(11);
  f.rated_at = r.Int(12);
  f.returned = r.Int(13) != 0;
  f.deferred = r.Int(14) != 0;
  f.overdue = r.Int(15) != 0;
  f.reworks = static_cast<int>(r.Int(16));
  f.handling_minutes = r.Int(17);
  f.solved = static_cast<int>(r.Int(18));
  f.satisfied = static_cast<int>(r.Int(19));
  return f;
}

// The WHERE clause of an assessment scope's filters (not its days), with its parameters.
std::string ScopeFilter(const AssessmentScope& s, std::vector<Value>& p) {
  std::string q;
  if (s.unit_id) q += " AND unit_id = ?", p.push_back(*s.unit_id);
  if (s.worker_id) q += " AND worker_id = ?", p.push_back(*s.worker_id);
  if (!s.region_prefix.empty())
    q += " AND region_code >= ? AND region_code < ?", p.push_back(s.region_prefix), p.push_back(s.region_prefix + ":");
  if (!s.category_prefix.empty())
    q += " AND category_code >= ? AND category_code < ?", p.push_back(s.category_prefix),
        p.push_back(s.category_prefix + "\x7f");
  return q;
}

Status BumpConfig(sql::Connection& c) {
  return c.Exec("UPDATE meta SET value = value + 1 WHERE key = 'config_version'").status();
}

// " AND" a case overdue at the instant bound twice: claimed or resolved neither in time nor yet.
// Comparisons, not NOT IN (...): SQLite builds a temporary table for an IN list on every run.
constexpr const char* kOpenOnly = " AND state <> 'rejected' AND state <> 'merged' AND state <> 'closed'";

constexpr const char* kOverdueAt =
    " AND ((claimed_at = 0 AND response_due > 0 AND response_due <= ? AND state = 'dispatched') OR "
    "(resolved_at = 0 AND handling_due > 0 AND handling_due <= ? AND state IN ('dispatched', 'handling')))";

class SqlCaseStore : public CaseStore {
 public:
  SqlCaseStore(sql::Pool& pool, sql::Pool::Factory writer, std::shared_ptr<const ContactCipher> cipher,
               const TrackingKey& tracking_key, bool sole_writer)
      : pool_(pool),
        cipher_holder_(std::move(cipher)),
        cipher_(cipher_holder_.get()),
        codec_(tracking_key),
        writes_(writer) {
    if (sole_writer) {
      nearby_ = std::make_unique<NearbyCache>();
      // A batch that failed to commit may have been mirrored in the index: read it again.
      writes_.OnDiscard([this] {
        std::lock_guard lock(nearby_->mu);
        nearby_->loaded = false;
      });
    } else {
      // Intakes only insert rows of their own, so on PostgreSQL they commit on connections of their
      // own, side by side: one connection's round trips left the database and this process idle
      // half the time (2 measured best on 2 cores: bench/RESULTS.md). Other case writes stay on
      // `writes_`, in one order.
      for (int i = 0; i < kPgIntakeWriters; ++i) intake_writes_.push_back(std::make_unique<sql::WriteQueue>(writer));
    }
  }

  Status UpsertCategories(const std::vector<Category>& cs) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      for (const auto& x : cs) {
        GZ_ASSIGN_OR_RETURN(
            auto r, c.Exec("INSERT INTO categories (code, name, parent_code, urgency, response_minutes, handling_minutes, "
                           "active) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                           "parent_code = excluded.parent_code, urgency = excluded.urgency, response_minutes = "
                           "excluded.response_minutes, handling_minutes = excluded.handling_minutes, active = excluded.active",
                           {x.code, x.name, x.parent_code, std::string(UrgencyName(x.urgency)), x.response_minutes,
                            x.handling_minutes, int64_t{x.active}}));
      }
      return BumpConfig(c);
    });
  }

  Result<std::vector<Category>> ListCategories() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT code, name, parent_code, urgency, response_minutes, handling_minutes, "
                                     "active FROM categories ORDER BY code",
                                     {}));
    std::vector<Category> out;
    for (const auto& row : r.rows)
      out.push_back(Category{row.Text(0), row.Text(1), row.Text(2), ParseUrgency(row.Text(3)).value_or(Urgency::kNormal),
                             row.Int(4), row.Int(5), row.Int(6) != 0});
    return out;
  }

  Result<ResponsibilityRule> InsertRule(const ResponsibilityRule& rule) override {
    ResponsibilityRule out = rule;
    Status s = writes_.Run([&](sql::Connection& c) -> Status {
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec("INSERT INTO responsibility_rules (category_code, region_code, unit_id) "
                                         "VALUES (?, ?, ?) RETURNING id",
                                         {rule.category_code, rule.region_code, rule.unit_id}));
      out.id = r.rows.at(0).Int(0);
      return BumpConfig(c);
    });
    if (s.code() == ErrorCode::kConflict)
      return Status::Conflict("a rule for category " + rule.category_code + " in region " + rule.region_code +
                                  " already exists",
                              "region_code");
    GZ_RETURN_IF_ERROR(s);
    return out;
  }

  Status DeleteRule(int64_t id) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec("DELETE FROM responsibility_rules WHERE id = ?", {id}));
      if (!r.affected) return Status::NotFound("no responsibility rule with id " + std::to_string(id));
      return BumpConfig(c);
    });
  }

  Result<std::vector<ResponsibilityRule>> ListRules() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT id, category_code, region_code, unit_id FROM responsibility_rules ORDER BY id", {}));
    std::vector<ResponsibilityRule> out;
    for (const auto& row : r.rows) out.push_back({row.Int(0), row.Text(1), row.Text(2), row.Int(3)});
    return out;
  }

  Status SetAdmission(const std::vector<std::string>& codes) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      GZ_RETURN_IF_ERROR(c.Exec("DELETE FROM grid_admission").status());
      for (const auto& code : codes)
        GZ_RETURN_IF_ERROR(c.Exec("INSERT INTO grid_admission (category_code) VALUES (?) ON CONFLICT DO NOTHING", {code}).status());
      return BumpConfig(c);
    });
  }

  Result<std::vector<std::string>> ListAdmission() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT category_code FROM grid_admission ORDER BY category_code", {}));
    std::vector<std::string> out;
    for (const auto& row : r.rows) out.push_back(row.Text(0));
    return out;
  }

  Status UpsertCalendarDays(const std::vector<CalendarDay>& days) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      for (const auto& d : days)
        GZ_RETURN_IF_ERROR(c.Exec("INSERT INTO calendar_days (day, kind, holiday) VALUES (?, ?, ?) ON CONFLICT (day) DO "
                                  "UPDATE SET kind = excluded.kind, holiday = excluded.holiday",
                                  {d.day, d.kind, d.holiday})
                               .status());
      return BumpConfig(c);
    });
  }

  Result<std::vector<CalendarDay>> ListCalendarDays() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT day, kind, holiday FROM calendar_days ORDER BY day", {}));
    std::vector<CalendarDay> out;
    for (const auto& row : r.rows) out.push_back({row.Text(0), row.Text(1), row.Text(2)});
    return out;
  }

  Result<int64_t> ConfigVersion() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT value FROM meta WHERE key = 'config_version'", {}));
    return r.rows.empty() ? int64_t{0} : r.rows[0].Int(0);
  }

  void InsertCaseAsync(CaseRecord c_in, CaseEvent first_in, EventHasher hasher, std::optional<InstantMs> next_due,
                       std::shared_ptr<Lookup> lookup, InsertDone done) override {
    // The job outlives this call: it owns what it writes.
    auto rec = std::make_shared<CaseRecord>(std::move(c_in));
    auto first = std::make_shared<CaseEvent>(std::move(first_in));
    auto id = std::make_shared<int64_t>(0);
    auto answer = [this, id, rec, done = std::move(done)](Status s) {
      if (!s.ok()) return done(std::move(s));
      done(Inserted{*id, rec->tracking_code.empty() ? codec_.Encode(*id) : rec->tracking_code});
    };
    if (intake_writes_.empty()) {  // SQLite: the one writer, its duplicate index in memory
      writes_.Submit(
          [this, rec, first, hasher = std::move(hasher), next_due, lookup, id](sql::Connection& c) -> Status {
            if (lookup) {  // as the index was before this case
              GZ_ASSIGN_OR_RETURN(lookup->found, FindNearbyOn(c, lookup->query, true));
            }
            std::vector<CaseEvent> evs{*first};  // a copy: the job may run again (WriteQueue::Submit)
            GZ_ASSIGN_OR_RETURN(*id, InsertCaseRow(c, *rec, evs, hasher, next_due, true));
            NoteCase(*id, *rec);
            return Status::Ok();
          },
          std::move(answer));
      return;
    }
    // PostgreSQL: one statement per intake (the case, its event, its feed entry and the duplicate
    // look-up), so a batch of them goes to the database in one round trip (WriteQueue::Pipelined).
    sql::WriteQueue::Pipelined job;
    job.prepare = [this, rec, first, hasher = std::move(hasher), next_due, lookup,
                   id](sql::Connection& c) -> Result<sql::Statement> {
      std::vector<CaseEvent> evs{*first};  // a copy: the job may be prepared again
      GZ_ASSIGN_OR_RETURN(auto st, InsertCaseStatementPg(c, *rec, evs, hasher, next_due, true, lookup.get()));
      *id = st.first;
      return std::move(st.second);
    };
    job.finish = [lookup](sql::ExecResult r) {
      if (lookup) lookup->found = NearbyFromRows(lookup->query, r.rows);
      return Status::Ok();
    };
    // To the writer with the fewest intakes unanswered: when one connection's batch is slow, the
    // reports that follow go to the other instead of queueing behind it (round-robin, they did).
    const size_t n = intake_writes_.size(), first_choice = next_intake_++ % n;
    sql::WriteQueue* to = intake_writes_[first_choice].get();
    for (size_t i = 1; i < n; ++i) {
      sql::WriteQueue* other = intake_writes_[(first_choice + i) % n].get();
      if (other->backlog() < to->backlog()) to = other;
    }
    to->SubmitPipelined(std::move(job), std::move(answer));
  }

  // The id the next case inserted on `c` gets. SQLite: the one after the last (one writer). PostgreSQL:
  // ids come from the sequence 32 at a time, in one round trip, shared by the store's writer
  // connections (sequence values are unique whichever connection uses them); an id taken and
  // never used (a job rolled back, the server stopped) leaves a gap, as nextval itself does.
  Result<int64_t> NextCaseId(sql::Connection& c) {
    if (c.dialect() == sql::Dialect::kSqlite) {
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'cases'), 0) + 1"));
      return r.rows.at(0).Int(0);
    }
    std::lock_guard lock(case_ids_mu_);
    if (case_ids_.empty()) {
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM "
                                         "generate_series(1, 32)"));
      for (const auto& row : r.rows) case_ids_.push_back(row.Int(0));
      std::sort(case_ids_.begin(), case_ids_.end(), std::greater<>());  // taken from the back, lowest first
    }
    const int64_t id = case_ids_.back();
    case_ids_.pop_back();
    return id;
  }

  // Inserts the case row and its events; returns the new id. (PostgreSQL intakes build the same
  // statement with their duplicate look-up in it: InsertCaseAsync.)
  Result<int64_t> InsertCaseRow(sql::Connection& c, const CaseRecord& rec, std::vector<CaseEvent>& evs,
                                const EventHasher& hasher, std::optional<InstantMs> next_due, bool feed) {
    if (c.dialect() == sql::Dialect::kPostgres) {
      GZ_ASSIGN_OR_RETURN(auto st, InsertCaseStatementPg(c, rec, evs, hasher, next_due, feed, nullptr));
      GZ_RETURN_IF_ERROR(c.Exec(st.second.sql, st.second.params).status());
      return st.first;
    }
    GZ_ASSIGN_OR_RETURN(const int64_t id, NextCaseId(c));
    GZ_ASSIGN_OR_RETURN(auto values, CaseRowValues(id, rec, evs, hasher, next_due));
    GZ_RETURN_IF_ERROR(c.Exec(CaseInsertSql(), values).status());
    GZ_RETURN_IF_ERROR(InsertEvents(c, rec, evs, feed));
    return id;
  }

  // PostgreSQL: the new case's id and the one statement that inserts it with its events (and
  // their feed entries), whose rows are the duplicate candidates `lookup` asks for.
  Result<std::pair<int64_t, sql::Statement>> InsertCaseStatementPg(sql::Connection& c, const CaseRecord& rec,
                                                                   std::vector<CaseEvent>& evs,
                                                                   const EventHasher& hasher,
                                                                   std::optional<InstantMs> next_due, bool feed,
                                                                   const Lookup* lookup) {
    GZ_ASSIGN_OR_RETURN(const int64_t id, NextCaseId(c));
    GZ_ASSIGN_OR_RETURN(auto values, CaseRowValues(id, rec, evs, hasher, next_due));
    std::vector<Value> lookup_params;
    const std::string select = lookup ? NearbySql(lookup->query, lookup_params) : std::string();
    return std::pair{id, InsertCaseWithEventsPg(CaseInsertSql(), std::move(values), rec, evs, feed, select,
                                                std::move(lookup_params))};
  }

  // kCaseCols and next_due, geo_cell, last_seq, last_hash.
  static size_t CaseRowWidth() {
    static const size_t n = std::count(kCaseCols, kCaseCols + std::strlen(kCaseCols), ',') + 1 + 4;
    return n;
  }
  // What AppendCaseValues appends: kCaseCols but id and tracking_code.
  static size_t CaseValueCount() { return CaseRowWidth() - 4 - 2; }

  static const std::string& CaseInsertSql() {
    static const std::string q = std::string("INSERT INTO cases (") + kCaseCols +
                                 ", next_due, geo_cell, last_seq, last_hash) VALUES " + Placeholders(CaseRowWidth());
    return q;
  }

  // The values of CaseInsertSql for the case `id`, after its events are chained (their hashes
  // cover the id, so the first is written with the row itself instead of by a second UPDATE).
  Result<std::vector<Value>> CaseRowValues(int64_t id, const CaseRecord& rec, std::vector<CaseEvent>& evs,
                                           const EventHasher& hasher, std::optional<InstantMs> next_due) {
    int64_t seq = 0;
    std::string hash;
    ChainEvents(id, seq, hash, evs, hasher);
    std::vector<Value> values;
    values.reserve(CaseRowWidth());
    values.emplace_back(id);
    values.emplace_back(rec.tracking_code.empty() ? StoredTracking(id) : rec.tracking_code);
    AppendCaseValues(rec, cipher_, values);
    values.push_back(next_due ? Value(*next_due) : Value(std::monostate{}));
    values.push_back(rec.lng ? Value(GeoCell(*rec.lng, *rec.lat)) : Value(std::monostate{}));
    values.push_back(seq);
    values.push_back(std::move(hash));
    if (values.size() != CaseRowWidth())
      return Status::Internal("a case row of " + std::to_string(values.size()) + " values");
    return values;
  }

  Status ImportCasesInSteps(const ImportSteps& steps, const EventHasher& hasher, const RollupDeltas& rollup) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      std::vector<ImportedCase> step;
      bool more = true;
      for (size_t i = 0; more; ++i) {
        step.clear();
        GZ_ASSIGN_OR_RETURN(more, steps(i, step));
        for (auto& ic : step) {
          GZ_ASSIGN_OR_RETURN(int64_t id, InsertCaseRow(c, ic.record, ic.events, hasher, std::nullopt, false));
          NoteCase(id, ic.record);
          for (auto& f : ic.facts) f.case_id = id;
          GZ_RETURN_IF_ERROR(UpsertFacts(c, ic.facts));
        }
      }
      return AddRollups(c, rollup);
    });
  }

  Status UpdateCase(const CaseRecord& rec, int64_t expected_version, std::vector<CaseEvent> events,
                    const EventHasher& hasher, std::optional<InstantMs> next_due, const CaseSideWrites& side) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      GZ_ASSIGN_OR_RETURN(auto cur, c.Exec("SELECT version, last_seq, last_hash FROM cases WHERE id = ?", {rec.id}));
      if (cur.rows.empty()) return Status::NotFound("no case with id " + std::to_string(rec.id));
      if (cur.rows[0].Int(0) != expected_version)
        return Status::Conflict("the case was changed meanwhile (now version " + std::to_string(cur.rows[0].Int(0)) +
                                    ", you sent " + std::to_string(expected_version) + "); reload and try again",
                                "version");
      int64_t seq = cur.rows[0].Int(1);
      std::string hash = cur.rows[0].Text(2);
      ChainEvents(rec.id, seq, hash, events, hasher);
      GZ_RETURN_IF_ERROR(InsertEvents(c, rec, events));
      std::string q = "UPDATE cases SET ";
      std::string cols = kCaseCols + std::strlen("id, tracking_code, ");
      std::vector<Value> values;
      values.reserve(CaseValueCount());
      AppendCaseValues(rec, cipher_, values);
      values[0] = expected_version + 1;  // version
      size_t start = 0;
      for (size_t i = 0; i < values.size(); ++i) {
        size_t comma = cols.find(", ", start);
        std::string col = cols.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        q += col + " = ?, ";
        start = comma + 2;
      }
      q += "next_due = ?, last_seq = ?, last_hash = ? WHERE id = ? AND version = ?";
      values.push_back(next_due ? Value(*next_due) : Value(std::monostate{}));
      values.push_back(seq);
      values.push_back(hash);
      values.push_back(rec.id);
      values.push_back(expected_version);
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec(q, values));
      if (r.affected != 1) return Status::Conflict("the case was changed meanwhile; reload and try again", "version");
      for (const auto& sv : side.supervisions) {
        GZ_RETURN_IF_ERROR(c.Exec("INSERT INTO supervisions (case_id, kind, unit_id, worker_id, region_code, due_at, "
                                  "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                  {rec.id, sv.kind, Opt(sv.unit_id), Opt(sv.worker_id), sv.region_code, sv.due_at,
                                   sv.created_at})
                               .status());
      }
      for (const auto& sm : side.new_summons) {
        auto ins = c.Exec("INSERT INTO summons (case_id, unit_id, lead, summoned_at, ack_due) VALUES (?, ?, ?, ?, ?)",
                          {rec.id, sm.unit_id, int64_t{sm.lead}, sm.summoned_at, sm.ack_due});
        if (ins.status().code() == ErrorCode::kConflict)
          return Status::Conflict("unit " + std::to_string(sm.unit_id) + " is already summoned to this case", "units");
        GZ_RETURN_IF_ERROR(ins.status());
      }
      if (side.photo) {
        const auto& ph = *side.photo;
        auto ins = c.Exec("INSERT INTO case_photos (case_id, sha256, content_type, bytes, stage, uploaded_by, uploaded_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          {rec.id, ph.sha256, ph.content_type, ph.bytes, ph.stage, ph.uploaded_by, ph.uploaded_at});
        if (ins.status().code() == ErrorCode::kConflict)
          return Status::Conflict("this photo is already attached to the case", "photo");
        GZ_RETURN_IF_ERROR(ins.status());
      }
      GZ_RETURN_IF_ERROR(UpsertFacts(c, side.facts));
      GZ_RETURN_IF_ERROR(AddRollups(c, side.rollup));
      if (side.acknowledge) {
        GZ_ASSIGN_OR_RETURN(auto a, c.Exec("UPDATE summons SET acked_at = ?, note = ? WHERE case_id = ? AND unit_id = ? "
                                           "AND acked_at = 0",
                                           {side.acknowledge->acked_at, side.acknowledge->note, rec.id,
                                            side.acknowledge->unit_id}));
        if (!a.affected) return Status::Conflict("this unit has no open summons on the case", "unit");
      }
      NoteCase(rec.id, rec);
      return Status::Ok();
    });
  }

  Result<std::optional<CaseRecord>> GetCase(int64_t id) override {
    GZ_ASSIGN_OR_RETURN(auto r, Read(CaseByIdSql(), {id}));
    if (r.rows.empty()) return std::optional<CaseRecord>();
    return std::optional<CaseRecord>(CaseFromRow(r.rows[0], cipher_, codec_));
  }

  Result<std::optional<CaseRecord>> GetCaseByTracking(const std::string& typed) override {
    // Rare (ratings, reporters' photos and data, Open311 tokens): the bundle's read, without the rest.
    GZ_ASSIGN_OR_RETURN(auto b, GetCaseBundleByTracking(typed));
    if (!b) return std::optional<CaseRecord>();
    return std::optional<CaseRecord>(std::move(b->record));
  }

  Result<std::vector<CaseRecord>> ListCases(const CaseFilter& f) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return ListCasesOn(*c, f);
  }

  Result<std::vector<CaseRecord>> ListCasesOn(sql::Connection& conn, const CaseFilter& f) const {
    // A prefix above a county (a province, a city) on SQLite: the list walks every case newest
    // first, which stops early where the region has cases and reads them all where it has none (a
    // city not yet brought into a province's database, a mistyped code: 0.25 s at 1M cases). One
    // probe of cases_township tells (township_code is region_code's first nine digits).
    if (!f.region.empty() && f.region.size() < 6 && conn.dialect() == sql::Dialect::kSqlite) {
      GZ_ASSIGN_OR_RETURN(auto any, conn.Exec("SELECT 1 FROM cases WHERE township_code >= ? AND township_code < ? LIMIT 1",
                                              {f.region, f.region + ":"}));
      if (any.rows.empty()) return std::vector<CaseRecord>{};
    }
    std::string q = "1=1";
    std::vector<Value> p;
    // A township or below walks cases_township (below). SQLite has no statistics to tell it that
    // one state (closed) is most cases, and walked cases_state instead, reading every closed case
    // of the city for a community's closed ones (1M city: 1.2 s a page); "+state" takes that index
    // out of its choice. PostgreSQL knows, and has no unary plus on text.
    const bool township = f.region.size() >= 9;
    if (f.state)
      q += township && conn.dialect() == sql::Dialect::kSqlite ? " AND +state = ?" : " AND state = ?",
          p.push_back(std::string(CaseStateName(*f.state)));
    if (!f.category.empty())
      q += " AND category_code >= ? AND category_code < ?", p.push_back(f.category), p.push_back(f.category + "\x7f");
    if (!f.region.empty()) q += " AND region_code >= ? AND region_code < ?", p.push_back(f.region), p.push_back(f.region + ":");
    // A township or below: its township equality lets SQLite walk cases_township in id order
    // instead of sorting every case of a category (125 ms → 3 ms for 0401 in a township of 100k).
    if (township) q += " AND township_code = ?", p.push_back(f.region.substr(0, 9));
    // A county, with nothing but a state or category besides: its townships' range of
    // cases_township, whose ids are then sorted, bounds the work by the county's cases. Walking
    // every case newest first (what SQLite chose) stops early in a county with many recent cases
    // but read the whole city for one with few or none: a province that brings its counties in
    // one by one has many. 1M city: an empty county 0.2 s (9 s from a cold cache) → 1.4 ms; a
    // category in a county 0.23 s → 15 ms; the largest county (114k cases) 7 → 47 ms. Other
    // filters have walks of their own (open cases, units, workers, periods). township_code is
    // region_code's first nine digits, so the condition only restates the region's.
    const bool county = !township && f.region.size() >= 6 && conn.dialect() == sql::Dialect::kSqlite &&
                        !f.open_only && !f.overdue_only && !f.unit_id && !f.worker_id && !f.summoned_unit_id &&
                        f.grid_codes.empty() && !f.created_from && !f.created_to && !f.merged_into;
    if (county) q += " AND township_code >= ? AND township_code < ?", p.push_back(f.region), p.push_back(f.region + ":");
    if (f.unit_id) q += " AND unit_id = ?", p.push_back(*f.unit_id);
    if (f.worker_id) q += " AND worker_id = ?", p.push_back(*f.worker_id);
    if (f.summoned_unit_id)
      q += " AND id IN (SELECT case_id FROM summons WHERE unit_id = ?)", p.push_back(*f.summoned_unit_id);
    if (!f.grid_codes.empty()) {
      q += " AND grid_code IN (";
      for (size_t i = 0; i < f.grid_codes.size(); ++i) q += i ? ", ?" : "?", p.push_back(f.grid_codes[i]);
      q += ")";
    }
    if (f.overdue_only) q += kOverdueAt, p.push_back(f.now), p.push_back(f.now);
    if (f.created_from) q += " AND created_at >= ?", p.push_back(f.created_from);
    if (f.created_to) q += " AND created_at < ?", p.push_back(f.created_to);
    if (f.after_id) q += " AND id < ?", p.push_back(f.after_id);
    if (f.merged_into) q += " AND merged_into = ?", p.push_back(*f.merged_into);
    if (f.open_only) q += kOpenOnly;
    if (f.closed_only) q += " AND (state = 'rejected' OR state = 'merged' OR state = 'closed')";
    if (f.bbox) {
      q += " AND lng >= ? AND lng <= ? AND lat >= ? AND lat <= ?";
      for (double v : *f.bbox) p.push_back(v);
    }
    if (f.created_from || f.created_to || county) {
      // With a period SQLite reads the period's ids from cases_created and sorts them (a county's
      // from cases_township). With the whole rows in its sorter it read every case of the period
      // first (a 90-day period of a 1M city: 288 ms a page, Open311's default listing); the
      // page's ids alone take 49 ms, then only their rows are read.
      q = std::string("SELECT ") + kCaseCols + " FROM cases WHERE id IN (SELECT id FROM cases WHERE " + q +
          " ORDER BY id DESC LIMIT ?) ORDER BY id DESC";
    } else {
      q = std::string("SELECT ") + kCaseCols + " FROM cases WHERE " + q + " ORDER BY id DESC LIMIT ?";
    }
    p.push_back(int64_t{f.limit});
    std::vector<CaseRecord> out;
    out.reserve(static_cast<size_t>(std::min(f.limit, 64)));
    GZ_RETURN_IF_ERROR(
        conn.ForEach(q, p, [&](const sql::Row& row) { out.push_back(CaseFromRow(row, cipher_, codec_)); }));
    return out;
  }

  Result<std::vector<CaseRecord>> FindNearbyOpen(const NearbyQuery& q) override {
    if (nearby_) {
      bool loaded;
      {
        std::lock_guard lock(nearby_->mu);
        loaded = nearby_->loaded;
      }
      // Loaded by the writer, which sees every case write, its own uncommitted ones included.
      if (!loaded) GZ_RETURN_IF_ERROR(writes_.Run([&](sql::Connection& c) { return LoadNearby(c); }));
    }
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return FindNearbyOn(*c, q, false);
  }

  // The candidates `q` asks for, read on `conn` (the writer's inside an intake's transaction).
  Result<std::vector<CaseRecord>> FindNearbyOn(sql::Connection& conn, const NearbyQuery& q, bool on_writer) {
    std::vector<NearbyIndex::Hit> hits;
    if (nearby_ && on_writer) {
      // The writer's index is exact (every case write passes here, in order): no SQL at all.
      GZ_RETURN_IF_ERROR(LoadNearby(conn));
      std::lock_guard lock(nearby_->mu);
      const auto hits = nearby_->index.Find(q);
      std::vector<CaseRecord> out;
      out.reserve(hits.size());
      for (const auto& h : hits) {
        CaseRecord c;
        c.id = h.id;
        c.facts.state = h.entry->state;
        c.description = h.entry->description;
        c.lng = h.entry->lng, c.lat = h.entry->lat;
        c.created_at = h.entry->created_at;
        c.category_code = q.category;
        out.push_back(std::move(c));
      }
      return out;
    }
    if (!nearby_) return NearbyBySql(conn, q);
    {
      // A few more than asked: a reader may be told of cases whose rows it cannot see yet.
      NearbyQuery wide = q;
      wide.limit = q.limit + 5;
      std::lock_guard lock(nearby_->mu);
      hits = nearby_->index.Find(wide);
    }
    // The rows of all the hits in one statement (one round trip on PostgreSQL), kept in the
    // hits' order, nearest first.
    std::vector<CaseRecord> out;
    if (hits.empty()) return out;
    std::vector<Value> ids;
    for (const auto& h : hits) ids.push_back(h.id);
    GZ_ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT id, state, description, lng, lat, created_at, category_code FROM "
                                          "cases WHERE id IN " + Placeholders(ids.size()),
                                          ids));
    std::unordered_map<int64_t, const sql::Row*> by_id;
    for (const auto& row : r.rows) by_id.emplace(row.Int(0), &row);
    for (const auto& h : hits) {
      if (out.size() >= q.limit) break;
      auto it = by_id.find(h.id);
      if (it == by_id.end() || it->second->IsNull(3)) continue;
      const sql::Row& row = *it->second;
      CaseRecord c;
      c.id = h.id;
      c.facts.state = ParseCaseState(row.Text(1)).value_or(CaseState::kReported);
      if (IsTerminal(c.facts.state) || row.Text(6) != q.category) continue;  // changed since the index saw it
      c.description = row.Text(2);
      c.lng = row.Real(3), c.lat = row.Real(4);
      c.created_at = row.Int(5);
      c.category_code = q.category;
      out.push_back(std::move(c));
    }
    return out;
  }

  // Several nodes write (PostgreSQL): the open cases' cases_nearby_open index, one range per row
  // of ~200 m cells joined with UNION ALL; the nearest few, with their rows.
  Result<std::vector<CaseRecord>> NearbyBySql(sql::Connection& conn, const NearbyQuery& q) const {
    std::vector<Value> p;
    const std::string sql = NearbySql(q, p);
    GZ_ASSIGN_OR_RETURN(auto r, conn.Exec(sql, p));
    return NearbyFromRows(q, r.rows);
  }

  // The SELECT of NearbyBySql, its parameters appended to `p`.
  static std::string NearbySql(const NearbyQuery& q, std::vector<Value>& p) {
    const auto [dlat, dlng] = BoxAround(q.lat, q.radius_m);
    std::string cond = std::string(" AND created_at >= ?") + (q.created_to ? " AND created_at <= ?" : "") +
                       " AND lng >= ? AND lng <= ? AND lat >= ? AND lat <= ?" + kOpenOnly;
    std::string sql;
    const auto cells = GeoCellsAround(q.lng, q.lat, q.radius_m);
    for (size_t i = 0; i < cells.size();) {
      size_t j = i;
      while (j + 1 < cells.size() && cells[j + 1] == cells[j] + 1) ++j;
      if (!sql.empty()) sql += " UNION ALL ";
      sql += "SELECT id, lng, lat FROM cases WHERE category_code = ? AND geo_cell BETWEEN ? AND ?" + cond;
      p.insert(p.end(), {q.category, cells[i], cells[j], q.created_from});
      if (q.created_to) p.push_back(q.created_to);
      p.insert(p.end(), {q.lng - dlng, q.lng + dlng, q.lat - dlat, q.lat + dlat});
      i = j + 1;
    }
    // The nearest few by a flat-earth distance (exact enough to rank within a few kilometres; a
    // top-N sort in SQL), so a busy neighbourhood sends back a handful of rows, not hundreds, and
    // their rows come with them in the same round trip. Their exact distances are computed below.
    const double kx = dlat / dlng;  // a degree of longitude in degrees of latitude here
    sql = "SELECT c.id, c.lng, c.lat, c.state, c.description, c.created_at FROM (SELECT id FROM (" + sql +
          ") near ORDER BY (lng - ?) * (lng - ?) * ? + (lat - ?) * (lat - ?) LIMIT ?) n JOIN cases c ON c.id = n.id";
    p.insert(p.end(), {q.lng, q.lng, kx * kx, q.lat, q.lat, static_cast<int64_t>(q.limit + 5)});
    return sql;
  }

  // The candidates among the rows NearbySql selected: within the radius, nearest first.
  static std::vector<CaseRecord> NearbyFromRows(const NearbyQuery& q, const std::vector<sql::Row>& rows) {
    std::vector<std::pair<double, CaseRecord>> found;
    for (const auto& row : rows) {
      if (row.Int(0) == q.exclude_id) continue;
      double d = DistanceM(q.lng, q.lat, row.Real(1), row.Real(2));
      if (d > q.radius_m) continue;
      CaseRecord c;
      c.id = row.Int(0);
      c.lng = row.Real(1), c.lat = row.Real(2);
      c.facts.state = ParseCaseState(row.Text(3)).value_or(CaseState::kReported);
      c.description = row.Text(4);
      c.created_at = row.Int(5);
      c.category_code = q.category;
      found.emplace_back(d, std::move(c));
    }
    // Nearest first, in the in-memory index's order.
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return NearbyIndex::NearerFirst({a.second.id, a.first}, {b.second.id, b.first});
    });
    std::vector<CaseRecord> out;
    for (auto& [d, c] : found) {
      if (out.size() >= q.limit) break;
      out.push_back(std::move(c));
    }
    return out;
  }

  // Reads the open cases with a category and a point into the index, once (again after a
  // discarded batch). On the writer thread only.
  Status LoadNearby(sql::Connection& c) {
    {
      std::lock_guard lock(nearby_->mu);
      if (nearby_->loaded) return Status::Ok();
    }
    NearbyIndex fresh;
    for (int s = 0; s < kCaseStateCount; ++s) {
      const auto state = static_cast<CaseState>(s);
      if (IsTerminal(state)) continue;
      // In pages, so a city's open cases are not all held as one result.
      for (int64_t after = 0;;) {
        GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT id, category_code, lng, lat, created_at, description FROM cases "
                                           "WHERE state = ? AND id > ? AND category_code <> '' AND lng IS NOT NULL "
                                           "ORDER BY id LIMIT 5000",
                                           {std::string(CaseStateName(state)), after}));
        for (const auto& row : r.rows)
          fresh.Put({row.Int(0), row.Real(2), row.Real(3), row.Int(4), state,
                     NearbyIndex::DescriptionPreview(row.Text(5))},
                    row.Text(1));
        if (r.rows.size() < 5000) break;
        after = r.rows.back().Int(0);
      }
    }
    std::lock_guard lock(nearby_->mu);
    nearby_->index = std::move(fresh);
    nearby_->loaded = true;
    return Status::Ok();
  }

  // Mirrors a case written by a job of the writer in the index (the job's last step: a job that
  // fails afterwards would leave the index ahead of the database).
  void NoteCase(int64_t id, const CaseRecord& rec) {
    if (!nearby_) return;
    std::lock_guard lock(nearby_->mu);
    if (!nearby_->loaded) return;  // read in full on first use
    if (!IsTerminal(rec.facts.state) && rec.lng && rec.lat)
      nearby_->index.Put({id, *rec.lng, *rec.lat, rec.created_at, rec.facts.state,
                          NearbyIndex::DescriptionPreview(rec.description)},
                         rec.category_code);
    else
      nearby_->index.Erase(id);
  }

  Result<std::vector<CaseEvent>> ListEvents(int64_t case_id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return EventsOn(*c, case_id);
  }

  Status ForEachEvent(const std::function<bool(const CaseEvent&, const std::string&)>& fn) override {
    // Paged by (case_id, seq) so memory stays flat however long the history. The row value is what
    // SQLite seeks to: with "case_id > ? OR (case_id = ? AND seq > ?)" it walked the key from the
    // start for every page (a rebuild of 1M cases: 310 s, quadratic).
    int64_t last_case = 0, last_seq = 0;
    for (;;) {
      GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT e.case_id, e.seq, e.at, e.actor, e.action, e.from_state, e.to_state, "
                                       "e.payload, e.prev_hash, e.hash, c.last_hash FROM case_events e JOIN cases c ON "
                                       "c.id = e.case_id WHERE (e.case_id, e.seq) > (?, ?) "
                                       "ORDER BY e.case_id, e.seq LIMIT 5000",
                                       {last_case, last_seq}));
      if (r.rows.empty()) return Status::Ok();
      for (const auto& row : r.rows) {
        CaseEvent e = EventFromRow(row);
        last_case = e.case_id, last_seq = e.seq;
        if (!fn(e, row.Text(10))) return Status::Ok();
      }
    }
  }

  Result<std::vector<CaseFact>> ListFacts(int64_t case_id) override {
    return ReadAll(std::string("SELECT ") + kFactCols + " FROM case_facts WHERE case_id = ? ORDER BY n", {case_id},
                   FactFromRow);
  }

  Result<std::vector<std::pair<std::string, RollupCounts>>> SumRollups(const AssessmentScope& scope,
                                                                       RollupGroup group) override {
    std::string key;
    switch (group) {
      case RollupGroup::kNone: key = "''"; break;
      case RollupGroup::kUnit: key = "unit_id"; break;
      case RollupGroup::kWorker: key = "worker_id"; break;
      case RollupGroup::kCounty: key = "substr(region_code, 1, 6)"; break;
      case RollupGroup::kTownship: key = "substr(region_code, 1, 9)"; break;
      case RollupGroup::kCommunity: key = "region_code"; break;
      case RollupGroup::kCategory: key = "category_code"; break;
      case RollupGroup::kDay: key = "day"; break;
    }
    // Rankings of units, workers, townships and counties read the township roll-ups (far fewer rows).
    const bool coarse = !scope.fine && scope.category_prefix.empty() && scope.region_prefix.size() <= 9 &&
                        group != RollupGroup::kCommunity && group != RollupGroup::kCategory;
    // Townships, counties, days and totals of every unit and worker: the township sums.
    const bool totals = coarse && !scope.unit_id && !scope.worker_id && group != RollupGroup::kUnit &&
                        group != RollupGroup::kWorker;
    // Rankings of units and the figures of one unit, in a county or more: the unit sums.
    const bool units = coarse && scope.region_prefix.size() <= 6 && !scope.worker_id &&
                       group != RollupGroup::kWorker && group != RollupGroup::kTownship &&
                       (group == RollupGroup::kUnit || scope.unit_id);
    // Rankings of categories in a county or more, over every unit and worker: the category sums.
    const bool categories = group == RollupGroup::kCategory && !scope.fine && scope.region_prefix.size() <= 6 &&
                            !scope.unit_id && !scope.worker_id;
    const char* day_table = totals       ? "rollups_township_sum"
                            : units      ? "rollups_unit_sum"
                            : categories ? "rollups_category_sum"
                            : coarse     ? "rollups_township"
                                         : "rollups";
    // Whole months of a period can come from the month roll-ups, the days around them from the
    // table above: added, or taken off a month read whole when fewer (SplitByMonths). Rankings of
    // communities, and the figures of one community, over every unit, worker and category: the
    // community months (a year of a 1M city: 5 s from the fine rows).
    const bool over_months = !scope.fine && scope.category_prefix.empty() && !scope.unit_id;
    const bool totals_group = group == RollupGroup::kNone || group == RollupGroup::kTownship ||
                              group == RollupGroup::kCounty;  // no key the month tables fold away
    const bool community_months = over_months && !scope.worker_id &&
                                  (group == RollupGroup::kCommunity || (totals_group && scope.region_prefix.size() > 9));
    // Over every unit and worker: with a category filter (the rows are keyed by category first),
    // rankings of communities and the figures of a township or community; with or without one, the
    // categories of a township or community (found by region through the table's second index).
    const bool community_category_months =
        !scope.fine && !scope.unit_id && !scope.worker_id &&
        ((!scope.category_prefix.empty() &&
          (group == RollupGroup::kCommunity || (totals_group && scope.region_prefix.size() > 6))) ||
         (group == RollupGroup::kCategory && scope.region_prefix.size() > 6));
    // Rankings of workers, and the figures of one worker, in a township or more, over every category.
    const bool worker_months = over_months && scope.region_prefix.size() <= 9 &&
                               (group == RollupGroup::kWorker || (totals_group && scope.worker_id));
    struct Part {
      const char* table;
      CivilDay from, to;
      int sign;  // -1: days of a whole month outside the period, taken off
    };
    // The township, unit and category sums have month tables of their own, the same keys by month.
    const bool sum_months = (totals || units || categories) && group != RollupGroup::kDay;
    const std::string month_table = community_months            ? "rollups_community_month"
                                    : community_category_months ? "rollups_community_category_month"
                                    : worker_months             ? "rollups_worker_month"
                                    : sum_months                ? std::string(day_table) + "_month"
                                                                : "";
    std::vector<Part> parts;
    if (!month_table.empty()) {
      MonthSplit split = SplitByMonths(scope.from, scope.to);
      if (split.first_month <= split.last_month)
        parts.push_back({month_table.c_str(), split.first_month, split.last_month, +1});
      for (auto [from, to] : split.days) parts.push_back({day_table, from, to, +1});
      for (auto [from, to] : split.minus) parts.push_back({day_table, from, to, -1});
    } else {
      parts.push_back({day_table, scope.from, scope.to, +1});
    }
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    // The parts (whole months, the days around them) read one snapshot: a write between them could
    // otherwise move a count from a part already read into one not yet read (a fact's day moves
    // when a case is resolved late), and the figures would count it twice or not at all.
    sql::Transaction tx(*c, /*write=*/false);
    if (parts.size() > 1) GZ_RETURN_IF_ERROR(tx.BeginSnapshot());
    // SQLite groups by sorting every row into a temporary B-tree: a year's ranking of the
    // categories of a 1M city sorted its 2.5M fine rows in 7.6 s. Its rows are summed in a hash
    // map instead; PostgreSQL groups them itself (fewer rows cross the socket). The parts add up
    // in the same map.
    const bool sqlite = c->dialect() == sql::Dialect::kSqlite;
    std::unordered_map<std::string, RollupCounts> sums;
    for (const Part& part : parts) {
      std::vector<Value> p{int64_t{part.from}, int64_t{part.to}};
      std::string rows = std::string(" FROM ") + part.table + " WHERE day >= ? AND day <= ?" + ScopeFilter(scope, p);
      if (group == RollupGroup::kUnit) rows += " AND unit_id <> 0";
      if (group == RollupGroup::kWorker) rows += " AND worker_id <> 0";
      std::string q = sqlite ? "SELECT " + key + ", " + RollupColumns() + rows
                             : "SELECT " + key + " AS k, " + RollupSums() + rows +
                                   (group == RollupGroup::kNone ? "" : " GROUP BY k");
      GZ_RETURN_IF_ERROR(c->ForEach(q, p, [&](const sql::Row& row) {
        RollupCounts& sum = sums[row.IsNull(0) ? std::string() : row.Text(0)];
        size_t col = 1;
        for (const auto& f : kRollupFields) sum.*f.member += row.IsNull(col) ? 0 : part.sign * row.Int(col), ++col;
      }));
    }
    std::vector<std::pair<std::string, RollupCounts>> out;
    if (group == RollupGroup::kNone) {  // one row, zero when nothing was counted
      out.emplace_back("", sums[""]);
      return out;
    }
    // Rows whose counts went back to zero (a fact moved to another day) are no group.
    for (auto& [k, sum] : sums)
      if (!sum.IsZero()) out.emplace_back(k, sum);
    const bool numeric = group == RollupGroup::kUnit || group == RollupGroup::kWorker || group == RollupGroup::kDay;
    std::sort(out.begin(), out.end(), [numeric](const auto& a, const auto& b) {
      return numeric ? std::stoll(a.first) < std::stoll(b.first) : a.first < b.first;
    });
    return out;
  }

  Result<std::vector<CaseFact>> FactsIn(const AssessmentScope& scope, int limit,
                                        std::pair<int64_t, int> after) override {
    std::vector<Value> p{after.first, int64_t{after.second}};
    std::string q = std::string("SELECT ") + kFactCols + " FROM case_facts WHERE (case_id, n) > (?, ?)" +
                    ScopeFilter(scope, p) +
                    " AND ((dispatch_day >= ? AND dispatch_day <= ?) OR (due_day >= ? AND due_day <= ?) OR "
                    "(resolve_day >= ? AND resolve_day <= ?) OR (rated_day >= ? AND rated_day <= ?)) "
                    "ORDER BY case_id, n LIMIT ?";
    for (int i = 0; i < 4; ++i) p.push_back(int64_t{scope.from}), p.push_back(int64_t{scope.to});
    p.push_back(int64_t{limit});
    return ReadAll(q, p, FactFromRow);
  }

  Result<std::vector<std::pair<std::string, int64_t>>> CountLateAcks(const AssessmentScope& scope, InstantMs now,
                                                                     bool by_unit) override {
    std::vector<Value> p{LocalMidnight(scope.from), LocalMidnight(scope.to + 1), now};
    std::string q = std::string("SELECT ") + (by_unit ? "s.unit_id" : "''") +
                    ", COUNT(*) FROM summons s JOIN cases c ON c.id = s.case_id WHERE s.ack_due >= ? AND s.ack_due < ? "
                    "AND (s.acked_at > s.ack_due OR (s.acked_at = 0 AND s.ack_due < ?))";
    if (scope.worker_id) q += " AND 1 = 0";  // grid workers are not summoned
    if (scope.unit_id) q += " AND s.unit_id = ?", p.push_back(*scope.unit_id);
    if (!scope.region_prefix.empty())
      q += " AND c.region_code >= ? AND c.region_code < ?", p.push_back(scope.region_prefix),
          p.push_back(scope.region_prefix + ":");
    if (!scope.category_prefix.empty())
      q += " AND c.category_code >= ? AND c.category_code < ?", p.push_back(scope.category_prefix),
          p.push_back(scope.category_prefix + "\x7f");
    if (by_unit) q += " GROUP BY s.unit_id";
    GZ_ASSIGN_OR_RETURN(auto r, Read(q, p));
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& row : r.rows) out.emplace_back(row.Text(0), row.Int(1));
    return out;
  }

  // The mark of a rebuild under way: a row of settings.
  static constexpr const char* kRebuildMark = "assessment_rebuild";

  Status ClearAssessment() override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      GZ_RETURN_IF_ERROR(c.Exec("INSERT INTO settings (key, value) VALUES (?, 'under way') ON CONFLICT (key) DO NOTHING",
                                {std::string(kRebuildMark)})
                             .status());
      GZ_RETURN_IF_ERROR(c.Exec("DELETE FROM case_facts").status());
      for (const auto& level : kRollupLevels)
        GZ_RETURN_IF_ERROR(c.Exec(std::string("DELETE FROM ") + level.table).status());
      return Status::Ok();
    });
  }

  Status AddAssessment(const std::vector<CaseFact>& facts, const RollupDeltas& rollups) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      GZ_RETURN_IF_ERROR(UpsertFacts(c, facts));
      return AddRollups(c, rollups);
    });
  }

  Status FinishAssessment() override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      return c.Exec("DELETE FROM settings WHERE key = ?", {std::string(kRebuildMark)}).status();
    });
  }

  Result<bool> AssessmentRebuildUnderWay() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT 1 FROM settings WHERE key = ?", {std::string(kRebuildMark)}));
    return !r.rows.empty();
  }

  Result<std::vector<std::pair<std::string, int64_t>>> CountCasesBy(const std::string& by,
                                                                    const std::string& region_prefix, InstantMs from,
                                                                    InstantMs to, InstantMs overdue_at) override {
    std::string key;
    if (by == "state") key = "state";
    else if (by == "category") key = "category_code";
    else if (by == "community") key = "region_code";
    else if (by == "township") key = "township_code";
    else if (by == "grid") key = "grid_code";
    else if (by == "day") key = "(created_at + 28800000) / 86400000";  // local (UTC+8) day number
    else return Status::Invalid("by", "must be state, category, community, township, grid, day or week");
    std::vector<Value> p;
    std::string where;
    if (overdue_at) where = "1 = 1" + std::string(kOverdueAt), p = {overdue_at, overdue_at};
    else where = "created_at >= ? AND created_at < ?", p = {from, to};
    if (!region_prefix.empty())
      where += " AND region_code >= ? AND region_code < ?", p.push_back(region_prefix), p.push_back(region_prefix + ":");
    constexpr size_t kMaxGroups = 10000;
    std::vector<std::pair<std::string, int64_t>> out;
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    if (c->dialect() == sql::Dialect::kSqlite) {
      // SQLite groups by sorting every row into a temporary B-tree: 55-64 ms of the 88k cases of
      // a city's month, against 6-8 ms to walk them in the index. Counted in a hash map instead.
      std::unordered_map<std::string, int64_t> counts;
      GZ_RETURN_IF_ERROR(c->ForEach("SELECT " + key + " FROM cases WHERE " + where, p,
                                    [&](const sql::Row& row) { ++counts[row.Text(0)]; }));
      out.assign(counts.begin(), counts.end());
      if (by == "day") {
        std::sort(out.begin(), out.end(),
                  [](const auto& a, const auto& b) { return std::stoll(a.first) < std::stoll(b.first); });
      } else {
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
      }
      if (out.size() > kMaxGroups) out.resize(kMaxGroups);
      return out;
    }
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT " + key + " AS k, COUNT(*) AS n FROM cases WHERE " + where +
                                            " GROUP BY k ORDER BY " + std::string(by == "day" ? "k" : "n DESC, k") +
                                            " LIMIT " + std::to_string(kMaxGroups),
                                        p));
    for (const auto& row : r.rows) out.emplace_back(row.Text(0), row.Int(1));
    return out;
  }

  Result<int64_t> CountCases() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT COUNT(*) FROM cases", {}));
    return r.rows.at(0).Int(0);
  }

  Result<std::vector<FeedEntry>> ReadFeed(int64_t after, int64_t through, int limit) override {
    return FeedWhere("id > ? AND id <= ?", {after, through ? through : std::numeric_limits<int64_t>::max()}, limit);
  }

  Result<std::vector<FeedEntry>> ReadFeedAt(InstantMs from, InstantMs to, int limit) override {
    return FeedWhere("at >= ? AND at < ?", {from, to}, limit);
  }

  Result<std::vector<FeedEntry>> FeedWhere(const std::string& where, std::vector<Value> params, int limit) {
    params.push_back(int64_t{limit});
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT id, case_id, seq, at, action, from_state, to_state, region_code, "
                                     "category_code, unit_id, worker_id, units FROM feed WHERE " + where +
                                     " ORDER BY id LIMIT ?",
                                     params));
    std::vector<FeedEntry> out;
    out.reserve(r.rows.size());
    for (const auto& row : r.rows) {
      FeedEntry e{row.Int(0),  row.Int(1),        row.Int(2),        row.Int(3), row.Text(4), row.Text(5),
                  row.Text(6), row.Text(7),       row.Text(8),       OptInt(row, 9), OptInt(row, 10)};
      std::string units = row.Text(11);
      for (size_t pos = 0; pos < units.size();) {
        size_t comma = units.find(',', pos);
        if (comma == std::string::npos) comma = units.size();
        e.units.push_back(std::stoll(units.substr(pos, comma - pos)));
        pos = comma + 1;
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::pair<int64_t, int64_t>> FeedBounds() override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM feed", {}));
    return std::pair<int64_t, int64_t>(r.rows.at(0).Int(0), r.rows.at(0).Int(1));
  }

  Result<int64_t> PruneFeed(InstantMs before) override {
    int64_t n = 0;
    GZ_RETURN_IF_ERROR(writes_.Run([&](sql::Connection& c) -> Status {
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec("DELETE FROM feed WHERE at < ?", {before}));
      n = r.affected;
      return Status::Ok();
    }));
    return n;
  }

  Result<std::vector<int64_t>> DueCaseIds(InstantMs now, int limit) override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT id FROM cases WHERE next_due IS NOT NULL AND next_due <= ? ORDER BY "
                                     "next_due LIMIT ?",
                                     {now, int64_t{limit}}));
    std::vector<int64_t> out;
    for (const auto& row : r.rows) out.push_back(row.Int(0));
    return out;
  }

  Result<std::vector<SupervisionRecord>> ListSupervisions(const std::string& prefix, int limit) override {
    // Addressed to a region in the scope (the level above the unit), or about a case in it.
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT s.id, s.case_id, s.kind, s.unit_id, s.worker_id, s.region_code, s.due_at, "
                                     "s.created_at FROM supervisions s JOIN cases c ON c.id = s.case_id "
                                     "WHERE (s.region_code >= ? AND s.region_code < ?) OR "
                                     "(c.region_code >= ? AND c.region_code < ?) ORDER BY s.id DESC LIMIT ?",
                                     {prefix, prefix + ":", prefix, prefix + ":", int64_t{limit}}));
    std::vector<SupervisionRecord> out;
    for (const auto& row : r.rows)
      out.push_back({row.Int(0), row.Int(1), row.Text(2), OptInt(row, 3), OptInt(row, 4), row.Text(5), row.Int(6), row.Int(7)});
    return out;
  }

  Result<std::map<int64_t, int>> OpenTasksByWorker(const std::vector<int64_t>& ids) override {
    std::map<int64_t, int> out;
    if (ids.empty()) return out;
    // One query for all of them (every id answered, 0 when it has no open task).
    std::string q = "SELECT worker_id, COUNT(*) FROM cases WHERE state IN ('dispatched', 'handling', 'resolved') AND "
                    "worker_id IN (";
    std::vector<Value> p;
    for (int64_t id : ids) q += p.empty() ? "?" : ", ?", p.push_back(id), out[id] = 0;
    GZ_ASSIGN_OR_RETURN(auto r, Read(q + ") GROUP BY worker_id", p));
    for (const auto& row : r.rows) out[row.Int(0)] = static_cast<int>(row.Int(1));
    return out;
  }

  Status RecordContactView(const ContactView& v) override {
    return writes_.Run([&](sql::Connection& c) -> Status {
      return c.Exec("INSERT INTO contact_views (case_id, actor, account, reason, at) VALUES (?, ?, ?, ?, ?)",
                    {v.case_id, v.actor, v.account, v.reason, v.at})
          .status();
    });
  }

  Result<std::vector<ContactView>> ListContactViews(int64_t case_id) override {
    return ReadAll("SELECT id, case_id, actor, account, reason, at FROM contact_views WHERE case_id = ? ORDER BY id",
                   {case_id}, [](const sql::Row& row) {
                     return ContactView{row.Int(0), row.Int(1), row.Text(2), row.Text(3), row.Text(4), row.Int(5)};
                   });
  }

  Result<std::vector<Summons>> ListSummons(int64_t case_id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return SummonsOn(*c, case_id);
  }

  Result<std::vector<PhotoRecord>> ListPhotos(int64_t case_id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return PhotosOn(*c, case_id);
  }

  Result<std::optional<Bundle>> GetCaseBundle(int64_t id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    // On SQLite one read transaction instead of five (each statement would take the WAL's read
    // lock by itself), and the parts agree with each other. On PostgreSQL BundleOn reads them again
    // in a snapshot of their own when they may not agree.
    sql::Transaction tx(*c, /*write=*/false);
    if (c->dialect() == sql::Dialect::kSqlite) GZ_RETURN_IF_ERROR(tx.Begin());
    return BundleOn(*c, BundleSql(BundleBy::kId), id, std::nullopt);
  }

  Result<std::optional<Bundle>> GetCaseBundleByTracking(const std::string& typed) override {
    const auto code = NormalizeTrackingCode(typed);
    if (!code) return std::optional<Bundle>();
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    sql::Transaction tx(*c, /*write=*/false);
    const bool sqlite = c->dialect() == sql::Dialect::kSqlite;
    if (sqlite) GZ_RETURN_IF_ERROR(tx.Begin());
    // As GetCaseByTracking: a derived code names its id, and the row must say its code is derived;
    // otherwise a code stored as it was given (on PostgreSQL its statements one after another, so
    // in a snapshot of their own).
    if (const auto id = codec_.Decode(*code); id && *id >= 1) {
      GZ_ASSIGN_OR_RETURN(auto b, BundleOn(*c, BundleSql(BundleBy::kId), *id, StoredTracking(*id)));
      if (b) return b;
    }
    if (!sqlite) GZ_RETURN_IF_ERROR(tx.BeginSnapshot());
    return BundleOn(*c, BundleSql(BundleBy::kStoredCode), *code, std::nullopt);
  }

  Result<std::string> PhotoType(const std::string& sha) override {
    GZ_ASSIGN_OR_RETURN(auto r, Read("SELECT content_type FROM case_photos WHERE sha256 = ? LIMIT 1", {sha}));
    if (r.rows.empty()) return Status::NotFound("no such photo");
    return r.rows[0].Text(0);
  }

 private:
  static const std::string& CaseByIdSql() {
    static const std::string q = std::string("SELECT ") + kCaseCols + " FROM cases WHERE id = ?";
    return q;
  }

  // The statement of a bundle's case row, found by id or by a stored tracking code, and whether the
  // case has summons, photos or merged cases at all: most have none, and then those three reads are
  // left out.
  enum class BundleBy { kId, kStoredCode };
  static const std::string& BundleSql(BundleBy by) {
    auto make = [](std::string_view w) {
      return std::string("SELECT ") + kCaseCols +
             ", CASE WHEN EXISTS (SELECT 1 FROM summons s WHERE s.case_id = cases.id) THEN 1 ELSE 0 END"
             ", CASE WHEN EXISTS (SELECT 1 FROM case_photos p WHERE p.case_id = cases.id) THEN 1 ELSE 0 END"
             ", CASE WHEN EXISTS (SELECT 1 FROM cases m WHERE m.merged_into = cases.id) THEN 1 ELSE 0 END"
             " FROM cases WHERE " + std::string(w);
    };
    static const std::string by_id = make("id = ?"), by_code = make("tracking_code = ?");
    return by == BundleBy::kId ? by_id : by_code;
  }

  // The bundle whose case row `q` (a BundleSql) finds with `key`, on `c` inside the caller's
  // transaction; none when there is no such row, or when `stored_code` is given and the row's
  // tracking_code column is not it.
  Result<std::optional<Bundle>> BundleOn(sql::Connection& c, const std::string& q, Value key,
                                         const std::optional<std::string>& stored_code) const {
    static const size_t n = std::count(kCaseCols, kCaseCols + std::strlen(kCaseCols), ',') + 1;
    std::optional<Bundle> b;
    bool summons = false, photos = false, merged = false;
    auto take_row = [&](const sql::Row& row) {
      if (stored_code && row.Text(1) != *stored_code) return;
      b.emplace();
      b->record = CaseFromRow(row, cipher_, codec_);
      summons = row.Int(n) != 0, photos = row.Int(n + 1) != 0, merged = row.Int(n + 2) != 0;
    };
    if (c.CanPipeline() && std::holds_alternative<int64_t>(key)) {
      // PostgreSQL, the id known: the row and the events in one round trip. In read committed each
      // statement sees the database as of its own start, so the events' statement also reads the
      // case's version: when an action committed between the two, or the case has summons, photos
      // or merged cases (its row says so), every part is read again in one snapshot.
      const int64_t id = std::get<int64_t>(key);
      std::vector<sql::Statement> st{{q, {std::move(key)}}, {EventsWithVersionSql(), {id, id}}};
      auto rs = c.Pipeline(st);
      for (auto& r : rs) GZ_RETURN_IF_ERROR(r.status());
      if (!rs[0]->rows.empty()) take_row(rs[0]->rows[0]);
      if (!b) return b;
      const auto& events = rs[1]->rows;
      const bool torn = !events.empty() && events[0].Int(10) != b->record.version;
      if (torn || summons || photos || merged) {
        st.push_back({SummonsSql(), {id}});
        st.push_back({PhotosSql(), {id}});
        st.push_back({MergedSql(), {id}});
        rs = sql::PipelineInSnapshot(c, st);
        for (auto& r : rs) GZ_RETURN_IF_ERROR(r.status());
        b.reset();
        if (!rs[0]->rows.empty()) take_row(rs[0]->rows[0]);
        if (!b) return b;
        for (const auto& row : rs[2]->rows) b->summons.push_back(SummonsFromRow(row));
        for (const auto& row : rs[3]->rows) b->photos.push_back(PhotoFromRow(row));
        for (const auto& row : rs[4]->rows) b->merged.push_back(row.Int(0));
      }
      b->events.reserve(rs[1]->rows.size());
      for (const auto& row : rs[1]->rows) b->events.push_back(EventFromRow(row));
      return b;
    }
    // SQLite, or a case found by a stored code: one statement after another, in the caller's
    // transaction.
    GZ_RETURN_IF_ERROR(c.ForEach(q, {std::move(key)}, take_row));
    if (!b) return b;
    const int64_t id = b->record.id;
    GZ_ASSIGN_OR_RETURN(b->events, EventsOn(c, id));
    if (summons) {
      GZ_ASSIGN_OR_RETURN(b->summons, SummonsOn(c, id));
    }
    if (merged) {
      GZ_ASSIGN_OR_RETURN(b->merged, AllOn(c, MergedSql(), {id}, [](const sql::Row& row) { return row.Int(0); }));
    }
    if (photos) {
      GZ_ASSIGN_OR_RETURN(b->photos, PhotosOn(c, id));
    }
    return b;
  }

  // Every row of `q` on `c`, converted by `from_row`.
  template <typename F>
  static auto AllOn(sql::Connection& c, const std::string& q, const std::vector<Value>& p, F from_row)
      -> Result<std::vector<decltype(from_row(std::declval<const sql::Row&>()))>> {
    std::vector<decltype(from_row(std::declval<const sql::Row&>()))> out;
    GZ_RETURN_IF_ERROR(c.ForEach(q, p, [&](const sql::Row& row) { out.push_back(from_row(row)); }));
    return out;
  }

  static const std::string& EventsSql() {
    static const std::string q = std::string("SELECT ") + kEventCols + " FROM case_events WHERE case_id = ? ORDER BY seq";
    return q;
  }

  // EventsSql's rows, each with the case's version as of the same statement (ids: the case's, twice).
  static const std::string& EventsWithVersionSql() {
    static const std::string q = std::string("SELECT ") + kEventCols +
                                 ", (SELECT version FROM cases WHERE id = ?) FROM case_events WHERE case_id = ? ORDER BY seq";
    return q;
  }

  static Result<std::vector<CaseEvent>> EventsOn(sql::Connection& c, int64_t case_id) {
    return AllOn(c, EventsSql(), {case_id}, EventFromRow);
  }

  static const char* SummonsSql() {
    return "SELECT case_id, unit_id, lead, summoned_at, ack_due, acked_at, note FROM summons WHERE case_id = ? "
           "ORDER BY lead DESC, unit_id";
  }
  static Summons SummonsFromRow(const sql::Row& row) {
    return Summons{row.Int(0), row.Int(1), row.Int(2) != 0, row.Int(3), row.Int(4), row.Int(5), row.Text(6)};
  }
  static Result<std::vector<Summons>> SummonsOn(sql::Connection& c, int64_t case_id) {
    return AllOn(c, SummonsSql(), {case_id}, SummonsFromRow);
  }

  static const char* PhotosSql() {
    return "SELECT case_id, sha256, content_type, bytes, stage, uploaded_by, uploaded_at FROM case_photos WHERE "
           "case_id = ? ORDER BY uploaded_at, sha256";
  }
  static PhotoRecord PhotoFromRow(const sql::Row& row) {
    return PhotoRecord{row.Int(0), row.Text(1), row.Text(2), row.Int(3), row.Text(4), row.Text(5), row.Int(6)};
  }
  static Result<std::vector<PhotoRecord>> PhotosOn(sql::Connection& c, int64_t case_id) {
    return AllOn(c, PhotosSql(), {case_id}, PhotoFromRow);
  }

  // The cases merged into one, newest first (a view lists at most 200).
  static const char* MergedSql() { return "SELECT id FROM cases WHERE merged_into = ? ORDER BY id DESC LIMIT 200"; }

  Result<sql::ExecResult> Read(const std::string& q, const std::vector<Value>& p) {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return c->Exec(q, p);
  }

  // Every row of `q`, converted by `from_row`.
  template <typename F>
  auto ReadAll(const std::string& q, const std::vector<Value>& p, F from_row)
      -> Result<std::vector<decltype(from_row(std::declval<const sql::Row&>()))>> {
    GZ_ASSIGN_OR_RETURN(auto c, pool_.Acquire());
    return AllOn(*c, q, p, from_row);
  }


  sql::Pool& pool_;
  // Duplicate look-ups in memory, when this process performs every case write (SQLite).
  struct NearbyCache {
    std::mutex mu;
    NearbyIndex index;
    bool loaded = false;
  };
  std::unique_ptr<NearbyCache> nearby_;
  // Before writes_: queued jobs use it until the queue has drained.
  std::shared_ptr<const ContactCipher> cipher_holder_;
  const ContactCipher* cipher_;  // null: contacts stored as given (tests of other things)
  const TrackingCodec codec_;
  sql::WriteQueue writes_;
  static constexpr int kPgIntakeWriters = 2;
  std::vector<std::unique_ptr<sql::WriteQueue>> intake_writes_;  // PostgreSQL only
  std::atomic<size_t> next_intake_{0};
  std::mutex case_ids_mu_;
  std::vector<int64_t> case_ids_;  // PostgreSQL: ids taken from the sequence, not used yet (highest first)
};

}  // namespace

std::unique_ptr<CaseStore> MakeSqlCaseStore(sql::Pool& pool, sql::Pool::Factory writer,
                                            std::shared_ptr<const ContactCipher> cipher,
                                            const TrackingKey& tracking_key, bool sole_writer) {
  return std::make_unique<SqlCaseStore>(pool, std::move(writer), std::move(cipher), tracking_key, sole_writer);
}

}  // namespace gongzhi
