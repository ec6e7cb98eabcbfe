// The case engine's store port. Writes that change a case go through one write path that commits
// concurrent requests together (group commit) and returns only after the commit is durable.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/case.h"
#include "core/nearby_index.h"
#include "core/assessment.h"
#include "core/feed.h"
#include "core/work_calendar.h"
#include "core/routing.h"
#include "core/status.h"

namespace gongzhi {

struct CalendarDay {
  std::string day;      // YYYY-MM-DD
  std::string kind;     // "off" or "work"
  std::string holiday;  // name, may be empty
};

// One entry of a case's audit trail. `hash` = SHA-256(prev_hash, canonical form of the event).
struct CaseEvent {
  int64_t case_id = 0;
  int64_t seq = 0;  // 1, 2, ... per case
  InstantMs at = 0;
  std::string actor;   // "dispatcher:130404001", "unit:5", "worker:3", "reporter", "system"
  std::string action;  // "report", a CaseAction name, or "warn"/"overdue"/"summon"/"acknowledge"
  std::string from_state, to_state;
  std::string payload;  // canonical JSON object
  std::string prev_hash, hash;
  // Other units the event concerns (summoned, acknowledging), for the live feed; not hashed, not
  // stored with the event.
  std::vector<int64_t> units;
};

// Computes an event's hash from the event (prev_hash set). Supplied by the use case so the store
// stays free of the hashing scheme.
using EventHasher = std::function<std::string(const CaseEvent&)>;

struct CaseFilter {
  std::optional<CaseState> state;
  std::string category;      // code prefix
  std::string region;        // region code prefix (the case's deepest region)
  std::optional<int64_t> unit_id;
  std::optional<int64_t> worker_id;
  std::optional<int64_t> summoned_unit_id;  // cases this unit is summoned to (吹哨)
  std::vector<std::string> grid_codes;      // only cases in these grids (when not empty)
  bool to_verify = false;                   // CaseService, for a grid worker: the cases it verifies
  bool overdue_only = false;  // a response or handling deadline passed and not met
  InstantMs now = 0;          // for overdue_only
  InstantMs created_from = 0, created_to = 0;  // [from, to); 0 = open
  int64_t after_id = 0;       // cursor: ids below this (newest first); 0 = from the newest
  std::optional<int64_t> merged_into;
  bool open_only = false;     // not rejected, merged or closed
  bool closed_only = false;   // rejected, merged or closed
  std::optional<std::array<double, 4>> bbox;  // min_lng, max_lng, min_lat, max_lat
  int limit = 50;
};

// Duplicate candidates of a case: open cases (not rejected, merged or closed) of exactly
// `category` within `radius_m` of the point, reported in [created_from, created_to].
using NearbyQuery = NearbyIndex::Query;

struct SupervisionRecord {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string kind;  // "response" or "handling"
  std::optional<int64_t> unit_id, worker_id;
  std::string region_code;
  InstantMs due_at = 0, created_at = 0;
};

struct Summons {
  int64_t case_id = 0;
  int64_t unit_id = 0;
  bool lead = false;
  InstantMs summoned_at = 0, ack_due = 0, acked_at = 0;
  std::string note;
};

struct PhotoRecord {
  int64_t case_id = 0;
  std::string sha256, content_type;
  int64_t bytes = 0;
  std::string stage;        // "report", "handling", "verification"
  std::string uploaded_by;  // actor
  InstantMs uploaded_at = 0;
};

// One unmasked view of a reporter's contact (who, when, which case, why): PIPL accountability.
struct ContactView {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string actor;    // the case engine's actor
  std::string account;  // the signed-in login, empty for trusted scripts
  std::string reason;
  InstantMs at = 0;
};

// Writes that ride along with a case update, in the same transaction.
struct CaseSideWrites {
  std::vector<SupervisionRecord> supervisions;  // duplicates (same case, kind, due_at) are ignored
  std::vector<Summons> new_summons;             // kConflict if a unit is already summoned
  std::optional<Summons> acknowledge;           // sets acked_at and note of (case_id, unit_id)
  std::optional<PhotoRecord> photo;             // kConflict if the same photo is already on the case
  std::vector<CaseFact> facts;                  // assessment facts to insert or replace
  RollupDeltas rollup;                          // added to the roll-up rows
};

// Which roll-ups or facts an assessment query reads: a day range and optional filters.
struct AssessmentScope {
  CivilDay from = 0, to = 0;  // inclusive local days
  std::optional<int64_t> unit_id, worker_id;
  std::string region_prefix;    // a region and everything under it
  std::string category_prefix;  // a category and its sub-categories
  bool fine = false;  // read the community × category roll-ups even where the township ones would do (tests)
};
enum class RollupGroup { kNone, kUnit, kWorker, kCounty, kTownship, kCommunity, kCategory, kDay };

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // --- configuration; each change bumps ConfigVersion ---
  virtual Status UpsertCategories(const std::vector<Category>& cs) = 0;
  virtual Result<std::vector<Category>> ListCategories() = 0;
  virtual Result<ResponsibilityRule> InsertRule(const ResponsibilityRule& r) = 0;  // kConflict on a duplicate scope
  virtual Status DeleteRule(int64_t id) = 0;
  virtual Result<std::vector<ResponsibilityRule>> ListRules() = 0;
  virtual Status SetAdmission(const std::vector<std::string>& category_codes) = 0;
  virtual Result<std::vector<std::string>> ListAdmission() = 0;
  virtual Status UpsertCalendarDays(const std::vector<CalendarDay>& days) = 0;
  virtual Result<std::vector<CalendarDay>> ListCalendarDays() = 0;
  virtual Result<int64_t> ConfigVersion() = 0;

  // --- cases (group-committed writes) ---
  // Inserts the case and its first event and calls `done` with the new id and the case's tracking
  // code once that is durable (on the store's writer thread: `done` must be quick and must not call
  // the store's writes). A case given without a tracking code gets one derived from its id
  // (app/tracking_code.h); one given with a code keeps it.
  // `lookup`, when given, is run as FindNearbyOpen inside the same transaction just before the
  // insert (the duplicate candidates of the new case): on SQLite, reports of one problem that
  // arrive together see each other. On PostgreSQL intakes commit on several connections (and
  // nodes), so two reports in flight at the same instant may not; the case view lists candidates
  // again when a dispatcher opens it.
  struct Lookup {
    NearbyQuery query;
    std::vector<CaseRecord> found;
  };
  struct Inserted {
    int64_t id = 0;
    std::string tracking_code;
  };
  using InsertDone = std::function<void(Result<Inserted>)>;
  virtual void InsertCaseAsync(CaseRecord c, CaseEvent first, EventHasher hasher, std::optional<InstantMs> next_due,
                               std::shared_ptr<Lookup> lookup, InsertDone done) = 0;
  // InsertCaseAsync, waiting for the result.
  Result<int64_t> InsertCase(const CaseRecord& c, CaseEvent first, const EventHasher& hasher,
                             std::optional<InstantMs> next_due, std::shared_ptr<Lookup> lookup = nullptr) {
    std::promise<Result<int64_t>> p;
    auto f = p.get_future();
    InsertCaseAsync(c, std::move(first), hasher, next_due, std::move(lookup), [&p](Result<Inserted> r) {
      p.set_value(r.ok() ? Result<int64_t>(r->id) : Result<int64_t>(r.status()));
    });
    return f.get();
  }
  // Historical cases with their (synthesized) events and assessment facts (case_id set here), and
  // the roll-up deltas of all of them, in one transaction: all are written or none. Their events
  // do not enter the live feed.
  struct ImportedCase {
    CaseRecord record;
    std::vector<CaseEvent> events;
    std::vector<CaseFact> facts;
  };
  // The same, the cases asked for a step at a time while the one transaction is open: `step(i, out)`
  // fills `out` (empty) with the cases of step i (0, 1, ...) and says whether more steps follow. A
  // step's cases are written before the next is asked for, so only a step is held in memory; a
  // failure anywhere, a step's included, writes nothing. The steps may be asked for again from 0
  // (a write job can run twice), and must then be the same.
  using ImportSteps = std::function<Result<bool>(size_t i, std::vector<ImportedCase>& out)>;
  virtual Status ImportCasesInSteps(const ImportSteps& step, const EventHasher& hasher,
                                    const RollupDeltas& rollup) = 0;
  // All in one step (they are copied into it: for small sets).
  Status ImportCases(const std::vector<ImportedCase>& cases, const EventHasher& hasher, const RollupDeltas& rollup) {
    return ImportCasesInSteps(
        [&](size_t, std::vector<ImportedCase>& out) -> Result<bool> {
          out = cases;
          return false;
        },
        hasher, rollup);
  }
  // Writes `c` if the stored version still equals `expected_version` (kConflict otherwise) and
  // appends `events` (seq and hashes assigned here); bumps the version. `next_due` as above.
  virtual Status UpdateCase(const CaseRecord& c, int64_t expected_version, std::vector<CaseEvent> events,
                            const EventHasher& hasher, std::optional<InstantMs> next_due,
                            const CaseSideWrites& side = {}) = 0;
  virtual Result<std::optional<CaseRecord>> GetCase(int64_t id) = 0;
  // A case with what its view shows: its events, summons, the cases merged into it and its
  // photos, read in one go (on SQLite from one snapshot).
  struct Bundle {
    CaseRecord record;
    std::vector<CaseEvent> events;
    std::vector<Summons> summons;
    std::vector<int64_t> merged;  // ids of the cases merged into this one
    std::vector<PhotoRecord> photos;
  };
  virtual Result<std::optional<Bundle>> GetCaseBundle(int64_t id) = 0;
  // The case a tracking code names, the code as residents type it (NormalizeTrackingCode).
  virtual Result<std::optional<CaseRecord>> GetCaseByTracking(const std::string& code) = 0;
  // The same case as a Bundle, read as GetCaseBundle reads one (the public tracking page).
  virtual Result<std::optional<Bundle>> GetCaseBundleByTracking(const std::string& code) = 0;
  virtual Result<std::vector<CaseRecord>> ListCases(const CaseFilter& f) = 0;
  // The duplicate candidates `q` asks for, nearest first, at most q.limit; only id, state,
  // description, lng, lat and created_at are filled.
  virtual Result<std::vector<CaseRecord>> FindNearbyOpen(const NearbyQuery& q) = 0;
  virtual Result<std::vector<CaseEvent>> ListEvents(int64_t case_id) = 0;
  // Calls `fn` for every event, ordered by case then seq, with the hash the case row records for
  // its last event; stops early when fn returns false. Memory stays flat however long the history.
  // --- assessment ---
  virtual Result<std::vector<CaseFact>> ListFacts(int64_t case_id) = 0;
  // Sums of the roll-ups in `scope`, one row per group key (unit/worker id, region or category
  // code, day) or a single row with an empty key for kNone.
  virtual Result<std::vector<std::pair<std::string, RollupCounts>>> SumRollups(const AssessmentScope& scope,
                                                                               RollupGroup group) = 0;
  // Facts in `scope`'s filters that have any of their days in the range (callers decide which
  // count), in (case_id, n) order after `after` (a page cursor: the last fact of the page before).
  virtual Result<std::vector<CaseFact>> FactsIn(const AssessmentScope& scope, int limit,
                                                std::pair<int64_t, int> after = {0, 0}) = 0;
  // Late 报到 in `scope` (summons whose acknowledgement was due in the range and came late, or had
  // not come by `now`), per summoned unit (key "") with kNone, else by unit id.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountLateAcks(const AssessmentScope& scope,
                                                                             InstantMs now, bool by_unit) = 0;
  // The rebuild of every fact and roll-up row, in steps, so that its memory stays bounded however
  // long the history. ClearAssessment deletes them all and marks a rebuild under way (in the same
  // transaction); AddAssessment writes facts and adds roll-up deltas to the rows already there, one
  // transaction a call; FinishAssessment lifts the mark. A rebuild that stopped before its end
  // leaves the mark, which AssessmentRebuildUnderWay reports.
  virtual Status ClearAssessment() = 0;
  virtual Status AddAssessment(const std::vector<CaseFact>& facts, const RollupDeltas& rollups) = 0;
  virtual Status FinishAssessment() = 0;
  virtual Result<bool> AssessmentRebuildUnderWay() = 0;

  virtual Status ForEachEvent(const std::function<bool(const CaseEvent&, const std::string& case_last_hash)>& fn) = 0;
  virtual Result<int64_t> CountCases() = 0;
  // Dashboard counts: cases reported in [from, to) under `region_prefix`, grouped by `by`
  // ("state", "category", "community", "township", "grid" or "day"), largest count first except
  // for "day" (in day order). With `overdue_at`, instead the cases overdue at that instant (open,
  // a deadline passed and not met), whenever they were reported.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountCasesBy(const std::string& by,
                                                                            const std::string& region_prefix,
                                                                            InstantMs from, InstantMs to,
                                                                            InstantMs overdue_at = 0) = 0;
  // --- live feed (one entry per event, written with the events) ---
  // Entries with after < id <= through (through 0: no upper bound), in id order, at most `limit`.
  virtual Result<std::vector<FeedEntry>> ReadFeed(int64_t after, int64_t through, int limit) = 0;
  // Entries with from <= at < to, in id order, at most `limit`.
  virtual Result<std::vector<FeedEntry>> ReadFeedAt(InstantMs from, InstantMs to, int limit) = 0;
  // The lowest and highest id in the feed, {0, 0} when it is empty.
  virtual Result<std::pair<int64_t, int64_t>> FeedBounds() = 0;
  // Deletes entries older than `before`; returns how many.
  virtual Result<int64_t> PruneFeed(InstantMs before) = 0;
  // Ids of cases whose next_due <= now, earliest first.
  virtual Result<std::vector<int64_t>> DueCaseIds(InstantMs now, int limit) = 0;
  virtual Result<std::vector<SupervisionRecord>> ListSupervisions(const std::string& region_prefix, int limit) = 0;
  // Open cases (dispatched or in handling) per grid worker.
  virtual Result<std::map<int64_t, int>> OpenTasksByWorker(const std::vector<int64_t>& worker_ids) = 0;
  virtual Result<std::vector<Summons>> ListSummons(int64_t case_id) = 0;
  // Durable before it returns: a contact is shown only after its view is on record.
  virtual Status RecordContactView(const ContactView& v) = 0;
  virtual Result<std::vector<ContactView>> ListContactViews(int64_t case_id) = 0;
  virtual Result<std::vector<PhotoRecord>> ListPhotos(int64_t case_id) = 0;
  // The content type of a stored photo, or NotFound.
  virtual Result<std::string> PhotoType(const std::string& sha256) = 0;
};

}  // namespace gongzhi
