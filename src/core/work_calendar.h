// Working-time calendar (工作日历): working hours per day, weekends, public holidays and adjusted
// working days (调休), in China Standard Time (UTC+8, no daylight saving). Deadlines of normal
// and urgent categories count working minutes; emergencies count natural time.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace gongzhi {

// Days since 1970-01-01 (a civil date, no time zone).
using CivilDay = int32_t;
CivilDay DayFromYmd(int y, int m, int d);
void YmdFromDay(CivilDay day, int& y, int& m, int& d);
// "2026-10-01" → day; nullopt-like failure as InvalidArgument.
Result<CivilDay> ParseDate(std::string_view text);
std::string FormatDate(CivilDay day);
// 0 = Monday ... 6 = Sunday.
int Weekday(CivilDay day);

// Local (China Standard Time) midnight starting `day`, and the local day an instant falls on.
InstantMs LocalMidnight(CivilDay day);
CivilDay LocalDay(InstantMs t);
// ISO 8601 local time with its offset: "2026-11-26T16:00:00+08:00"; "" for 0 (not yet).
std::string FormatLocalTime(InstantMs t);
// An instant from ISO 8601 / W3C: "2026-11-26T09:30:00+08:00", "...Z", "...-05:00", with optional
// fractional seconds; a bare date "2026-11-26" is local (UTC+8) midnight. InvalidArgument otherwise.
Result<InstantMs> ParseInstant(std::string_view text);

class WorkCalendar {
 public:
  static constexpr int64_t kUtcOffsetMinutes = 8 * 60;  // China Standard Time

  // Default: Monday–Friday, 08:30–12:00 and 13:30–17:30, no holidays.
  WorkCalendar();

  // Working periods of a working day as [start, end) minutes after local midnight; sorted,
  // non-overlapping, non-empty. InvalidArgument otherwise.
  Status SetPeriods(std::vector<std::pair<int, int>> periods);
  const std::vector<std::pair<int, int>>& periods() const { return periods_; }
  // A day off that would be a working day (public holiday, 调休 day off).
  void AddDayOff(CivilDay day) { off_.insert(day), work_.erase(day); }
  // A working day that would be a day off (调休上班 on a weekend).
  void AddWorkday(CivilDay day) { work_.insert(day), off_.erase(day); }
  // Loads the holiday CSV layout of data/holidays-cn-*.csv: "date,kind,holiday" with kind off|work;
  // '#' lines are comments. InvalidArgument naming the line on bad rows; nothing changes then.
  Status LoadHolidayCsv(std::string_view csv);

  bool IsWorkingDay(CivilDay day) const;
  // Minutes of work in one working day (450 by default).
  int MinutesPerDay() const;

  // The instant `minutes` working minutes after `start`. Time outside working periods does not
  // count; a start outside working hours begins at the next working period.
  InstantMs AddWorkingMinutes(InstantMs start, int64_t minutes) const;
  // Working minutes between two instants (0 when to <= from).
  int64_t WorkingMinutesBetween(InstantMs from, InstantMs to) const;

 private:
  std::vector<std::pair<int, int>> periods_;
  std::set<CivilDay> off_, work_;
};

}  // namespace gongzhi
