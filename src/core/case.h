// Cases (工单) and the configuration they are judged by: categories (事项清单) with their limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case_lifecycle.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/work_calendar.h"

namespace gongzhi {

enum class Urgency { kNormal, kUrgent, kEmergency };
const char* UrgencyName(Urgency u);
std::optional<Urgency> ParseUrgency(std::string_view s);

// 事项清单: a two-level tree (大类 / 小类). A 小类's code starts with its 大类's code.
struct Category {
  std::string code;         // "01" (大类) or "0101" (小类): 2–8 ASCII letters/digits
  std::string name;
  std::string parent_code;  // empty for a 大类
  Urgency urgency = Urgency::kNormal;
  int64_t response_minutes = 0;  // to claim (签收); working minutes unless emergency
  int64_t handling_minutes = 0;  // to resolve (办结); working minutes unless emergency
  bool active = true;
};

// Shape, name, limits (response ≤ handling, both 1 minute .. 365 days) and parent prefix.
Status ValidateCategory(const Category& c);

enum class Channel { kResident, kGridWorker, kHotline, kApi };
const char* ChannelName(Channel c);
std::optional<Channel> ParseChannel(std::string_view s);

struct Deadlines {
  InstantMs response_warn = 0, response_due = 0;  // warn at 80% of the limit (黄灯), due at 100% (红灯)
  InstantMs handling_warn = 0, handling_due = 0;
};

// Deadlines of a case dispatched at `from`. Emergencies count natural time; the others the
// calendar's working minutes.
Deadlines ComputeDeadlines(const Category& c, const WorkCalendar& cal, InstantMs from);

// Adds `extra_minutes` (working or natural, as the category counts) to a handling deadline (延期).
Deadlines ExtendHandling(const Deadlines& d, const Category& c, const WorkCalendar& cal, int64_t extra_minutes);

enum class DeadlineLight { kNone, kGreen, kYellow, kRed };
const char* DeadlineLightName(DeadlineLight l);
// The light of one deadline at `now` (kNone when the deadline is not set).
DeadlineLight LightAt(InstantMs warn, InstantMs due, InstantMs now);

struct CaseRecord {
  int64_t id = 0;
  std::string tracking_code;  // random, unguessable; what the resident tracks the case by
  int64_t version = 0;        // optimistic concurrency: bumped by every change
  CaseFacts facts;
  std::string category_code;  // may be empty until a dispatcher classifies it
  std::string description;
  std::optional<double> lng, lat;
  std::string grid_code;
  std::string region_code;    // deepest region known: community (from the grid) or as reported
  std::string township_code;  // 属地: the township whose dispatchers own the case
  Channel channel = Channel::kResident;
  std::string reporter_name, reporter_phone;
  std::optional<int64_t> suggested_unit_id;  // from the responsibility list at intake
  std::string route_reason;                  // why that unit, or why the township decides
  std::optional<int64_t> unit_id;    // dispatched to a unit ...
  std::optional<int64_t> worker_id;  // ... or to a grid worker
  std::optional<int64_t> merged_into;
  InstantMs created_at = 0, updated_at = 0, dispatched_at = 0, claimed_at = 0, resolved_at = 0, verified_at = 0,
            closed_at = 0;
  InstantMs timers_through = 0;  // every deadline timer at or before this instant has fired
  InstantMs review_at = 0;       // 挂账: when a parked case comes back to the dispatchers
  Deadlines deadlines;
  int return_count = 0, rework_count = 0;
  std::optional<bool> rating_solved;
  std::optional<Satisfaction> rating_satisfaction;
};

const char* SatisfactionName(Satisfaction s);
std::optional<Satisfaction> ParseSatisfaction(std::string_view s);

// Intake checks of what a reporter supplies: description 1..4,000 characters of plain text,
// coordinates in range when given, reporter name ≤ 50 bytes, phone digits.
Status ValidateIntake(const CaseRecord& c);

// Coarse spatial cells (0.002° ≈ 200 m) so duplicate look-ups use an index instead of scanning
// every open case of a category: the cell of a point, and every cell within `radius_m` of it.
int64_t GeoCell(double lng, double lat);
std::vector<int64_t> GeoCellsAround(double lng, double lat, double radius_m);
// Half the sides, in degrees, of a box around a point at latitude `lat` that holds every point
// within `radius_m` of it (a little wider than exact, so it never cuts the circle).
struct DegreeBox {
  double dlat, dlng;
};
DegreeBox BoxAround(double lat, double radius_m);
// Great-circle distance in metres between two points given in degrees.
double DistanceM(double lng1, double lat1, double lng2, double lat2);

// Counts Unicode code points (the description limit is in characters, not bytes).
size_t Utf8Length(std::string_view s);

}  // namespace gongzhi
