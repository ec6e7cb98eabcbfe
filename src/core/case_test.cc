#include "core/case.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

InstantMs At(int y, int m, int d, int hh, int mm) {
  return ((static_cast<int64_t>(DayFromYmd(y, m, d)) * 1440 + hh * 60 + mm) - 480) * 60'000;
}

TEST(CategoryTest, Validation) {
  Category c{"0101", "暴露垃圾", "01", Urgency::kNormal, 60, 450, true};
  EXPECT_TRUE(ValidateCategory(c).ok());
  Category bad = c;
  bad.parent_code = "02";
  EXPECT_EQ(ValidateCategory(bad).field(), "parent_code");
  bad = c;
  bad.response_minutes = 500;
  EXPECT_EQ(ValidateCategory(bad).field(), "response_minutes");
  bad = c;
  bad.code = "0 1";
  EXPECT_EQ(ValidateCategory(bad).field(), "code");
  bad = c;
  bad.handling_minutes = 0;
  EXPECT_EQ(ValidateCategory(bad).field(), "handling_minutes");
}

TEST(DeadlineTest, WorkingTimeAndEmergencies) {
  WorkCalendar cal;
  Category garbage{"0101", "暴露垃圾", "01", Urgency::kNormal, 60, 450, true};
  // Friday 2026-11-27 16:00: response 60 working min → 17:00; handling 1 working day → Monday 16:00.
  auto d = ComputeDeadlines(garbage, cal, At(2026, 11, 27, 16, 0));
  EXPECT_EQ(d.response_due, At(2026, 11, 27, 17, 0));
  EXPECT_EQ(d.response_warn, At(2026, 11, 27, 16, 48));
  EXPECT_EQ(d.handling_due, At(2026, 11, 30, 16, 0));
  EXPECT_EQ(d.handling_warn, At(2026, 11, 30, 14, 30));  // 360 working minutes
  Category fire{"0501", "突发事件", "05", Urgency::kEmergency, 15, 120, true};
  auto e = ComputeDeadlines(fire, cal, At(2026, 11, 28, 23, 0));  // Saturday night: natural time
  EXPECT_EQ(e.response_due, At(2026, 11, 28, 23, 15));
  EXPECT_EQ(e.handling_due, At(2026, 11, 29, 1, 0));
  auto x = ExtendHandling(d, garbage, cal, 450);
  EXPECT_EQ(x.handling_due, At(2026, 12, 1, 16, 0));
}

TEST(DeadlineTest, Lights) {
  EXPECT_EQ(LightAt(0, 0, 5), DeadlineLight::kNone);
  EXPECT_EQ(LightAt(80, 100, 79), DeadlineLight::kGreen);
  EXPECT_EQ(LightAt(80, 100, 80), DeadlineLight::kYellow);
  EXPECT_EQ(LightAt(80, 100, 100), DeadlineLight::kRed);
}

TEST(IntakeTest, Validation) {
  CaseRecord c;
  c.description = "小区门口垃圾堆放三天无人清理";
  EXPECT_TRUE(ValidateIntake(c).ok());
  c.description = std::string(4000 * 3, '\0');
  for (size_t i = 0; i < 4000; ++i) c.description.replace(i * 3, 3, "垃");
  EXPECT_TRUE(ValidateIntake(c).ok());  // 4,000 characters, 12,000 bytes
  c.description += "x";
  EXPECT_EQ(ValidateIntake(c).field(), "description");
  c.description = "ok";
  c.lng = 114.3;
  EXPECT_EQ(ValidateIntake(c).field(), "lat");
  c.lat = 95;
  EXPECT_EQ(ValidateIntake(c).field(), "lat");
  c.lat = 36.6;
  c.reporter_phone = "138-0000-0000";
  EXPECT_TRUE(ValidateIntake(c).ok());
  c.reporter_phone = "<script>";
  EXPECT_EQ(ValidateIntake(c).field(), "reporter.phone");
  c.reporter_phone = "";
  c.description = "bad \x01 control";
  EXPECT_EQ(ValidateIntake(c).field(), "description");
}

}  // namespace
}  // namespace gongzhi

#include "core/account.h"

namespace gongzhi {
namespace {

TEST(AccountTest, RoleGrantsAreHeldWhereTheirRoleIs) {
  auto d = ParseRoleGrant("township_dispatcher@130404001", "role");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->region_code, "130404001");
  EXPECT_EQ(ActorOfGrant(*d), "dispatcher:130404001");
  EXPECT_EQ(RoleGrantText(*d), "township_dispatcher@130404001");
  EXPECT_EQ(ActorOfGrant(*ParseRoleGrant("department_staff@unit:5", "r")), "unit:5");
  EXPECT_EQ(ActorOfGrant(*ParseRoleGrant("grid_worker@worker:3", "r")), "worker:3");
  EXPECT_EQ(ActorOfGrant(*ParseRoleGrant("admin", "r")), "system");
  EXPECT_EQ(ActorOfGrant(*ParseRoleGrant("volunteer@130404001008", "r")), "");  // does not act on cases
  for (const char* bad : {"mayor@130404", "admin@130404", "department_staff@130404", "grid_worker@unit:3",
                          "township_dispatcher", "township_dispatcher@13x", "department_staff@unit:"})
    EXPECT_EQ(ParseRoleGrant(bad, "roles[2]").status().field(), "roles[2]") << bad;
  EXPECT_TRUE(ValidateLogin("slq.dispatch").ok());
  EXPECT_FALSE(ValidateLogin("Zhang Wei").ok());
  EXPECT_FALSE(ValidatePassword("short").ok());
}

TEST(AccountTest, ARegionRoleReadsOnlyInsideItsRegion) {
  EXPECT_EQ(*ClampRegion("130404001", "", "region"), "130404001");              // default: the whole scope
  EXPECT_EQ(*ClampRegion("130404001", "130404001008", "region"), "130404001008");  // narrower: kept
  EXPECT_EQ(*ClampRegion("130404001", "130404", "region"), "130404001");         // wider: narrowed
  EXPECT_EQ(*ClampRegion("", "130404002", "region"), "130404002");               // administrators: anything
  EXPECT_EQ(*ClampRegion("", "", "region"), "");
  auto other = ClampRegion("130404001", "130404002", "region");
  EXPECT_EQ(other.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(other.status().field(), "region");
}

}  // namespace
}  // namespace gongzhi
