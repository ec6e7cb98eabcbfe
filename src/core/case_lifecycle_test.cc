#include "core/case_lifecycle.h"

#include <queue>
#include <set>

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

using S = CaseState;
using A = CaseAction;
using R = CaseRole;

constexpr R kRoles[] = {R::kReporter, R::kDispatcher, R::kHandler, R::kVerifier, R::kSystem};

std::vector<CaseFacts> AllFacts() {
  std::vector<CaseFacts> v;
  for (int s = 0; s < kCaseStateCount; ++s)
    for (bool ext : {false, true})
      for (bool reo : {false, true}) v.push_back({static_cast<S>(s), ext, reo});
  return v;
}

CaseFacts Step(CaseFacts f, A a, R r, ActionInput in = {}) {
  auto o = ApplyCaseAction(f, a, r, in);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return o.ok() ? o->facts : f;
}

TEST(CaseLifecycleTest, TheUsualPath) {
  CaseFacts f;
  f = Step(f, A::kAccept, R::kDispatcher);
  f = Step(f, A::kDispatch, R::kDispatcher);
  f = Step(f, A::kClaim, R::kHandler);
  f = Step(f, A::kResolve, R::kHandler);
  f = Step(f, A::kVerify, R::kVerifier);
  f = Step(f, A::kRate, R::kReporter);
  EXPECT_EQ(f.state, S::kClosed);
}

TEST(CaseLifecycleTest, UnsatisfiedRatingReopensOnceOnly) {
  CaseFacts f{S::kVerified, false, false};
  auto o = ApplyCaseAction(f, A::kRate, R::kReporter, {true, Satisfaction::kUnsatisfied});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->facts.state, S::kHandling);
  EXPECT_TRUE(o->reopened_now);
  f = Step(o->facts, A::kResolve, R::kHandler);
  f = Step(f, A::kVerify, R::kDispatcher);
  auto second = ApplyCaseAction(f, A::kRate, R::kReporter, {false, Satisfaction::kUnsatisfied});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->facts.state, S::kClosed);  // the second bad rating is recorded, the case closes
  EXPECT_FALSE(second->reopened_now);
  // "Not solved" alone also reopens.
  auto unsolved = ApplyCaseAction({S::kVerified, false, false}, A::kRate, R::kReporter, {false, Satisfaction::kSatisfied});
  EXPECT_EQ(unsolved->facts.state, S::kHandling);
}

TEST(CaseLifecycleTest, ExtensionRequestsOneAtATime) {
  CaseFacts f{S::kHandling, false, false};
  f = Step(f, A::kRequestExtension, R::kHandler);
  EXPECT_TRUE(f.extension_pending);
  EXPECT_FALSE(ApplyCaseAction(f, A::kRequestExtension, R::kHandler).ok());
  f = Step(f, A::kDenyExtension, R::kDispatcher);
  EXPECT_FALSE(f.extension_pending);
  EXPECT_FALSE(ApplyCaseAction(f, A::kApproveExtension, R::kDispatcher).ok());
}

TEST(CaseLifecycleTest, RefusalsListWhatIsAllowed) {
  auto r = ApplyCaseAction({S::kReported}, A::kClaim, R::kHandler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConflict);
  EXPECT_NE(r.status().message().find("allowed: none"), std::string::npos) << r.status().message();
  auto d = ApplyCaseAction({S::kReported}, A::kClaim, R::kDispatcher);
  EXPECT_NE(d.status().message().find("allowed: accept, reject, merge"), std::string::npos) << d.status().message();
}

TEST(CaseLifecycleTest, RolesAreEnforced) {
  EXPECT_FALSE(ApplyCaseAction({S::kAccepted}, A::kDispatch, R::kHandler).ok());   // no self-dispatch
  EXPECT_FALSE(ApplyCaseAction({S::kAccepted}, A::kDispatch, R::kReporter).ok());
  EXPECT_FALSE(ApplyCaseAction({S::kDispatched}, A::kClaim, R::kDispatcher).ok());
  EXPECT_FALSE(ApplyCaseAction({S::kResolved}, A::kVerify, R::kHandler).ok());     // no verifying one's own work
  EXPECT_FALSE(ApplyCaseAction({S::kVerified}, A::kRate, R::kDispatcher).ok());    // only the reporter rates
  EXPECT_FALSE(ApplyCaseAction({S::kVerified}, A::kAutoClose, R::kDispatcher).ok());
  // A resident can do nothing but rate, whatever the state.
  for (const auto& f : AllFacts()) {
    for (A a : AllowedCaseActions(f, R::kReporter)) EXPECT_EQ(a, A::kRate);
  }
}

// Exhaustive: for every state, flag combination, action and role, Apply and AllowedCaseActions
// agree, a refusal changes nothing, and terminal states accept nothing.
TEST(CaseLifecycleTest, ExhaustiveConsistency) {
  int allowed_total = 0;
  for (const auto& f : AllFacts()) {
    for (R role : kRoles) {
      auto allowed = AllowedCaseActions(f, role);
      std::set<A> allowed_set(allowed.begin(), allowed.end());
      for (int a = 0; a < kCaseActionCount; ++a) {
        auto action = static_cast<A>(a);
        auto r = ApplyCaseAction(f, action, role);
        EXPECT_EQ(r.ok(), allowed_set.count(action) == 1)
            << CaseStateName(f.state) << " " << CaseActionName(action) << " " << CaseRoleName(role);
        if (!r.ok()) {
          EXPECT_EQ(r.status().code(), ErrorCode::kConflict);
          EXPECT_NE(r.status().message().find(CaseStateName(f.state)), std::string::npos);
        }
      }
      allowed_total += static_cast<int>(allowed.size());
      if (IsTerminal(f.state)) EXPECT_TRUE(allowed.empty()) << CaseStateName(f.state);
    }
  }
  EXPECT_GT(allowed_total, 0);
}

// Every state is reachable from reported, and from every non-terminal state some path ends in a
// terminal one: no case can get stuck.
TEST(CaseLifecycleTest, EveryStateReachableNoDeadEnds) {
  auto successors = [](const CaseFacts& f) {
    std::vector<CaseFacts> next;
    for (R role : kRoles)
      for (A a : AllowedCaseActions(f, role))
        for (bool solved : {true, false}) {
          auto o = ApplyCaseAction(f, a, role, {solved, solved ? Satisfaction::kSatisfied : Satisfaction::kUnsatisfied});
          if (o.ok()) next.push_back(o->facts);
        }
    return next;
  };
  auto key = [](const CaseFacts& f) { return static_cast<int>(f.state) * 4 + f.extension_pending * 2 + f.reopened; };
  std::set<int> seen;
  std::set<S> states;
  std::queue<CaseFacts> q;
  q.push({});
  seen.insert(key({}));
  std::vector<CaseFacts> reachable;
  while (!q.empty()) {
    CaseFacts f = q.front();
    q.pop();
    reachable.push_back(f);
    states.insert(f.state);
    for (const auto& n : successors(f))
      if (seen.insert(key(n)).second) q.push(n);
  }
  EXPECT_EQ(states.size(), static_cast<size_t>(kCaseStateCount));
  for (const auto& start : reachable) {
    if (IsTerminal(start.state)) continue;
    std::set<int> seen2{key(start)};
    std::queue<CaseFacts> q2;
    q2.push(start);
    bool terminal = false;
    while (!q2.empty() && !terminal) {
      auto f = q2.front();
      q2.pop();
      for (const auto& n : successors(f)) {
        terminal = terminal || IsTerminal(n.state);
        if (seen2.insert(key(n)).second) q2.push(n);
      }
    }
    EXPECT_TRUE(terminal) << "stuck from " << CaseStateName(start.state);
  }
}

TEST(CaseLifecycleTest, NamesRoundTrip) {
  for (int i = 0; i < kCaseStateCount; ++i)
    EXPECT_EQ(ParseCaseState(CaseStateName(static_cast<S>(i))), static_cast<S>(i));
  for (int i = 0; i < kCaseActionCount; ++i)
    EXPECT_EQ(ParseCaseAction(CaseActionName(static_cast<A>(i))), static_cast<A>(i));
  EXPECT_FALSE(ParseCaseAction("delete"));
}

}  // namespace
}  // namespace gongzhi
