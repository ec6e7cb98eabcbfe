#include "core/work_calendar.h"

#include <cstdio>

#include "core/csv.h"

namespace gongzhi {
namespace {

constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMinutesPerDay = 24 * 60;

// Floor division for negative instants too.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days.
CivilDay DayFromYmd(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void YmdFromDay(CivilDay z, int& y, int& m, int& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y += m <= 2;
}

Result<CivilDay> ParseDate(std::string_view t) {
  int y, m, d;
  char tail;
  std::string s(t);
  if (t.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
      d > 31)
    return Status::Invalid("date", "'" + s + "' is not a date YYYY-MM-DD");
  CivilDay day = DayFromYmd(y, m, d);
  int y2, m2, d2;
  YmdFromDay(day, y2, m2, d2);
  if (m2 != m || d2 != d) return Status::Invalid("date", "'" + s + "' does not exist");
  return day;
}

std::string FormatDate(CivilDay day) {
  int y, m, d;
  YmdFromDay(day, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int Weekday(CivilDay day) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  int w = (day + 3) % 7;
  return w < 0 ? w + 7 : w;
}

InstantMs LocalMidnight(CivilDay day) {
  return (static_cast<int64_t>(day) * kMinutesPerDay - WorkCalendar::kUtcOffsetMinutes) * kMsPerMinute;
}

CivilDay LocalDay(InstantMs t) {
  return static_cast<CivilDay>(FloorDiv(t + WorkCalendar::kUtcOffsetMinutes * kMsPerMinute, kMinutesPerDay * kMsPerMinute));
}

WorkCalendar::WorkCalendar() : periods_{{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}} {}

Status WorkCalendar::SetPeriods(std::vector<std::pair<int, int>> periods) {
  if (periods.empty()) return Status::Invalid("periods", "a working day needs at least one period");
  int last_end = 0;
  for (size_t i = 0; i < periods.size(); ++i) {
    auto [s, e] = periods[i];
    if (s < last_end || s >= e || e > kMinutesPerDay)
      return Status::Invalid("periods[" + std::to_string(i) + "]",
                             "periods must be sorted, non-overlapping and inside one day");
    last_end = e;
  }
  periods_ = std::move(periods);
  return Status::Ok();
}

Status WorkCalendar::LoadHolidayCsv(std::string_view csv) {
  CsvReader reader(csv);
  std::vector<std::string> f;
  std::vector<std::pair<CivilDay, bool>> rows;  // (day, is_off)
  bool header = true;
  while (reader.Next(f)) {
    std::string where = "line " + std::to_string(reader.line());
    if (header && !f.empty() && f[0] == "date") {
      header = false;
      continue;
    }
    header = false;
    if (f.size() < 2) return Status::Invalid(where, "expected date,kind[,holiday]");
    auto day = ParseDate(f[0]);
    if (!day.ok()) return Status::Invalid(where + ".date", day.status().message());
    if (f[1] != "off" && f[1] != "work") return Status::Invalid(where + ".kind", "kind must be 'off' or 'work'");
    rows.emplace_back(*day, f[1] == "off");
  }
  for (auto [day, off] : rows) off ? AddDayOff(day) : AddWorkday(day);
  return Status::Ok();
}

bool WorkCalendar::IsWorkingDay(CivilDay day) const {
  if (work_.count(day)) return true;
  if (off_.count(day)) return false;
  return Weekday(day) < 5;
}

int WorkCalendar::MinutesPerDay() const {
  int n = 0;
  for (auto [s, e] : periods_) n += e - s;
  return n;
}

InstantMs WorkCalendar::AddWorkingMinutes(InstantMs start, int64_t minutes) const {
  if (minutes <= 0) return start;
  constexpr int64_t kMsPerDay = kMinutesPerDay * kMsPerMinute;
  const int64_t offset_ms = kUtcOffsetMinutes * kMsPerMinute;
  const int64_t local_ms = start + offset_ms;
  int64_t day = FloorDiv(local_ms, kMsPerDay);
  int64_t pos = local_ms - day * kMsPerDay;  // ms into the local day
  int64_t left = minutes * kMsPerMinute;
  const int64_t per_day = MinutesPerDay() * kMsPerMinute;
  // Bounded: a calendar with no working day for 100,000 days is a configuration error.
  for (int guard = 0; guard < 100000; ++guard) {
    if (IsWorkingDay(static_cast<CivilDay>(day))) {
      for (auto [s, e] : periods_) {
        const int64_t s_ms = s * kMsPerMinute, e_ms = e * kMsPerMinute;
        if (pos >= e_ms) continue;
        const int64_t from = std::max(pos, s_ms);
        const int64_t avail = e_ms - from;
        if (left <= avail) return day * kMsPerDay + from + left - offset_ms;
        left -= avail;
        pos = e_ms;
      }
    }
    ++day;
    pos = 0;
    // Whole working days that cannot hold the deadline are skipped at once.
    while (left > per_day && IsWorkingDay(static_cast<CivilDay>(day))) {
      left -= per_day;
      ++day;
    }
  }
  return start;
}

int64_t WorkCalendar::WorkingMinutesBetween(InstantMs from, InstantMs to) const {
  if (to <= from) return 0;
  int64_t a = FloorDiv(from + kUtcOffsetMinutes * kMsPerMinute, kMsPerMinute);
  int64_t b = FloorDiv(to + kUtcOffsetMinutes * kMsPerMinute, kMsPerMinute);
  int64_t total = 0;
  CivilDay d0 = static_cast<CivilDay>(FloorDiv(a, kMinutesPerDay));
  CivilDay d1 = static_cast<CivilDay>(FloorDiv(b, kMinutesPerDay));
  for (CivilDay d = d0; d <= d1; ++d) {
    if (!IsWorkingDay(d)) continue;
    int64_t base = static_cast<int64_t>(d) * kMinutesPerDay;
    for (auto [s, e] : periods_) {
      int64_t lo = std::max(a, base + s), hi = std::min(b, base + e);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

Result<InstantMs> ParseInstant(std::string_view text) {
  auto bad = [&] {
    return Status::Invalid("", "'" + std::string(text.substr(0, 40)) +
                                   "' is not a date-time like 2026-11-26T09:30:00+08:00 or a date like 2026-11-26");
  };
  if (text.size() < 10) return bad();
  auto day = ParseDate(text.substr(0, 10));
  if (!day.ok()) return bad();
  if (text.size() == 10) return LocalMidnight(*day);
  auto num = [&](size_t pos, size_t len, int hi) -> int {
    if (pos + len > text.size()) return -1;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v <= hi ? v : -1;
  };
  if (text[10] != 'T' && text[10] != ' ') return bad();
  int hh = num(11, 2, 23), mm = num(14, 2, 59), ss = num(17, 2, 60);
  if (hh < 0 || mm < 0 || ss < 0 || text[13] != ':' || text.size() < 19 || text[16] != ':') return bad();
  size_t pos = 19;
  int64_t ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    size_t digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits)
      if (digits < 3) ms = ms * 10 + (text[pos] - '0');
    if (digits == 0) return bad();
    for (; digits < 3; ++digits) ms *= 10;
  }
  int64_t offset_min = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    const bool colon = pos + 3 < text.size() && text[pos + 3] == ':';
    int oh = num(pos + 1, 2, 23), om = num(pos + (colon ? 4 : 3), 2, 59);
    if (oh < 0 || om < 0) return bad();
    pos += colon ? 6 : 5;
    offset_min = sign * (oh * 60 + om);
  } else {
    return bad();  // a time without a zone is ambiguous
  }
  if (pos != text.size()) return bad();
  const int64_t utc_s = int64_t{*day} * 86400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
  return utc_s * 1000 + ms;
}

}  // namespace gongzhi

namespace gongzhi {

std::string FormatLocalTime(InstantMs t) {
  if (t == 0) return "";
  const int64_t local_s = t / 1000 + WorkCalendar::kUtcOffsetMinutes * 60;
  const CivilDay day = static_cast<CivilDay>(local_s >= 0 ? local_s / 86400 : (local_s - 86399) / 86400);
  const int64_t sec = local_s - int64_t{day} * 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d+08:00", FormatDate(day).c_str(), static_cast<int>(sec / 3600),
                static_cast<int>(sec / 60 % 60), static_cast<int>(sec % 60));
  return buf;
}


}  // namespace gongzhi
