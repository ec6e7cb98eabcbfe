#include "app/cases.h"

#include <cctype>

#include <random>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "app/assessment.h"
#include "app/audit.h"
#include "app/demo.h"
#include "app/feed.h"
#include "app/test_support.h"
#include "store/dir_file_store.h"
#include "store/sqlite/sqlite_connection.h"

namespace gongzhi {
namespace {

using namespace std::string_literals;
constexpr int64_t kMinute = 60'000;

InstantMs At(int y, int m, int d, int hh, int mm) {
  return ((static_cast<int64_t>(DayFromYmd(y, m, d)) * 1440 + hh * 60 + mm) - 480) * 60'000;
}

class CaseServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ts_.clock() = ManualClock(At(2026, 11, 27, 16, 0));  // a Friday afternoon
    ASSERT_TRUE(LoadDemo(regions_, grids_, ts_.store()).ok());
    ASSERT_TRUE(grids_.RebuildIndex().ok());
    ASSERT_TRUE(cases_.LoadConfig().ok());
    ASSERT_TRUE(cases_.LoadDemoConfig().ok());
    auto g = ts_.store().ListGrids("130404001008");  // a community of 胜利桥街道
    grid_ = g->at(0);
  }

  IntakeRequest AtGrid(const std::string& category, const std::string& text = "垃圾堆在楼道口") {
    IntakeRequest r;
    r.category_code = category;
    r.description = text;
    r.lng = (grid_.min_lng + grid_.max_lng) / 2;
    r.lat = (grid_.min_lat + grid_.max_lat) / 2;
    r.reporter_phone = "13800001111";
    return r;
  }

  int64_t UnitNamed(const std::string& name) {
    auto units = ts_.store().ListUnits({.limit = 1000});
    for (const auto& u : *units)
      if (u.name == name) return u.id;
    ADD_FAILURE() << "no unit " << name;
    return 0;
  }

  CaseView Do(int64_t id, CaseAction a, const Actor& who, ActionRequest req = {}) {
    auto cur = cases_.Get(id, Actor{Actor::Kind::kSystem});
    EXPECT_TRUE(cur.ok()) << cur.status().ToString();
    req.expected_version = cur->record.version;
    auto r = cases_.Act(id, a, who, req);
    EXPECT_TRUE(r.ok()) << CaseActionName(a) << ": " << r.status().ToString();
    return r.ok() ? *r : CaseView{};
  }

  Status Try(int64_t id, CaseAction a, const Actor& who, ActionRequest req = {}) {
    auto cur = cases_.Get(id, Actor{Actor::Kind::kSystem});
    req.expected_version = req.expected_version ? req.expected_version : cur->record.version;
    return cases_.Act(id, a, who, req).status();
  }

  testing::TempStore ts_;
  RegionService regions_{ts_.store()};
  GridService grids_{ts_.store()};
  CaseService cases_{ts_.store(), grids_, ts_.clock()};
  Grid grid_;
  Actor township_{Actor::Kind::kDispatcher, "130404001"};
  Actor other_township_{Actor::Kind::kDispatcher, "130404002"};
};

TEST_F(CaseServiceTest, IntakeLocatesRoutesAndGivesATrackingCode) {
  auto r = cases_.Report(AtGrid("0101"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& c = r->record;
  EXPECT_EQ(c.grid_code, grid_.code);
  EXPECT_EQ(c.region_code, "130404001008");
  EXPECT_EQ(c.township_code, "130404001");
  EXPECT_EQ(c.facts.state, CaseState::kReported);
  EXPECT_EQ(c.tracking_code.size(), 12u);
  EXPECT_EQ(c.suggested_unit_id, UnitNamed("复兴区城市管理综合行政执法局"));
  EXPECT_NE(c.route_reason.find("权责清单"), std::string::npos);
  auto second = cases_.Report(AtGrid("0101"));
  EXPECT_NE(second->record.tracking_code, c.tracking_code);
  // The first is a duplicate candidate of the second: same category, same place, still open.
  ASSERT_EQ(second->duplicate_candidates.size(), 1u);
  EXPECT_EQ(second->duplicate_candidates[0].id, c.id);
  // Nested scope: 邻里纠纷 in 胜利桥街道 goes to the street's 司法所, not to a district unit.
  EXPECT_EQ(cases_.Report(AtGrid("22"))->record.suggested_unit_id, UnitNamed("胜利桥街道司法所"));
  // No rule: 属地兜底, the township decides.
  auto none = cases_.Report(AtGrid("11"));
  EXPECT_FALSE(none->record.suggested_unit_id);
  EXPECT_NE(none->record.route_reason.find("属地兜底"), std::string::npos);
}

// The report event's payload is the JSON object of where the report went, as the audit chain
// hashes it; with a suggested unit and without one.
TEST_F(CaseServiceTest, TheReportEventRecordsWhereTheReportWent) {
  for (const std::string category : {"0101", "11"}) {
    auto r = cases_.Report(AtGrid(category));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const auto& c = r->record;
    auto events = ts_.store().cases().ListEvents(c.id);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), 1u);
    boost::json::object want{{"channel", ChannelName(c.channel)}, {"category", category}, {"grid", c.grid_code},
                             {"region", c.region_code},          {"route", c.route_reason}};
    if (c.suggested_unit_id) want["suggested_unit"] = *c.suggested_unit_id;
    EXPECT_EQ(category == "0101", c.suggested_unit_id.has_value());
    EXPECT_EQ((*events)[0].payload, boost::json::serialize(want));
    EXPECT_EQ((*events)[0].action, "report");
  }
}

TEST_F(CaseServiceTest, IntakeRefusals) {
  auto r = AtGrid("9999");
  EXPECT_EQ(cases_.Report(r).status().field(), "category_code");
  r = AtGrid("0101", "");
  EXPECT_EQ(cases_.Report(r).status().field(), "description");
  r = AtGrid("0101");
  r.lng = 100.0;
  EXPECT_EQ(cases_.Report(r).status().field(), "lng");  // outside every grid, no region given
  r.region_code = "130404002";
  auto by_region = cases_.Report(r);
  ASSERT_TRUE(by_region.ok());
  EXPECT_EQ(by_region->record.township_code, "130404002");
  IntakeRequest nowhere;
  nowhere.description = "x";
  EXPECT_EQ(cases_.Report(nowhere).status().field(), "region_code");
  nowhere.region_code = "130404";
  EXPECT_EQ(cases_.Report(nowhere).status().field(), "region_code");  // a district is too coarse
}

TEST_F(CaseServiceTest, FullLifecycleWithWorkingTimeDeadlinesAndAudit) {
  auto c = cases_.Report(AtGrid("0101"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  auto d = Do(c.id, CaseAction::kDispatch, township_);
  EXPECT_EQ(d.record.unit_id, UnitNamed("复兴区城市管理综合行政执法局"));
  EXPECT_EQ(d.record.deadlines.response_due, At(2026, 11, 27, 17, 0));   // 60 working minutes
  EXPECT_EQ(d.record.deadlines.handling_due, At(2026, 11, 30, 16, 0));   // 1 working day, over the weekend
  EXPECT_EQ(d.response_light, DeadlineLight::kGreen);
  Actor unit{Actor::Kind::kUnit, "", *d.record.unit_id};
  // The unit now sees it; another township does not.
  EXPECT_TRUE(cases_.Get(c.id, unit).ok());
  EXPECT_EQ(cases_.Get(c.id, other_township_).status().code(), ErrorCode::kNotFound);
  Do(c.id, CaseAction::kClaim, unit);
  ActionRequest resolve;
  resolve.note = "已清运";
  Do(c.id, CaseAction::kResolve, unit, resolve);
  // The grid's worker finds it among the cases to verify (核查); a worker of another grid does not.
  auto grid_worker = ts_.store().ListWorkers({.grid_code = grid_.code})->at(0);
  CaseFilter to_verify;
  to_verify.to_verify = true;
  auto mine = cases_.List(to_verify, Actor{Actor::Kind::kWorker, "", grid_worker.id});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->at(0).id, c.id);
  auto all_workers = ts_.store().ListWorkers({.limit = 100});
  ASSERT_TRUE(all_workers.ok());
  int others = 0;
  for (const auto& w : *all_workers)
    if (std::count(w.grid_codes.begin(), w.grid_codes.end(), grid_.code) == 0) {
      ++others;
      EXPECT_TRUE(cases_.List(to_verify, Actor{Actor::Kind::kWorker, "", w.id})->empty()) << w.name;
    }
  EXPECT_GT(others, 0);
  EXPECT_EQ(cases_.List(to_verify, township_)->size(), 1u);  // the township's resolved cases
  Do(c.id, CaseAction::kVerify, township_);
  EXPECT_TRUE(cases_.List(to_verify, Actor{Actor::Kind::kWorker, "", grid_worker.id})->empty()) << "verified: off the list";
  auto t = cases_.Rate(c.tracking_code, true, Satisfaction::kSatisfied);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->state, CaseState::kClosed);
  auto v = cases_.Get(c.id, township_);
  EXPECT_EQ(v->events.size(), 7u);  // report, accept, dispatch, claim, resolve, verify, rate
  auto audit = VerifyAuditTrail(ts_.store().cases());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok) << audit->problem;
  EXPECT_EQ(audit->events, 7);
}

TEST_F(CaseServiceTest, RefusedTransitionsVersionsAndScope) {
  auto c = cases_.Report(AtGrid("0101"))->record;
  Actor some_unit{Actor::Kind::kUnit, "", UnitNamed("复兴区民政局")};
  EXPECT_EQ(cases_.Act(c.id, CaseAction::kClaim, some_unit, {.expected_version = 1}).status().code(),
            ErrorCode::kNotFound);  // not its case
  auto s = Try(c.id, CaseAction::kResolve, township_);
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_NE(s.message().find("allowed for you: accept, merge, reject"), std::string::npos) << s.message();
  EXPECT_EQ(Try(c.id, CaseAction::kAccept, township_, {.expected_version = 7}).field(), "version");
  EXPECT_EQ(Try(c.id, CaseAction::kAccept, other_township_).code(), ErrorCode::kNotFound);
  EXPECT_EQ(Try(c.id, CaseAction::kReject, township_, {.reason = "boring"}).field(), "reason");
  EXPECT_EQ(cases_.Get(c.id, township_)->record.facts.state, CaseState::kReported);  // nothing changed
  EXPECT_TRUE(Try(c.id, CaseAction::kReject, township_, {.reason = "duplicate"}).ok());
  EXPECT_EQ(cases_.Get(c.id, township_)->record.facts.state, CaseState::kRejected);
}

TEST_F(CaseServiceTest, GridAdmissionListKeepsWorkersToTheirDuties) {
  auto w = ts_.store().ListWorkers({.grid_code = grid_.code})->at(0);
  auto illegal_building = cases_.Report(AtGrid("0301", "违章搭建彩钢房"))->record;
  Do(illegal_building.id, CaseAction::kAccept, township_);
  auto s = Try(illegal_building.id, CaseAction::kDispatch, township_, {.worker_id = w.id});
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_NE(s.message().find("网格准入清单"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::to_string(UnitNamed("复兴区住房和城乡建设局"))), std::string::npos) << s.message();
  auto garbage = cases_.Report(AtGrid("0101"))->record;
  Do(garbage.id, CaseAction::kAccept, township_);
  auto d = Do(garbage.id, CaseAction::kDispatch, township_, {.worker_id = w.id});
  EXPECT_EQ(d.record.worker_id, w.id);
  auto p = cases_.ProposeWorker(garbage.id, township_);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->worker_id.has_value()) << p->reason;
  EXPECT_EQ(*p->worker_id, w.id);  // the grid's own worker, still under capacity (1/8)
  EXPECT_NE(p->reason.find("1/8"), std::string::npos) << p->reason;
  auto load = cases_.CommunityLoad("130404001008");
  ASSERT_TRUE(load.ok());
  ASSERT_EQ(load->workers.size(), 2u);
  EXPECT_EQ(load->max, 1);
  EXPECT_DOUBLE_EQ(load->mean, 0.5);
  EXPECT_DOUBLE_EQ(load->max_over_mean, 2);
  EXPECT_DOUBLE_EQ(load->gini, 0.5);
}

TEST_F(CaseServiceTest, CategoriesFromCsv) {
  EXPECT_EQ(cases_.ImportCategoriesCsv("code,name,parent_code,urgency,response_minutes,handling_minutes\n"
                                       "31,文明养犬,,normal,60,450\n3101,犬只扰民,31,sometimes,60,450\n")
                .field(),
            "line 3.urgency");
  EXPECT_EQ(cases_.ImportCategoriesCsv("31,文明养犬,,normal,600,450\n").field(), "line 1.response_minutes");
  EXPECT_TRUE(cases_.ImportCategoriesCsv("31,文明养犬,,normal,60,450\n3101,犬只扰民,31,urgent,30,450\n").ok());
  auto cats = cases_.Categories();
  EXPECT_EQ(std::count_if(cats->begin(), cats->end(), [](const Category& c) { return c.code.rfind("31", 0) == 0; }), 2);
  auto r = cases_.Report(AtGrid("3101", "狗叫扰民"));  // usable at once
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST_F(CaseServiceTest, NoRuleNeedsAChosenUnit) {
  auto c = cases_.Report(AtGrid("11", "咨询办事流程"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  EXPECT_EQ(Try(c.id, CaseAction::kDispatch, township_).field(), "unit_id");
  auto d = Do(c.id, CaseAction::kDispatch, township_, {.unit_id = UnitNamed("复兴区民政局")});
  EXPECT_EQ(d.record.facts.state, CaseState::kDispatched);
  auto unclassified = cases_.Report(AtGrid(""))->record;
  Do(unclassified.id, CaseAction::kAccept, township_);
  EXPECT_EQ(Try(unclassified.id, CaseAction::kDispatch, township_).field(), "category_code");
  EXPECT_TRUE(Try(unclassified.id, CaseAction::kDispatch, township_, {.category_code = "0102"}).ok());
}

TEST_F(CaseServiceTest, SweepWarnsAtEightyPercentThenSupervisesOnce) {
  auto c = cases_.Report(AtGrid("0101"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  Do(c.id, CaseAction::kDispatch, township_);
  ts_.clock().Advance(50 * 60'000);  // 16:50: past 80% of the 60-minute response limit
  auto s1 = cases_.Sweep();
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_EQ(s1->warnings, 1);
  EXPECT_EQ(s1->overdue, 0);
  EXPECT_EQ(cases_.Get(c.id, township_)->response_light, DeadlineLight::kYellow);
  EXPECT_EQ(cases_.Sweep()->cases, 0);  // nothing due again
  ts_.clock() = ManualClock(At(2026, 11, 30, 9, 0));  // Monday morning
  auto s2 = cases_.Sweep();
  EXPECT_EQ(s2->overdue, 1);  // the response deadline (Friday 17:00)
  EXPECT_EQ(s2->supervisions, 1);
  EXPECT_EQ(cases_.Get(c.id, township_)->response_light, DeadlineLight::kRed);
  auto sup = cases_.Supervisions("13", 10);
  ASSERT_EQ(sup->size(), 1u);
  EXPECT_EQ(sup->at(0).kind, "response");
  EXPECT_EQ(sup->at(0).region_code, "1304");  // the district unit is supervised by the level above
  EXPECT_EQ(cases_.Sweep()->supervisions, 0);  // never twice
  ts_.clock() = ManualClock(At(2026, 11, 30, 16, 1));
  auto s3 = cases_.Sweep();
  EXPECT_EQ(s3->warnings, 1);  // handling 80% (14:30)
  EXPECT_EQ(s3->overdue, 1);   // handling due (16:00)
  auto overdue = cases_.List({.overdue_only = true}, township_);
  ASSERT_EQ(overdue->size(), 1u);
}

TEST_F(CaseServiceTest, ALateClaimBetweenSweepsIsSupervisedOnce) {
  auto c = cases_.Report(AtGrid("0101"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  auto d = Do(c.id, CaseAction::kDispatch, township_);
  ASSERT_TRUE(cases_.Sweep().ok());  // 16:00: nothing due yet
  ts_.clock().Set(At(2026, 11, 27, 17, 20));  // 20 minutes after the response deadline; no sweep since
  auto claimed = Do(c.id, CaseAction::kClaim, Actor{Actor::Kind::kUnit, "", *d.record.unit_id});
  EXPECT_NE(claimed.events.back().payload.find("\"late\":true"), std::string::npos);
  auto sup = cases_.Supervisions("13", 10);
  ASSERT_EQ(sup->size(), 1u);
  EXPECT_EQ(sup->at(0).kind, "response");
  EXPECT_EQ(sup->at(0).due_at, d.record.deadlines.response_due);
  EXPECT_EQ(sup->at(0).region_code, "1304");
  ASSERT_TRUE(cases_.Sweep().ok());
  EXPECT_EQ(cases_.Supervisions("13", 10)->size(), 1u);  // the sweep does not add a second
  // A claim in time records nothing.
  auto e = cases_.Report(AtGrid("0101", "另一处垃圾"))->record;
  Do(e.id, CaseAction::kAccept, township_);
  auto de = Do(e.id, CaseAction::kDispatch, township_);
  Do(e.id, CaseAction::kClaim, Actor{Actor::Kind::kUnit, "", *de.record.unit_id});
  EXPECT_EQ(cases_.Supervisions("13", 10)->size(), 1u);
}

TEST_F(CaseServiceTest, DeadlinesFollowTheHolidayCalendar) {
  ts_.clock() = ManualClock(At(2026, 9, 30, 16, 30));  // the day before National Day
  auto c = cases_.Report(AtGrid("0301", "违法搭建"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  auto d = Do(c.id, CaseAction::kDispatch, township_);
  // 240 working minutes: 60 on 09-30, nothing 10-01..07, then 180 on Thursday 10-08 → 11:30.
  EXPECT_EQ(d.record.deadlines.response_due, At(2026, 10, 8, 11, 30));
  ts_.clock() = ManualClock(At(2026, 10, 9, 17, 0));  // Friday 17:00
  auto e = cases_.Report(AtGrid("0101"))->record;
  Do(e.id, CaseAction::kAccept, township_);
  auto de = Do(e.id, CaseAction::kDispatch, township_);
  // 60 working minutes: 30 on Friday, then the 调休 Saturday 10-10 counts.
  EXPECT_EQ(de.record.deadlines.response_due, At(2026, 10, 10, 9, 0));
}

// The case view lists what the dispatcher may merge the case into: open cases of its category
// within the radius, reported in the window before it; not itself, not other categories, not
// closed ones; once merged or dispatched, none (merge is no longer allowed).
TEST_F(CaseServiceTest, CaseViewOffersDuplicateCandidatesToWhoeverMayMerge) {
  auto first = cases_.Report(AtGrid("0101"))->record;
  auto other_kind = cases_.Report(AtGrid("22", "邻里纠纷"))->record;
  ts_.clock().Advance(60 * kMinute);
  auto later = cases_.Report(AtGrid("0101", "同一处垃圾"))->record;
  auto v = cases_.Get(later.id, township_);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->duplicate_candidates.size(), 1u);
  EXPECT_EQ(v->duplicate_candidates[0].record.id, first.id);
  EXPECT_LT(v->duplicate_candidates[0].distance_m, 1.0);
  // Seen from the first: the later one was reported after it, inside the window as well.
  EXPECT_EQ(cases_.Get(first.id, township_)->duplicate_candidates.size(), 1u);
  EXPECT_TRUE(cases_.Get(other_kind.id, township_)->duplicate_candidates.empty());
  Do(later.id, CaseAction::kMerge, township_, {.merge_into = first.id});
  EXPECT_TRUE(cases_.Get(later.id, township_)->duplicate_candidates.empty());  // merged: nothing to offer
  EXPECT_TRUE(cases_.Get(first.id, township_)->duplicate_candidates.empty());  // the merged one is not open
}

TEST_F(CaseServiceTest, UnsatisfiedRatingReopensOnceAndMergedReportersRateTheMaster) {
  auto master = cases_.Report(AtGrid("0101"))->record;
  auto child = cases_.Report(AtGrid("0101", "同一处垃圾"))->record;
  Do(child.id, CaseAction::kMerge, township_, {.merge_into = master.id});
  EXPECT_EQ(cases_.Track(child.tracking_code)->merged_into_code, master.tracking_code);
  Do(master.id, CaseAction::kAccept, township_);
  auto d = Do(master.id, CaseAction::kDispatch, township_);
  Actor unit{Actor::Kind::kUnit, "", *d.record.unit_id};
  Do(master.id, CaseAction::kClaim, unit);
  Do(master.id, CaseAction::kResolve, unit, {.note = "清理完毕"});
  Do(master.id, CaseAction::kVerify, township_);
  EXPECT_EQ(cases_.Get(master.id, township_)->merged_cases, std::vector<int64_t>{child.id});
  // The merged case's reporter is unhappy: the master goes back to the handler.
  auto t = cases_.Rate(child.tracking_code, false, Satisfaction::kUnsatisfied);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->state, CaseState::kHandling);
  Do(master.id, CaseAction::kResolve, unit, {.note = "彻底清理"});
  Do(master.id, CaseAction::kVerify, township_);
  // The master's own reporter, typing the code in lower case: the view shows the code as issued.
  std::string typed = master.tracking_code;
  for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(cases_.Track(typed)->tracking_code, master.tracking_code);
  auto again = cases_.Rate(typed, false, Satisfaction::kUnsatisfied);
  EXPECT_EQ(again->state, CaseState::kClosed);  // reopened once only
  EXPECT_EQ(cases_.Rate(master.tracking_code, true, Satisfaction::kSatisfied).status().code(), ErrorCode::kConflict);
  // The audit trail says which rating came through the merged case, and only that one.
  std::vector<bool> via;
  auto events = ts_.store().cases().ListEvents(master.id);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events)
    if (e.action == "rate") via.push_back(e.payload.find("merged case") != std::string::npos);
  EXPECT_EQ(via, (std::vector<bool>{true, false}));
}

TEST_F(CaseServiceTest, WhistleAndReport) {
  auto c = cases_.Report(AtGrid("0401", "占道经营堵塞消防通道"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  auto d = Do(c.id, CaseAction::kDispatch, township_);
  int64_t police = UnitNamed("胜利桥派出所"), market = UnitNamed("百家村街道市场监管所");
  auto v = cases_.Summon(c.id, township_, {police, market}, d.record.version, 30);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->summons.size(), 2u);
  Actor police_unit{Actor::Kind::kUnit, "", police};
  EXPECT_TRUE(cases_.Get(c.id, police_unit).ok());  // a summoned unit sees the case
  ts_.clock().Advance(10 * 60'000);
  auto ack = cases_.Acknowledge(c.id, police_unit, "民警已到场", v->record.version);
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(cases_.Acknowledge(c.id, police_unit, "", ack->record.version).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(cases_.Acknowledge(c.id, township_, "", ack->record.version).status().code(), ErrorCode::kPermissionDenied);
  ts_.clock().Advance(25 * 60'000);  // market supervision never came
  auto s = cases_.Sweep();
  EXPECT_EQ(s->missed_summons, 1);
  auto events = cases_.Get(c.id, township_)->events;
  EXPECT_EQ(events.back().action, "summons_missed");
  EXPECT_NE(events.back().payload.find(std::to_string(market)), std::string::npos);
  EXPECT_EQ(cases_.Summon(c.id, township_, {police}, ack->record.version + 1, 30).status().code(), ErrorCode::kConflict);
  // Assessment: the market supervision's missed 报到 counts against it, the police came in time.
  AssessmentService assess(ts_.store(), ts_.clock());
  AssessmentScope day{LocalDay(ts_.clock().Now()), LocalDay(ts_.clock().Now())};
  day.unit_id = market;
  EXPECT_EQ(assess.Assess(day)->late_acks, 1);
  day.unit_id = police;
  EXPECT_EQ(assess.Assess(day)->late_acks, 0);
  day.unit_id.reset();
  day.region_prefix = "130404002";  // another township: none of its summons
  EXPECT_EQ(assess.Assess(day)->late_acks, 0);
}

TEST_F(CaseServiceTest, ParkedCasesComeBackOnTheirReviewDate) {
  auto c = cases_.Report(AtGrid("0301", "历史遗留违建，需规划调整"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  EXPECT_EQ(Try(c.id, CaseAction::kPark, township_, {.reason = "待规划调整", .review_date = "2026-11-01"}).field(),
            "review_date");  // in the past
  Do(c.id, CaseAction::kPark, township_, {.reason = "待规划调整", .review_date = "2026-12-15"});
  ts_.clock() = ManualClock(At(2026, 12, 14, 23, 0));
  EXPECT_EQ(cases_.Sweep()->reviews_due, 0);
  ts_.clock() = ManualClock(At(2026, 12, 15, 0, 30));
  EXPECT_EQ(cases_.Sweep()->reviews_due, 1);
  EXPECT_EQ(cases_.Sweep()->reviews_due, 0);  // once
  auto v = cases_.Get(c.id, township_);
  EXPECT_EQ(v->events.back().action, "review_due");
  EXPECT_EQ(v->record.facts.state, CaseState::kParked);
  Do(c.id, CaseAction::kUnpark, township_);
  EXPECT_EQ(cases_.Get(c.id, township_)->record.review_at, 0);
}

TEST_F(CaseServiceTest, ConcurrentDispatchExactlyOneWins) {
  auto c = cases_.Report(AtGrid("0101"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  int64_t version = cases_.Get(c.id, township_)->record.version;
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] {
      auto r = cases_.Act(c.id, CaseAction::kDispatch, township_, {.expected_version = version});
      if (r.ok()) ok++;
      else if (r.status().code() == ErrorCode::kConflict) conflict++;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, 7);
  EXPECT_EQ(cases_.Get(c.id, township_)->events.size(), 3u);
}

TEST_F(CaseServiceTest, SimultaneousReportsOfOneProblemFindEachOther) {
  // Eight residents report the same pile of rubbish at once. However the writes are batched, the
  // k-th case written sees the k-1 written before it as duplicate candidates: 0+1+...+7 in all.
  constexpr int kReports = 8;
  std::atomic<int> ok{0};
  std::atomic<size_t> seen{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kReports; ++i)
    ts.emplace_back([&] {
      auto r = cases_.Report(AtGrid("0101"));
      if (!r.ok()) return;
      ok++;
      seen += r->duplicate_candidates.size();
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok, kReports);
  EXPECT_EQ(seen, size_t{kReports * (kReports - 1) / 2});
}

TEST_F(CaseServiceTest, AssessmentFiguresMatchAHandComputedFixture) {
  AssessmentService assess(ts_.store(), ts_.clock());
  const int64_t main_unit = UnitNamed("复兴区城市管理综合行政执法局");
  const int64_t other_unit = UnitNamed("胜利桥街道司法所");
  Actor unit{Actor::Kind::kUnit, "", main_unit};
  ActionRequest resolve;
  resolve.note = "已处理";
  // Friday 2026-11-27 16:00. Category 0101: response 60 working minutes, handling 1 working day.
  // A: claimed in time, resolved on Monday 10:00 before its due time (Mon 16:00), rated well.
  auto a = cases_.Report(AtGrid("0101"))->record;
  Do(a.id, CaseAction::kAccept, township_);
  Do(a.id, CaseAction::kDispatch, township_);
  // B: dispatched at the same time; claimed late; extension approved (缓办); resolved Tuesday; rated badly.
  auto b = cases_.Report(AtGrid("0101", "井盖缺失"))->record;
  Do(b.id, CaseAction::kAccept, township_);
  Do(b.id, CaseAction::kDispatch, township_);
  // C: dispatched to another unit, which gives it back (退单).
  auto c = cases_.Report(AtGrid("0101", "广告牌歪斜"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  ActionRequest to_other;
  to_other.unit_id = other_unit;
  Do(c.id, CaseAction::kDispatch, township_, to_other);
  ts_.clock().Advance(30 * kMinute);  // 16:30
  Do(a.id, CaseAction::kClaim, unit);
  ActionRequest why;
  why.reason = "不属于本单位职责";
  Do(c.id, CaseAction::kReturn, Actor{Actor::Kind::kUnit, "", other_unit}, why);
  ts_.clock().Advance(60 * kMinute);  // 17:30, after B's response deadline (17:00)
  Do(b.id, CaseAction::kClaim, unit);
  ActionRequest ext;
  ext.reason = "需要协调供水公司";
  ext.extension_minutes = 900;
  Do(b.id, CaseAction::kRequestExtension, unit, ext);
  Do(b.id, CaseAction::kApproveExtension, township_);
  ts_.clock().Set(At(2026, 11, 30, 10, 0));  // Monday
  Do(a.id, CaseAction::kResolve, unit, resolve);
  Do(a.id, CaseAction::kVerify, township_);
  ASSERT_TRUE(cases_.Rate(a.tracking_code, true, Satisfaction::kSatisfied).ok());
  ts_.clock().Set(At(2026, 12, 1, 9, 30));  // Tuesday
  Do(b.id, CaseAction::kResolve, unit, resolve);
  Do(b.id, CaseAction::kVerify, township_);
  ASSERT_TRUE(cases_.Rate(b.tracking_code, false, Satisfaction::kUnsatisfied).ok());  // reopens B once

  AssessmentScope all{DayFromYmd(2026, 11, 1), DayFromYmd(2026, 12, 31)};
  all.unit_id = main_unit;
  auto f = assess.Assess(all);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->response.numerator, 1);  // A
  EXPECT_EQ(f->response.denominator, 2);  // A, B (the reopening is no new dispatch)
  EXPECT_EQ(f->resolution.numerator, 1);
  EXPECT_EQ(f->resolution.denominator, 2);
  EXPECT_EQ(f->satisfaction.numerator, 1);
  EXPECT_EQ(f->satisfaction.denominator, 2);
  // 按期结案数 / (应结案数 − 缓办数): due A, B and B reopened; B deferred; A on time.
  EXPECT_EQ(f->counts.due, 3);
  EXPECT_EQ(f->counts.deferred, 1);
  EXPECT_EQ(f->on_time.numerator, 1);
  EXPECT_EQ(f->on_time.denominator, 2);
  // Working time: A Fri 16:00–17:30 + Mon 08:30–10:00 = 180 min; B Fri 90 + Mon 450 + Tue 60 = 600 min.
  ASSERT_TRUE(f->average_handling_hours);
  EXPECT_DOUBLE_EQ(*f->average_handling_hours, 6.5);
  // 30% × 1/2 + 35% × 1/2 + 35% × 1/2
  ASSERT_TRUE(f->score);
  EXPECT_NEAR(*f->score, 50.0, 1e-9);
  // The other unit: one dispatch, returned, never claimed.
  AssessmentScope other = all;
  other.unit_id = other_unit;
  auto g = assess.Assess(other);
  EXPECT_EQ(g->returns.numerator, 1);
  EXPECT_EQ(g->returns.denominator, 1);
  EXPECT_EQ(g->counts.due, 0);  // a returned case is not due from the unit that gave it back
  // Ranking of units: the main unit first.
  AssessmentScope period{DayFromYmd(2026, 11, 1), DayFromYmd(2026, 12, 31)};
  auto rank = assess.Rank(RollupGroup::kUnit, period);
  ASSERT_TRUE(rank.ok()) << rank.status().ToString();
  ASSERT_EQ(rank->size(), 2u);
  EXPECT_EQ(rank->at(0).key, std::to_string(main_unit));
  EXPECT_EQ(rank->at(0).name, "复兴区城市管理综合行政执法局");
  // Drill-downs list exactly the cases behind each number.
  auto ids = [&](const AssessmentScope& s, const std::string& metric) {
    std::vector<int64_t> out;
    auto r = assess.DrillDown(s, metric, 100);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok())
      for (const auto& x : *r) out.push_back(x.case_id);
    return out;
  };
  EXPECT_EQ(ids(all, "responded_on_time"), std::vector<int64_t>{a.id});
  EXPECT_EQ(ids(all, "deferred"), std::vector<int64_t>{b.id});
  EXPECT_EQ(ids(all, "due"), (std::vector<int64_t>{a.id, b.id, b.id}));
  EXPECT_EQ(ids(other, "returned"), std::vector<int64_t>{c.id});
  EXPECT_EQ(assess.DrillDown(all, "nonsense", 10).status().field(), "metric");
  // Periods: November holds the dispatches, not the Tuesday resolution of B.
  AssessmentScope nov{DayFromYmd(2026, 11, 1), DayFromYmd(2026, 11, 30)};
  nov.unit_id = main_unit;
  EXPECT_EQ(assess.Assess(nov)->counts.resolved, 1);
  EXPECT_EQ(assess.Assess(nov)->counts.dispatched, 2);
}

TEST_F(CaseServiceTest, IncrementalRollupsEqualARebuildAfterARandomHistory) {
  std::mt19937 rng(20261126);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  std::vector<CaseRecord> made;
  const char* cats[] = {"0101", "0102", "22", "11"};
  for (int i = 0; i < 16; ++i) {
    auto r = cases_.Report(AtGrid(cats[i % 4], "随机 " + std::to_string(i)));
    ASSERT_TRUE(r.ok());
    made.push_back(r->record);
  }
  auto workers = ts_.store().ListWorkers({.limit = 10});
  int ok = 0;
  for (int step = 0; step < 1000; ++step) {
    const auto& c = made[pick(static_cast<int>(made.size()))];
    auto sys = cases_.Get(c.id, Actor{Actor::Kind::kSystem});
    ASSERT_TRUE(sys.ok());
    const auto& rec = sys->record;
    std::vector<Actor> actors{township_};
    if (rec.unit_id) actors.push_back(Actor{Actor::Kind::kUnit, "", *rec.unit_id});
    if (rec.worker_id) actors.push_back(Actor{Actor::Kind::kWorker, "", *rec.worker_id});
    Actor who = actors[pick(static_cast<int>(actors.size()))];
    auto view = cases_.Get(c.id, who);
    if (!view.ok()) continue;
    if (rec.facts.state == CaseState::kVerified || pick(10) == 0) {
      ok += cases_.Rate(rec.tracking_code, pick(3) != 0, static_cast<Satisfaction>(pick(3))).ok();
    } else if (!view->allowed.empty()) {
      CaseAction a = view->allowed[pick(static_cast<int>(view->allowed.size()))];
      // Endings are rarer than progress, as in life: most cases go the whole way.
      if ((a == CaseAction::kReject || a == CaseAction::kMerge) && pick(8) != 0) continue;
      ActionRequest req;
      req.expected_version = rec.version;
      req.reason = a == CaseAction::kReject ? "invalid" : "理由";
      req.note = "处理情况";
      req.extension_minutes = 60 + pick(900);
      req.review_date = FormatDate(LocalDay(ts_.clock().Now()) + 2 + pick(5));
      if (a == CaseAction::kMerge) req.merge_into = made[pick(static_cast<int>(made.size()))].id;
      if (a == CaseAction::kDispatch && pick(3) == 0 && workers.ok() && !workers->empty())
        req.worker_id = workers->at(pick(static_cast<int>(workers->size()))).id;
      ok += cases_.Act(c.id, a, who, req).ok();
    }
    // Time moves on, sometimes over nights, weekends and deadlines; the sweep fires what is due.
    ts_.clock().Advance(pick(12) == 0 ? pick(2 * 24 * 60) * kMinute : pick(20) * kMinute);
    if (pick(5) == 0) ASSERT_TRUE(cases_.Sweep(1000).ok());
  }
  EXPECT_GT(ok, 250);  // a third of the steps at least did something

  auto& cs = ts_.store().cases();
  AssessmentScope ever{0, 1 << 30};
  auto snapshot = [&] {
    std::vector<std::vector<std::pair<std::string, RollupCounts>>> out;
    for (auto g : {RollupGroup::kDay, RollupGroup::kUnit, RollupGroup::kWorker, RollupGroup::kCommunity,
                   RollupGroup::kCategory, RollupGroup::kNone})
      out.push_back(*cs.SumRollups(ever, g));
    std::vector<CaseFact> facts;
    for (const auto& c : made) {
      auto f = *cs.ListFacts(c.id);
      facts.insert(facts.end(), f.begin(), f.end());
    }
    return std::pair{out, facts};
  };
  auto incremental = snapshot();
  // The township roll-ups and sums that rankings read agree with the community × category ones,
  // for the whole district, the county and one township.
  auto coarse_agrees = [&] {
    for (const std::string region : {"", "130404", "130404001"})
      for (auto g : {RollupGroup::kDay, RollupGroup::kUnit, RollupGroup::kWorker, RollupGroup::kTownship,
                     RollupGroup::kCounty, RollupGroup::kCategory, RollupGroup::kNone})
        for (const std::string category : {"", "01"}) {
          AssessmentScope scope = ever, fine = ever;
          scope.region_prefix = fine.region_prefix = region;
          scope.category_prefix = fine.category_prefix = category;
          fine.fine = true;
          EXPECT_TRUE(*cs.SumRollups(scope, g) == *cs.SumRollups(fine, g))
              << "group " << static_cast<int>(g) << " region '" << region << "' category '" << category << "'";
        }
    EXPECT_GE(cs.SumRollups(ever, RollupGroup::kCategory)->size(), 3u);
    // The figures of each unit, from the unit sums, by day and in all.
    auto units = *cs.SumRollups(ever, RollupGroup::kUnit);
    EXPECT_GE(units.size(), 2u);
    for (const auto& [unit, counts] : units)
      for (auto g : {RollupGroup::kDay, RollupGroup::kNone}) {
        AssessmentScope scope = ever, fine = ever;
        scope.unit_id = fine.unit_id = std::stoll(unit);
        fine.fine = true;
        EXPECT_TRUE(*cs.SumRollups(scope, g) == *cs.SumRollups(fine, g)) << "unit " << unit;
      }
    // Every group over periods that start and end inside months: the month roll-ups for the
    // whole months, the day roll-ups around them. The history spans months.
    auto days = *cs.SumRollups(ever, RollupGroup::kDay);
    ASSERT_FALSE(days.empty());
    const CivilDay first = std::stoi(days.front().first), last = std::stoi(days.back().first);
    EXPECT_GT(MonthStart(last), MonthStart(first));
    auto communities = *cs.SumRollups(ever, RollupGroup::kCommunity);
    auto workers_ranked = *cs.SumRollups(ever, RollupGroup::kWorker);
    ASSERT_GE(communities.size(), 1u);
    ASSERT_GE(workers_ranked.size(), 1u);
    int months_used = 0;
    for (CivilDay from = first - 3; from <= last; from += 11)
      for (CivilDay to : {from, from + 20, from + 45, from + 90, last + 5}) {
        AssessmentScope period{from, to};
        months_used += SplitByMonths(from, to).first_month <= SplitByMonths(from, to).last_month;
        auto same = [&](AssessmentScope scope, RollupGroup g, const std::string& what) {
          AssessmentScope fine = scope;
          fine.fine = true;
          EXPECT_TRUE(*cs.SumRollups(scope, g) == *cs.SumRollups(fine, g))
              << what << " group " << static_cast<int>(g) << " " << FormatDate(from) << ".." << FormatDate(to);
        };
        for (const std::string& region : {std::string(), std::string("130404001"), communities[0].first})
          for (auto g : {RollupGroup::kCommunity, RollupGroup::kWorker, RollupGroup::kTownship, RollupGroup::kNone,
                         RollupGroup::kUnit, RollupGroup::kCounty, RollupGroup::kCategory}) {
            AssessmentScope in = period;
            in.region_prefix = region;
            same(in, g, "region '" + region + "'");
            in.category_prefix = "01";  // the community × category months
            same(in, g, "category 01, region '" + region + "'");
          }
        for (const auto& [unit, counts] : units)
          for (auto g : {RollupGroup::kNone, RollupGroup::kCounty}) {
            AssessmentScope theirs = period;
            theirs.unit_id = std::stoll(unit);
            same(theirs, g, "unit " + unit);
          }
        for (const auto& [worker, counts] : workers_ranked)
          for (auto g : {RollupGroup::kNone, RollupGroup::kCounty, RollupGroup::kWorker}) {
            AssessmentScope mine = period;
            mine.worker_id = std::stoll(worker);
            same(mine, g, "worker " + worker);
          }
      }
    EXPECT_GT(months_used, 3);
  };
  coarse_agrees();
  EXPECT_GT(incremental.second.size(), 20u);
  // The history touched every kind of count (the seed is fixed, so this is stable).
  for (const auto& metric : AssessmentMetrics()) {
    auto d = AssessmentService(ts_.store(), ts_.clock()).DrillDown(ever, metric, 1000);
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->empty()) << metric;
  }
  AssessmentService assess(ts_.store(), ts_.clock());
  // Three cases a step: roll-up rows that several steps touch add up.
  auto st = assess.Rebuild(3);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->cases, 16);
  EXPECT_EQ(st->steps, 6);
  auto rebuilt = snapshot();
  coarse_agrees();
  auto whole = assess.Rebuild();  // in one step
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->steps, 1);
  EXPECT_TRUE(snapshot() == rebuilt);
  // A database with cases but no facts (from before the assessment tables) is derived at start-up,
  // one with facts is left alone.
  EXPECT_FALSE(*assess.RebuildIfMissing());
  ASSERT_TRUE(cs.ClearAssessment().ok());
  ASSERT_TRUE(cs.FinishAssessment().ok());
  auto derived = assess.RebuildIfMissing();
  ASSERT_TRUE(derived.ok() && derived->has_value());
  EXPECT_EQ((*derived)->cases, 16);
  EXPECT_TRUE(snapshot() == rebuilt);
  // So is one whose rebuild stopped midway (facts there, but not all): it is done again.
  ASSERT_TRUE(cs.ClearAssessment().ok());
  ASSERT_TRUE(cs.AddAssessment({incremental.second.front()}, {}).ok());
  EXPECT_TRUE(*cs.AssessmentRebuildUnderWay());
  auto redone = assess.RebuildIfMissing();
  ASSERT_TRUE(redone.ok() && redone->has_value());
  EXPECT_FALSE(*cs.AssessmentRebuildUnderWay());
  EXPECT_TRUE(snapshot() == rebuilt);
  EXPECT_FALSE(*assess.RebuildIfMissing());
  EXPECT_EQ(incremental.second.size(), rebuilt.second.size());
  for (size_t i = 0; i < std::min(incremental.second.size(), rebuilt.second.size()); ++i) {
    const auto &x = incremental.second[i], &y = rebuilt.second[i];
    EXPECT_TRUE(x == y) << "fact " << x.case_id << "/" << x.n << " vs " << y.case_id << "/" << y.n << ": unit "
                        << x.unit_id << "/" << y.unit_id << " worker " << x.worker_id << "/" << y.worker_id << " region "
                        << x.region_code << "/" << y.region_code << " category " << x.category_code << "/"
                        << y.category_code << " due " << x.handling_due << "/" << y.handling_due << " resolved "
                        << x.resolved_at << "/" << y.resolved_at << " rated " << x.rated_at << "/" << y.rated_at;
  }
  for (size_t i = 0; i < incremental.first.size(); ++i) EXPECT_TRUE(incremental.first[i] == rebuilt.first[i]) << "group " << i;
}

TEST_F(CaseServiceTest, TamperingIsDetected) {
  auto a = cases_.Report(AtGrid("0101"))->record;
  auto b = cases_.Report(AtGrid("0102"))->record;
  Do(b.id, CaseAction::kReject, township_, {.reason = "invalid"});
  ASSERT_TRUE(VerifyAuditTrail(ts_.store().cases())->ok);
  auto raw = sql::OpenSqlite(ts_.path());
  ASSERT_TRUE(raw.ok());
  // Someone edits the reason of a rejection.
  ASSERT_TRUE((*raw)->ExecScript("UPDATE case_events SET payload = replace(payload, 'invalid', 'duplicate') WHERE "
                                 "case_id = " + std::to_string(b.id) + " AND seq = 2").ok());
  auto rep = VerifyAuditTrail(ts_.store().cases());
  ASSERT_TRUE(rep.ok());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->broken_case, b.id);
  EXPECT_EQ(rep->broken_seq, 2);
  // Restore it, then remove the last event instead.
  ASSERT_TRUE((*raw)->ExecScript("UPDATE case_events SET payload = replace(payload, 'duplicate', 'invalid') WHERE "
                                 "case_id = " + std::to_string(b.id) + " AND seq = 2").ok());
  ASSERT_TRUE(VerifyAuditTrail(ts_.store().cases())->ok);
  ASSERT_TRUE((*raw)->ExecScript("DELETE FROM case_events WHERE case_id = " + std::to_string(b.id) + " AND seq = 2").ok());
  rep = VerifyAuditTrail(ts_.store().cases());
  EXPECT_FALSE(rep->ok);
  EXPECT_EQ(rep->broken_case, b.id);
  (void)a;
}

TEST_F(CaseServiceTest, SettingsAndWorkingHoursFromConfiguration) {
  EXPECT_EQ(*ParsePeriod("09:00-12:00", "p"), (std::pair<int, int>{540, 720}));
  EXPECT_EQ(ParsePeriod("9-12", "calendar.working_hours[0]").status().field(), "calendar.working_hours[0]");
  CaseSettings bad;
  bad.duplicate_radius_m = 0;
  EXPECT_EQ(ValidateCaseSettings(bad).field(), "duplicate_radius_m");
  CaseSettings overlapping;
  overlapping.working_periods = {{600, 700}, {650, 800}};
  EXPECT_EQ(ValidateCaseSettings(overlapping).field(), "working_hours");
  // A district that works 09:00–12:00 and 14:00–18:00: the same report gets a later deadline.
  CaseSettings custom;
  custom.working_periods = {{9 * 60, 12 * 60}, {14 * 60, 18 * 60}};
  CaseService svc(ts_.store(), grids_, ts_.clock(), custom);
  ASSERT_TRUE(svc.LoadConfig().ok());
  ts_.clock() = ManualClock(At(2026, 11, 27, 17, 30));  // Friday 17:30: still working time here
  auto c = svc.Report(AtGrid("0101"))->record;
  ASSERT_TRUE(svc.Act(c.id, CaseAction::kAccept, township_, {.expected_version = 1}).ok());
  auto d = svc.Act(c.id, CaseAction::kDispatch, township_, {.expected_version = 2});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->record.deadlines.response_due, At(2026, 11, 30, 9, 30));  // 30 min Friday, 30 min Monday
}

TEST_F(CaseServiceTest, RulesFromCsvAreCheckedWhole) {
  int64_t police = UnitNamed("胜利桥派出所");
  auto bad = cases_.ImportRulesCsv("category_code,region_code,unit_id\n12,130404001,"s + std::to_string(police) +
                                   "\n12,130404999," + std::to_string(police) + "\n");
  EXPECT_EQ(bad.status().field(), "line 3.region_code");
  size_t before = cases_.Rules()->size();
  auto ok = cases_.ImportRulesCsv("12,130404001," + std::to_string(police) + "\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(cases_.Rules()->size(), before + 1);
  EXPECT_EQ(cases_.Report(AtGrid("12", "求助"))->record.suggested_unit_id, police);
}

TEST_F(CaseServiceTest, PhotosAreCheckedStoredAndChained) {
  auto dir = std::filesystem::path(ts_.path()).parent_path() / "files";
  auto files = OpenDirFileStore(dir.string());
  ASSERT_TRUE(files.ok());
  CaseService with_files(ts_.store(), grids_, ts_.clock(), {}, files->get());
  ASSERT_TRUE(with_files.LoadConfig().ok());
  auto c = with_files.Report(AtGrid("0101"))->record;
  const std::string png("\x89PNG\r\n\x1A\nfake-but-typed", 22);
  auto p = with_files.AddReporterPhoto(c.tracking_code, png, "image/png");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->stage, "report");
  EXPECT_EQ(p->sha256.size(), 64u);
  auto again = with_files.AddReporterPhoto(c.tracking_code, png, "image/png");  // the same picture twice
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(again.status().message(), "this photo is already attached to the case");
  EXPECT_EQ(with_files.AddReporterPhoto(c.tracking_code, "<html>", "image/png").status().field(), "photo");
  EXPECT_EQ(with_files.AddPhoto(c.id, other_township_, png, "").status().code(), ErrorCode::kNotFound);
  auto got = with_files.GetPhoto(p->sha256);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->first, png);
  EXPECT_EQ(got->second, "image/png");
  auto v = with_files.Get(c.id, township_);
  ASSERT_EQ(v->photos.size(), 1u);
  EXPECT_EQ(v->events.back().action, "photo");
  EXPECT_TRUE(VerifyAuditTrail(ts_.store().cases())->ok);
  // Without a file store photos are refused plainly.
  EXPECT_EQ(cases_.AddReporterPhoto(c.tracking_code, png, "").status().code(), ErrorCode::kUnavailable);
}


// Records what the hub hands over; `open` false makes it behave like a closed connection.
struct RecordingSink : FeedSink {
  std::vector<std::pair<FeedEntry, int64_t>> got;  // entry, resume id
  std::vector<int64_t> resets;
  bool open = true;
  bool Deliver(const FeedEntry& e, int64_t resume_id) override {
    if (open) got.emplace_back(e, resume_id);
    return open;
  }
  bool Reset(int64_t resume_id) override {
    resets.push_back(resume_id);
    return open;
  }
  bool Heartbeat() override { return open; }
  std::vector<std::string> Actions() const {
    std::vector<std::string> out;
    for (const auto& [e, _] : got) out.push_back(std::to_string(e.case_id) + ":" + e.action);
    return out;
  }
};

TEST_F(CaseServiceTest, LiveFeedDeliversWhatEachScopeMaySeeAndResumes) {
  FeedHub hub(ts_.store().cases(), ts_.clock());
  auto before = cases_.Report(AtGrid("0101"))->record;  // before anyone listens: not pushed live
  ASSERT_TRUE(hub.Poll().ok());
  auto township = std::make_shared<RecordingSink>(), other = std::make_shared<RecordingSink>(),
       unit_sink = std::make_shared<RecordingSink>(), summoned_sink = std::make_shared<RecordingSink>();
  const int64_t unit = UnitNamed("复兴区城市管理综合行政执法局"), summoned = UnitNamed("胜利桥街道司法所");
  ASSERT_TRUE(hub.Subscribe({.region_prefix = "130404001"}, std::nullopt, township).ok());
  ASSERT_TRUE(hub.Subscribe({.region_prefix = "130404002"}, std::nullopt, other).ok());
  ASSERT_TRUE(hub.Subscribe({.unit_id = unit}, std::nullopt, unit_sink).ok());
  ASSERT_TRUE(hub.Subscribe({.unit_id = summoned}, std::nullopt, summoned_sink).ok());

  auto c = cases_.Report(AtGrid("0101"))->record;
  Do(c.id, CaseAction::kAccept, township_);
  auto d = Do(c.id, CaseAction::kDispatch, township_);
  ASSERT_TRUE(cases_.Summon(c.id, township_, {summoned}, d.record.version, 30).ok());
  ASSERT_TRUE(hub.Poll().ok());
  const std::string id = std::to_string(c.id);
  EXPECT_EQ(township->Actions(), (std::vector<std::string>{id + ":report", id + ":accept", id + ":dispatch", id + ":summon"}));
  EXPECT_TRUE(other->got.empty());
  EXPECT_EQ(unit_sink->Actions(), (std::vector<std::string>{id + ":dispatch", id + ":summon"}));
  EXPECT_EQ(summoned_sink->Actions(), (std::vector<std::string>{id + ":summon"}));
  // In commit order, each with the id to resume from.
  for (size_t i = 0; i < township->got.size(); ++i) {
    EXPECT_EQ(township->got[i].first.seq, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(township->got[i].second, township->got[i].first.id);
  }
  EXPECT_EQ(township->got[2].first.unit_id, unit);
  EXPECT_EQ(township->got[2].first.to_state, "dispatched");

  // The summoned unit follows the case from then on: its 报到 and the deadline warnings.
  Actor summoned_actor{Actor::Kind::kUnit, "", summoned};
  // It finds the case among those it is summoned to (not among those it handles); others do not.
  auto mine = cases_.List({.summoned_unit_id = summoned}, summoned_actor);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->at(0).id, c.id);
  EXPECT_TRUE(cases_.List({}, summoned_actor)->empty());
  EXPECT_TRUE(cases_.List({.summoned_unit_id = summoned}, Actor{Actor::Kind::kUnit, "", unit})->empty());
  auto cur = cases_.Get(c.id, Actor{Actor::Kind::kSystem});
  ASSERT_TRUE(cases_.Acknowledge(c.id, summoned_actor, "到场", cur->record.version).ok());
  ts_.clock().Advance(2 * 60 * kMinute);  // past the response deadline
  ASSERT_TRUE(cases_.Sweep(100).ok());
  ASSERT_TRUE(hub.Poll().ok());
  auto acts = summoned_sink->Actions();
  EXPECT_EQ(std::vector<std::string>(acts.begin() + 1, acts.end()),
            (std::vector<std::string>{id + ":acknowledge", id + ":warn", id + ":overdue"}));
  EXPECT_EQ(township->got.size(), 7u);

  // A console that lost its connection after the second entry gets the rest, in order, once.
  auto back = std::make_shared<RecordingSink>();
  ASSERT_TRUE(hub.Subscribe({.region_prefix = "130404001"}, township->got[1].second, back).ok());
  ASSERT_EQ(back->got.size(), 5u);
  for (size_t i = 0; i < back->got.size(); ++i) EXPECT_EQ(back->got[i].first.id, township->got[i + 2].first.id);
  // And from there on it is live like the others; a closed connection is dropped.
  other->open = false;
  Do(c.id, CaseAction::kClaim, Actor{Actor::Kind::kUnit, "", unit});
  auto elsewhere = AtGrid("0101");
  elsewhere.lng = 100.0;
  elsewhere.region_code = "130404002";
  ASSERT_TRUE(cases_.Report(elsewhere).ok());
  ASSERT_TRUE(hub.Poll().ok());
  EXPECT_EQ(back->got.back().first.action, "claim");
  EXPECT_EQ(hub.subscribers(), 4u);  // `other` saw the new case, found its connection closed, and went
  (void)before;
}

TEST_F(CaseServiceTest, LiveFeedWaitsForLateCommitsAndResetsTheFarBehind) {
  // Feed ids are handed out before commit; with several writers an entry can become visible after
  // entries with higher ids. Written straight into the table to play that order.
  auto conn = sql::OpenSqlite(ts_.path());
  ASSERT_TRUE(conn.ok());
  auto put = [&](int64_t id) {
    auto r = (*conn)->Exec("INSERT INTO feed (id, case_id, seq, at, action, from_state, to_state, region_code, "
                           "category_code) VALUES (?, 1, ?, ?, 'report', '', 'reported', '130404001008', '0101')",
                           {id, id, ts_.clock().Now()});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  };
  FeedHub hub(ts_.store().cases(), ts_.clock(), {.max_backlog = 3});
  auto sink = std::make_shared<RecordingSink>();
  ASSERT_TRUE(hub.Subscribe({}, std::nullopt, sink).ok());
  put(1);
  put(3);
  ASSERT_TRUE(hub.Poll().ok());
  ASSERT_EQ(sink->got.size(), 2u);
  EXPECT_EQ(sink->got[1].second, 1);  // 3 is delivered, but a resume must start below the gap
  put(2);  // the late one
  put(5);  // and a gap (4) that never fills
  ASSERT_TRUE(hub.Poll().ok());
  ASSERT_EQ(sink->got.size(), 4u);
  EXPECT_EQ(sink->got[2].first.id, 2);
  EXPECT_EQ(sink->got[2].second, 3);
  EXPECT_EQ(hub.cursor(), 3);
  ASSERT_TRUE(hub.Poll().ok());
  EXPECT_EQ(sink->got.size(), 4u);  // nothing twice
  ts_.clock().Advance(11'000);
  ASSERT_TRUE(hub.Poll().ok());
  EXPECT_EQ(hub.cursor(), 5);  // 4 given up after the wait
  // Resuming from before the gap repeats nothing that was not missed... but may repeat what was
  // delivered above a gap; five entries behind is more than the backlog allowed: reload.
  auto far = std::make_shared<RecordingSink>();
  ASSERT_TRUE(hub.Subscribe({}, 0, far).ok());
  EXPECT_TRUE(far->got.empty());
  EXPECT_EQ(far->resets, std::vector<int64_t>{5});
  auto near = std::make_shared<RecordingSink>();
  ASSERT_TRUE(hub.Subscribe({}, 2, near).ok());
  ASSERT_EQ(near->got.size(), 2u);
  EXPECT_EQ(near->got[0].first.id, 3);
  EXPECT_EQ(near->got[1].first.id, 5);
  // Pruned history: a client that missed pruned entries must reload too.
  ts_.clock().Advance(8 * 86'400'000LL);
  put(6);
  hub.Maintain();
  auto bounds = ts_.store().cases().FeedBounds();
  EXPECT_EQ(bounds->first, 6);
  auto pruned = std::make_shared<RecordingSink>();
  ASSERT_TRUE(hub.Poll().ok());
  ASSERT_TRUE(hub.Subscribe({}, 3, pruned).ok());
  EXPECT_EQ(pruned->resets, std::vector<int64_t>{6});
  // The polling API pages through the feed by scope.
  auto page = hub.Since({.region_prefix = "130404002"}, 0, 10);
  EXPECT_TRUE(page->entries.empty());
  EXPECT_EQ(page->through, 6);
  // Everything pruned: a client from before must reload too.
  ts_.clock().Advance(8 * 86'400'000LL);
  hub.Maintain();
  EXPECT_EQ(ts_.store().cases().FeedBounds()->second, 0);
  auto empty = std::make_shared<RecordingSink>();
  ASSERT_TRUE(hub.Subscribe({}, 5, empty).ok());
  EXPECT_EQ(empty->resets, std::vector<int64_t>{6});
}


TEST_F(CaseServiceTest, HistoricalImportCountsLikeLiveCasesAndIsAllOrNothing) {
  const int64_t unit = UnitNamed("复兴区城市管理综合行政执法局");
  const std::string u = std::to_string(unit);
  // Over days and a weekend: two dispatches given back, a rework, an overdue resolution, a rejection.
  std::string csv =
      "id,state,category_code,description,region_code,unit_id,reported_at,dispatched_at,claimed_at,resolved_at,"
      "closed_at,returns,reworks,rating_solved,rating_satisfaction\n"
      "7,closed,0101,旧案一,130404001008," + u + ",2026-11-02T09:00:00+08:00,2026-11-02T09:10:00+08:00,"
      "2026-11-02T09:40:00+08:00,2026-11-02T15:00:00+08:00,2026-11-03T10:00:00+08:00,2,1,true,satisfied\n"
      "8,closed,0101,\"旧案二, 超期\",130404001008," + u + ",2026-11-06T16:00:00+08:00,2026-11-06T16:05:00+08:00,"
      "2026-11-06T17:30:00+08:00,2026-11-10T11:00:00+08:00,2026-11-11T09:00:00+08:00,0,0,false,unsatisfied\n"
      "9,rejected,0101,旧案三,130404001,,2026-11-09T08:00:00+08:00,,,,2026-11-09T08:30:00+08:00,,,,\n"
      // Across National Day: 1 working day from 30 Sep 16:00 is 8 Oct 16:00 (1–7 Oct are off).
      "10,closed,0101,国庆前的旧案,130404001008," + u + ",2026-09-30T15:50:00+08:00,2026-09-30T16:00:00+08:00,"
      "2026-09-30T16:20:00+08:00,2026-10-08T10:00:00+08:00,2026-10-09T09:00:00+08:00,0,0,true,satisfied\n";
  auto n = cases_.ImportHistoryCsv(csv);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 4);
  AssessmentService assess(ts_.store(), ts_.clock());
  AssessmentScope holiday{DayFromYmd(2026, 9, 1), DayFromYmd(2026, 10, 31)};
  holiday.unit_id = unit;
  auto h = assess.Assess(holiday);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->counts.due, 1);
  EXPECT_EQ(h->counts.on_time, 1);
  EXPECT_EQ(h->counts.handling_minutes, 90 + 90);  // 16:00–17:30 on 30 Sep, 08:30–10:00 on 8 Oct
  EXPECT_EQ(h->average_handling_hours, 3.0);
  AssessmentScope nov{DayFromYmd(2026, 11, 1), DayFromYmd(2026, 11, 30)};
  nov.unit_id = unit;
  auto a = assess.Assess(nov);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const RollupCounts& c = a->counts;
  EXPECT_EQ(c.dispatched, 4);  // 3 + 1
  EXPECT_EQ(c.returned, 2);
  EXPECT_EQ(c.reworked, 1);
  EXPECT_EQ(c.resolved, 2);
  EXPECT_EQ(c.rated, 2);
  EXPECT_EQ(c.satisfied, 1);
  EXPECT_EQ(c.overdue, 1);  // 1 working day from Friday 16:05 is Monday 16:05; resolved Tuesday
  // The rebuild from the synthesized events gives the same roll-ups, and the chain verifies.
  auto before = *ts_.store().cases().SumRollups(nov, RollupGroup::kDay);
  ASSERT_TRUE(assess.Rebuild().ok());
  EXPECT_TRUE(*ts_.store().cases().SumRollups(nov, RollupGroup::kDay) == before);
  auto audit = VerifyAuditTrail(ts_.store().cases());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok) << audit->problem;
  // New ids follow the order of reporting; the old id is kept with the report.
  auto list = *cases_.List({.limit = 10}, Actor{Actor::Kind::kSystem});
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].description, "旧案三");
  EXPECT_EQ(list[2].description, "旧案一");
  EXPECT_EQ(list[3].deadlines.handling_due, *ParseInstant("2026-10-08T16:00:00+08:00"));
  EXPECT_NE((*ts_.store().cases().ListEvents(list[2].id))[0].payload.find("\"source_id\":\"7\""), std::string::npos);

  // One bad row: named, nothing written.
  std::string bad = csv.substr(0, csv.find('\n') + 1) + "1,closed,0101,好,130404001008," + u +
                    ",2026-11-02T09:00:00+08:00,2026-11-02T09:10:00+08:00,2026-11-02T09:40:00+08:00,"
                    "2026-11-02T15:00:00+08:00,2026-11-03T10:00:00+08:00,0,0,,\n"
                    "2,closed,0101,坏,130404001008," + u + ",2026-11-02T09:00:00+08:00,2026-11-02T09:10:00+08:00,"
                    "2026-11-01T09:40:00+08:00,2026-11-02T15:00:00+08:00,2026-11-03T10:00:00+08:00,0,0,,\n";
  EXPECT_EQ(cases_.ImportHistoryCsv(bad).status().field(), "line 3.claimed_at");
  EXPECT_EQ(ts_.store().cases().CountCases().value(), 4);
}

// A file of more cases than one step writes (2,000) is written whole, its new ids still in the
// order of reporting across the steps, though the file lists the newest first as exports do.
TEST_F(CaseServiceTest, AHistoricalImportOfSeveralStepsKeepsTheOrderOfReporting) {
  std::string csv = "id,state,category_code,description,region_code,reported_at,closed_at\n";
  const InstantMs first = *ParseInstant("2026-06-01T08:00:00+08:00");
  const int n = 4'001;
  for (int i = n - 1; i >= 0; --i) {
    const InstantMs at = first + i * 60'000LL;
    csv += std::to_string(100 + i) + ",rejected,0101,旧案" + std::to_string(i) + ",130404001," + FormatLocalTime(at) + "," +
           FormatLocalTime(at + 600'000) + "\n";
  }
  auto imported = cases_.ImportHistoryCsv(csv);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(*imported, n);
  EXPECT_EQ(*ts_.store().cases().CountCases(), n);
  std::vector<CaseRecord> all;
  for (int64_t after = 0;;) {
    auto page = *cases_.List({.after_id = after, .limit = 500}, Actor{Actor::Kind::kSystem});
    if (page.empty()) break;
    after = page.back().id;
    all.insert(all.end(), page.begin(), page.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(n));
  for (size_t k = 0; k < all.size(); ++k) {  // newest id first: the latest report
    ASSERT_EQ(all[k].description, "旧案" + std::to_string(n - 1 - k)) << "at " << k;
    if (k) ASSERT_LT(all[k].id, all[k - 1].id);
  }
  auto audit = VerifyAuditTrail(ts_.store().cases());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok) << audit->problem;
}

}  // namespace
}  // namespace gongzhi
