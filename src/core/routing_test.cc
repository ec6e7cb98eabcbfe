#include "core/routing.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

const std::vector<ResponsibilityRule> kRules = {
    {1, "01", "130404", 100},          // 市容环境 anywhere in 复兴区 → 城管局
    {2, "0101", "130404", 101},        // 暴露垃圾 in the district → 环卫所
    {3, "01", "130404001", 200},       // 市容环境 in 胜利桥街道 → the street's 城管中队
    {4, "02", "130404", 300},
    {5, "01", "130404001008", 400},    // one community handles its own
};

TEST(RouteTest, MostSpecificRegionThenCategory) {
  EXPECT_EQ(Route(kRules, "0102", "130404002001").unit_id, 100);  // district rule
  EXPECT_EQ(Route(kRules, "0101", "130404002001").unit_id, 101);  // same region, finer category
  EXPECT_EQ(Route(kRules, "0101", "130404001017").unit_id, 200);  // finer region beats finer category
  EXPECT_EQ(Route(kRules, "0101", "130404001008").unit_id, 400);
  auto d = Route(kRules, "0203", "130404001017");
  EXPECT_EQ(d.unit_id, 300);
  EXPECT_EQ(d.rule_id, 4);
  EXPECT_NE(d.reason.find("rule 4"), std::string::npos);
}

TEST(RouteTest, NoRuleFallsToTheTownship) {
  auto d = Route(kRules, "09", "130404001017");
  EXPECT_FALSE(d.unit_id);
  EXPECT_EQ(d.township_code, "130404001");
  EXPECT_NE(d.reason.find("属地兜底"), std::string::npos);
  auto unclassified = Route(kRules, "", "130404002001");
  EXPECT_FALSE(unclassified.unit_id);
  EXPECT_EQ(unclassified.township_code, "130404002");
  EXPECT_FALSE(Route(kRules, "01", "130402001001").unit_id);  // another district: none of these rules
}

TEST(AdmissionTest, OnlyAdmittedCategories) {
  std::vector<std::string> admitted = {"0101", "05"};
  EXPECT_TRUE(CheckGridAdmission(admitted, "0101", "暴露垃圾").ok());
  EXPECT_TRUE(CheckGridAdmission(admitted, "0503", "邻里纠纷").ok());
  auto s = CheckGridAdmission(admitted, "0104", "违法搭建");
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_NE(s.message().find("网格准入清单"), std::string::npos);
  EXPECT_NE(s.message().find("0104"), std::string::npos);
  EXPECT_FALSE(CheckGridAdmission({}, "0101", "x").ok());
}

TEST(ProposeWorkerTest, LowestLoadUnderCapacityThenBackups) {
  std::vector<WorkerLoad> ws = {{1, "王芳", 4, 8}, {2, "李娜", 2, 8}, {3, "张伟", 1, 2}, {4, "刘洋", 0, 8, false}};
  auto p = ProposeWorker(ws);
  EXPECT_EQ(p.worker_id, 2);  // 2/8 < 1/2
  EXPECT_NE(p.reason.find("李娜"), std::string::npos);
  ws[0].open_tasks = 8, ws[1].open_tasks = 8, ws[2].open_tasks = 2;
  p = ProposeWorker(ws);
  EXPECT_EQ(p.worker_id, 4);
  EXPECT_NE(p.reason.find("backup"), std::string::npos);
  ws[3].open_tasks = 8;
  EXPECT_FALSE(ProposeWorker(ws).worker_id);
  ws[3].open_tasks = 0, ws[3].active = false;
  EXPECT_FALSE(ProposeWorker(ws).worker_id);
}

TEST(GiniTest, EvenAndConcentrated) {
  EXPECT_DOUBLE_EQ(Gini({3, 3, 3, 3}), 0);
  EXPECT_NEAR(Gini({0, 0, 0, 12}), 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(Gini({}), 0);
  EXPECT_DOUBLE_EQ(Gini({0, 0}), 0);
}

}  // namespace
}  // namespace gongzhi
