#include "core/work_calendar.h"

#include <random>

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

// Local (UTC+8) wall time to an instant.
InstantMs At(int y, int m, int d, int hh, int mm) {
  return ((static_cast<int64_t>(DayFromYmd(y, m, d)) * 1440 + hh * 60 + mm) - 480) * 60'000;
}

std::string Show(InstantMs t) {
  int64_t local_min = t / 60'000 + 480;
  CivilDay day = static_cast<CivilDay>(local_min / 1440);
  int mod = static_cast<int>(local_min % 1440);
  char buf[32];
  std::snprintf(buf, sizeof buf, " %02d:%02d", mod / 60, mod % 60);
  return FormatDate(day) + buf;
}

WorkCalendar Cal2026() {
  WorkCalendar c;
  std::string csv =
      "# comment\ndate,kind,holiday\n"
      "2026-10-01,off,国庆节\n2026-10-02,off,国庆节\n2026-10-03,off,国庆节\n2026-10-04,off,国庆节\n"
      "2026-10-05,off,国庆节\n2026-10-06,off,国庆节\n2026-10-07,off,国庆节\n2026-10-10,work,国庆节\n"
      "2026-09-20,work,国庆节\n";
  EXPECT_TRUE(c.LoadHolidayCsv(csv).ok());
  return c;
}

TEST(CivilDateTest, RoundTripsAndWeekdays) {
  EXPECT_EQ(DayFromYmd(1970, 1, 1), 0);
  EXPECT_EQ(FormatDate(DayFromYmd(2026, 10, 10)), "2026-10-10");
  EXPECT_EQ(Weekday(DayFromYmd(2026, 10, 10)), 5);  // a Saturday
  EXPECT_EQ(Weekday(DayFromYmd(2026, 11, 26)), 3);  // a Thursday
  EXPECT_EQ(*ParseDate("2024-02-29"), DayFromYmd(2024, 2, 29));
  EXPECT_FALSE(ParseDate("2026-02-29").ok());
  EXPECT_FALSE(ParseDate("2026-13-01").ok());
  EXPECT_FALSE(ParseDate("26-1-1").ok());
}

TEST(WorkCalendarTest, WithinOneDay) {
  WorkCalendar c;
  EXPECT_EQ(c.MinutesPerDay(), 450);
  // Thursday 2026-11-26 09:00 + 60 min = 10:00; + 200 min crosses lunch: 09:00+180 = 12:00, +20 → 13:50.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 26, 9, 0), 60)), "2026-11-26 10:00");
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 26, 9, 0), 200)), "2026-11-26 13:50");
  // Exactly one working day from the start of the day ends at 17:30 the same day.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 26, 8, 30), 450)), "2026-11-26 17:30");
  // A report at night starts counting at 08:30 the next working day.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 26, 22, 15), 30)), "2026-11-27 09:00");
  // In the lunch break: counting starts at 13:30.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 26, 12, 40), 10)), "2026-11-26 13:40");
}

TEST(WorkCalendarTest, CrossesAWeekend) {
  WorkCalendar c;
  // Friday 2026-11-27 16:30 + 120 working minutes: 60 on Friday, 60 on Monday.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 27, 16, 30), 120)), "2026-11-30 09:30");
  // Saturday report, 1 working day: Monday 17:30.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 11, 28, 10, 0), 450)), "2026-11-30 17:30");
}

TEST(WorkCalendarTest, NationalDayAndTheAdjustedSaturday) {
  WorkCalendar c = Cal2026();
  EXPECT_FALSE(c.IsWorkingDay(DayFromYmd(2026, 10, 1)));  // Thursday, holiday
  EXPECT_TRUE(c.IsWorkingDay(DayFromYmd(2026, 10, 10)));  // Saturday, 调休上班
  EXPECT_TRUE(c.IsWorkingDay(DayFromYmd(2026, 9, 20)));   // Sunday, 调休上班
  // Reported Wednesday 2026-09-30 at 16:30, 2 working days (900 min): 60 min on the 30th, then
  // nothing 10-01..10-07, 10-08 (Thu) full day, 10-09 (Fri) 390 min → 16:30.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 9, 30, 16, 30), 900)), "2026-10-09 16:30");
  // Friday 10-09 17:00 + 60 min: 30 on Friday, then the 调休 Saturday 10-10 counts: 09:00.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 10, 9, 17, 0), 60)), "2026-10-10 09:00");
  // 15 working days (违法搭建) from Monday 2026-09-28 08:30.
  // Working days: 9-28,29,30 (3), 10-08,09,10 (6), 10-12..16 (11), 10-19..22 (15) → Thursday 10-22 17:30.
  EXPECT_EQ(Show(c.AddWorkingMinutes(At(2026, 9, 28, 8, 30), 15 * 450)), "2026-10-22 17:30");
}

TEST(WorkCalendarTest, BetweenIsTheInverseOfAdd) {
  WorkCalendar c = Cal2026();
  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> start(At(2026, 9, 1, 0, 0), At(2026, 11, 1, 0, 0));
  std::uniform_int_distribution<int64_t> mins(1, 20 * 450);
  for (int i = 0; i < 2000; ++i) {
    InstantMs s = start(rng) / 60'000 * 60'000;
    int64_t m = mins(rng);
    InstantMs e = c.AddWorkingMinutes(s, m);
    ASSERT_EQ(c.WorkingMinutesBetween(s, e), m) << Show(s) << " + " << m << " = " << Show(e);
    // And the deadline is the first such instant: one minute earlier is not enough.
    ASSERT_EQ(c.WorkingMinutesBetween(s, e - 60'000), m - 1) << Show(s) << " + " << m;
  }
}

TEST(WorkCalendarTest, BadConfigurationIsRefused) {
  WorkCalendar c;
  EXPECT_EQ(c.LoadHolidayCsv("date,kind\n2026-10-01,holiday\n").field(), "line 2.kind");
  EXPECT_EQ(c.LoadHolidayCsv("date,kind\n2026-02-30,off\n").field(), "line 2.date");
  EXPECT_TRUE(c.IsWorkingDay(DayFromYmd(2026, 10, 1)));  // nothing was loaded from the bad files
  EXPECT_FALSE(c.SetPeriods({{600, 500}}).ok());
  EXPECT_FALSE(c.SetPeriods({{500, 700}, {650, 800}}).ok());
  EXPECT_TRUE(c.SetPeriods({{540, 720}, {840, 1080}}).ok());
  EXPECT_EQ(c.MinutesPerDay(), 420);
}

}  // namespace
}  // namespace gongzhi

namespace gongzhi {
namespace {

TEST(InstantTest, ParsesW3CDateTimesInAnyZoneAndRoundTrips) {
  auto local = ParseInstant("2026-11-26T09:30:00+08:00");
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(*ParseInstant("2026-11-26T01:30:00Z"), *local);
  EXPECT_EQ(*ParseInstant("2026-11-25T20:30:00-05:00"), *local);
  EXPECT_EQ(*ParseInstant("2026-11-26T01:30:00+0000"), *local);
  EXPECT_EQ(*ParseInstant("2026-11-26T01:30:00.250Z"), *local + 250);
  EXPECT_EQ(*ParseInstant("2026-11-26T01:30:00.5Z"), *local + 500);
  EXPECT_EQ(FormatLocalTime(*local), "2026-11-26T09:30:00+08:00");
  EXPECT_EQ(*ParseInstant(FormatLocalTime(*local + 61'000)), *local + 61'000);
  EXPECT_EQ(*ParseInstant("2026-11-26"), LocalMidnight(DayFromYmd(2026, 11, 26)));
  for (const char* bad : {"", "2026-11-26T09:30:00", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z",
                          "2026-11-26T09:30Z", "2026-11-26T09:30:00+8", "2026-11-26T09:30:00Zjunk", "yesterday",
                          "2026-11-26T09:30:00.Z"})
    EXPECT_EQ(ParseInstant(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
}

}  // namespace
}  // namespace gongzhi
