// Use cases of the case engine (工单): configuration, intake, lifecycle actions with deadlines and
// the audit chain, the deadline sweep, 吹哨报到, tracking by residents.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/file_store.h"
#include "app/grids.h"
#include "app/store.h"
#include "core/case.h"
#include "core/routing.h"
#include "core/work_calendar.h"

namespace gongzhi {

// Who acts. Until accounts arrive (issue #6) the HTTP layer takes it from a request header.
struct Actor {
  enum class Kind { kDispatcher, kUnit, kWorker, kSystem, kReporter };
  Kind kind = Kind::kSystem;
  std::string region;  // kDispatcher: the region the dispatcher serves (township, county, ...)
  int64_t id = 0;      // kUnit: unit id; kWorker: grid worker id
  // "dispatcher:130404001", "unit:5", "worker:3", "system".
  static Result<Actor> Parse(std::string_view text);
  std::string ToString() const;
};

struct IntakeRequest {
  std::string category_code;  // may be empty
  std::string description;
  std::optional<double> lng, lat;
  std::string region_code;  // when no point is given: the community or township it concerns
  std::string reporter_name, reporter_phone;
  Channel channel = Channel::kResident;
};

struct IntakeResult {
  CaseRecord record;
  std::vector<CaseRecord> duplicate_candidates;  // open cases of the same category nearby
};

struct ActionRequest {
  int64_t expected_version = 0;  // required: the version the actor saw
  std::string reason;            // reject, return, park, rework, request_extension
  std::string note;              // resolve, and free text for any action
  std::string category_code;     // accept / dispatch may classify
  std::optional<int64_t> unit_id, worker_id;  // dispatch target (neither: the suggested unit)
  int64_t extension_minutes = 0;              // request_extension
  std::optional<int64_t> merge_into;          // merge
  std::string review_date;                    // park: YYYY-MM-DD
  bool solved = true;                         // rate
  Satisfaction satisfaction = Satisfaction::kSatisfied;
};

struct CaseView {
  CaseRecord record;
  std::vector<CaseEvent> events;
  std::vector<Summons> summons;
  std::vector<int64_t> merged_cases;  // cases merged into this one
  std::vector<PhotoRecord> photos;
  DeadlineLight response_light = DeadlineLight::kNone, handling_light = DeadlineLight::kNone;
  std::vector<CaseAction> allowed;  // actions the asking actor may take now
  // When the actor may merge the case: open cases of its category nearby (at most 10).
  struct Candidate {
    CaseRecord record;
    double distance_m = 0;
  };
  std::vector<Candidate> duplicate_candidates;
};

// What a resident sees by tracking code: no personal data.
struct TrackView {
  std::string tracking_code;
  CaseState state;
  std::string category_name;
  InstantMs created_at = 0, updated_at = 0;
  std::vector<std::pair<InstantMs, std::string>> steps;  // (time, action) of public milestones
  bool can_rate = false;
  std::optional<std::string> merged_into_code;  // followed automatically for state and rating
};

// A reporter's contact, unmasked.
struct ReporterContact {
  std::string name, phone;
};

// Everything the platform holds about the reporter of one case (PIPL right of access).
struct ReporterData {
  std::string tracking_code;
  InstantMs reported_at = 0;
  std::string channel, description, region_code, grid_code;
  std::optional<double> lng, lat;
  ReporterContact contact;
  std::vector<PhotoRecord> photos;         // those the reporter uploaded
  std::optional<bool> rating_solved;
  std::optional<Satisfaction> rating_satisfaction;
  std::vector<ContactView> contact_views;  // who saw the contact unmasked, when, why
};

struct SweepStats {
  int cases = 0, warnings = 0, overdue = 0, supervisions = 0, auto_closed = 0, missed_summons = 0, reviews_due = 0;
};

// Grid workers' load in one community (负荷均衡): open tasks against capacity.
struct LoadSpread {
  struct Worker {
    int64_t id;
    std::string name;
    int open_tasks, capacity;
  };
  std::vector<Worker> workers;
  int max = 0;
  double mean = 0, max_over_mean = 0, gini = 0;
};

struct CaseSettings {
  double duplicate_radius_m = 200;
  int64_t duplicate_window_hours = 72;
  int64_t auto_close_days = 7;         // verified cases without a rating close after this many days
  int64_t summons_ack_minutes = 30;    // default time to 报到
  // Working periods of a working day, minutes after local midnight (default 08:30–12:00, 13:30–17:30).
  std::vector<std::pair<int, int>> working_periods = {{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}};
};

// Parses "08:30-12:00" into minutes after midnight; InvalidArgument naming `field` otherwise.
Result<std::pair<int, int>> ParsePeriod(std::string_view text, const std::string& field);
// Checks settings (radius 1..5000 m, window 1..720 h, auto-close 1..90 days, 报到 1..1440 min, periods).
Status ValidateCaseSettings(const CaseSettings& s);

class CaseService {
 public:
  // `files` may be null: photo uploads then answer Unavailable.
  CaseService(Store& store, GridService& grids, const Clock& clock, CaseSettings settings = {},
              FileStore* files = nullptr);

  // --- configuration ---
  Status LoadConfig();
  Status RefreshConfigIfChanged();
  Result<std::vector<Category>> Categories();
  Status UpsertCategories(const std::vector<Category>& cs);
  Result<std::vector<ResponsibilityRule>> Rules();
  Result<ResponsibilityRule> AddRule(ResponsibilityRule r);
  Status DeleteRule(int64_t id);
  Result<std::vector<std::string>> Admission();
  Status SetAdmission(const std::vector<std::string>& codes);
  Status ImportCalendarCsv(std::string_view csv);
  Result<std::vector<CalendarDay>> CalendarDays();
  // Loads the demo configuration (categories, calendar 2026, rules, admission list) if empty.
  Status LoadDemoConfig();

  // --- cases ---
  Result<IntakeResult> Report(const IntakeRequest& req);
  // Report without waiting: `done` is called once the case is durable (on the store's writer
  // thread, so it must be quick) or at once when the request is refused.
  void ReportAsync(const IntakeRequest& req, std::function<void(Result<IntakeResult>)> done);
  Result<CaseView> Get(int64_t id, const Actor& actor);
  Result<std::vector<CaseRecord>> List(CaseFilter filter, const Actor& actor);
  Result<CaseView> Act(int64_t id, CaseAction action, const Actor& actor, const ActionRequest& req);
  // 吹哨: a dispatcher summons units to a case dispatched to a unit (that unit leads).
  Result<CaseView> Summon(int64_t id, const Actor& actor, const std::vector<int64_t>& units, int64_t expected_version,
                          int64_t ack_minutes);
  // 报到: a summoned unit acknowledges, optionally recording its part.
  Result<CaseView> Acknowledge(int64_t id, const Actor& actor, const std::string& note, int64_t expected_version);
  Result<WorkerProposal> ProposeWorker(int64_t id, const Actor& actor);
  Result<LoadSpread> CommunityLoad(const std::string& community_code);
  const Clock& clock() const { return clock_; }
  // Dashboard: cases reported in the days [from, to] under `region`, counted by state, category,
  // community, township, grid or day (day keys as YYYY-MM-DD).
  Result<std::vector<std::pair<std::string, int64_t>>> CountBy(const std::string& by, const std::string& region,
                                                               CivilDay from, CivilDay to);
  // Cases overdue now under `region`, counted by `by` (as CountBy, without day keys).
  Result<std::vector<std::pair<std::string, int64_t>>> CountOverdueBy(const std::string& by, const std::string& region);
  // Categories from CSV: code,name,parent_code,urgency,response_minutes,handling_minutes.
  Status ImportCategoriesCsv(std::string_view csv);
  // Historical cases, finished (closed or rejected), from CSV with the columns of the case export
  // (a header row names them, in any order). Their events are synthesized from the times, so the
  // assessment and the audit chain read them like live cases. Checked whole first: a bad row is
  // reported as "line N.column" and nothing of the file is written. Returns how many were added.
  Result<int64_t> ImportHistoryCsv(std::string_view csv);
  // Responsibility rules from CSV: category_code,region_code,unit_id. All checked before any is added.
  Result<size_t> ImportRulesCsv(std::string_view csv);

  // --- photos (JPEG/PNG/WebP, ≤ 5 MiB, ≤ 9 per case and stage; each upload is an audit event) ---
  // By someone acting on the case: the handler's photos are stage "handling", others "verification".
  Result<PhotoRecord> AddPhoto(int64_t id, const Actor& actor, std::string_view bytes, std::string_view declared_type);
  // By the reporter, with the tracking code: stage "report".
  Result<PhotoRecord> AddReporterPhoto(const std::string& code, std::string_view bytes, std::string_view declared_type);
  // Bytes and content type of a photo by its SHA-256.
  Result<std::pair<std::string, std::string>> GetPhoto(const std::string& sha256);

  // --- residents ---
  Result<TrackView> Track(const std::string& code);
  // The reporter's contact unmasked, for a role that calls residents back: the case's dispatcher,
  // its handling unit or worker, an administrator (others in scope: PermissionDenied; out of
  // scope: NotFound). The view is on record (actor, `account`, `reason`, time) before it returns.
  Result<ReporterContact> RevealContact(int64_t id, const Actor& actor, const std::string& account,
                                        const std::string& reason);
  // The record of those views: the case's dispatcher or an administrator.
  Result<std::vector<ContactView>> ContactViews(int64_t id, const Actor& actor);
  // PIPL rights of the reporter, who proves it with the tracking code: what is held about them, and
  // its deletion. Deletion clears name and phone (and the record of views of them keeps who looked,
  // not what they saw); the case, its events, photos and figures stay. Recorded as an event.
  Result<ReporterData> ReporterDataOf(const std::string& code);
  Status ForgetReporter(const std::string& code);
  Result<TrackView> Rate(const std::string& code, bool solved, Satisfaction satisfaction);

  // --- timers ---
  // Fires every deadline threshold due by now: warnings (80%), overdue + 督办 (100%), missed 报到,
  // auto-close. Reads only the cases due (indexed). Idempotent.
  Result<SweepStats> Sweep(int limit = 1000);

  Result<std::vector<SupervisionRecord>> Supervisions(const std::string& region_prefix, int limit);

 private:
  struct PreparedIntake {  // a checked, located, routed case ready to insert
    CaseRecord record;
    CaseEvent first;
    std::shared_ptr<CaseStore::Lookup> duplicates;  // null when there is nothing to compare with
  };
  Result<PreparedIntake> PrepareIntake(const IntakeRequest& req);
  NearbyQuery DuplicateQuery(const CaseRecord& c, InstantMs now) const;
  Result<std::vector<CaseView::Candidate>> DuplicatesOf(const CaseRecord& c);
  Result<std::string> SupervisingRegion(const CaseRecord& c);
  // Folds `events` into the case's assessment facts; the changes go into `side` (same transaction).
  Status AssessmentWrites(const CaseRecord& c, const std::vector<CaseEvent>& events, CaseSideWrites& side);

  struct Config {
    int64_t version = -1;
    std::map<std::string, Category> categories;
    std::vector<ResponsibilityRule> rules;
    std::vector<std::string> admission;
    WorkCalendar calendar;
  };
  std::shared_ptr<const Config> config() const;
  Status CommitAction(CaseRecord& c, int64_t expected_version, const std::string& actor, const std::string& action,
                      CaseState from, const std::string& payload, const CaseSideWrites& side = {});
  // Every timer a case carries in its state, earliest first: deadline thresholds, auto-close,
  // 挂账 review, and 报到 still owed by summoned units. The sweep fires them; NextDue indexes them.
  struct Timer {
    InstantMs at;
    enum Kind { kResponseWarn, kResponseDue, kHandlingWarn, kHandlingDue, kAutoClose, kReview, kSummons } kind;
    int64_t unit_id = 0;  // kSummons
  };
  std::vector<Timer> TimersOf(const CaseRecord& c, const std::vector<Summons>& summons) const;
  std::optional<InstantMs> NextDue(const CaseRecord& c, const std::vector<Summons>& summons, InstantMs after) const;
  Result<std::vector<CaseRole>> RolesOf(const Actor& a, const CaseRecord& c);
  // The view of `c` as stored now, with `c` itself as the record (the caller's copy, just written).
  Result<CaseView> View(const CaseRecord& c, const std::vector<CaseRole>& roles);
  Result<CaseView> ViewOf(CaseStore::Bundle b, const std::vector<CaseRole>& roles);
  Result<PhotoRecord> AttachPhoto(CaseRecord c, const std::string& actor, const std::string& stage, std::string_view bytes,
                                  std::string_view declared_type);

  Store& store_;
  CaseStore& cases_;
  GridService& grids_;
  const Clock& clock_;
  CaseSettings settings_;
  FileStore* files_;
  mutable std::mutex mu_;
  std::shared_ptr<const Config> config_;
};

}  // namespace gongzhi
