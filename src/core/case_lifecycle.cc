#include "core/case_lifecycle.h"

#include <string>

namespace gongzhi {
namespace {

using S = CaseState;
using A = CaseAction;
using R = CaseRole;

constexpr unsigned Bit(R r) { return 1u << static_cast<unsigned>(r); }
constexpr unsigned kDisp = Bit(R::kDispatcher);
constexpr unsigned kHand = Bit(R::kHandler);
constexpr unsigned kVer = Bit(R::kVerifier) | Bit(R::kDispatcher);
constexpr unsigned kRep = Bit(R::kReporter);
constexpr unsigned kSys = Bit(R::kSystem);

struct Rule {
  S from;
  A action;
  unsigned roles;
  S to;
};

// The whole lifecycle. kRate's and the extension actions' targets are refined in Apply.
constexpr Rule kRules[] = {
    {S::kReported, A::kAccept, kDisp, S::kAccepted},
    {S::kReported, A::kReject, kDisp, S::kRejected},
    {S::kReported, A::kMerge, kDisp, S::kMerged},
    {S::kAccepted, A::kMerge, kDisp, S::kMerged},
    {S::kAccepted, A::kDispatch, kDisp, S::kDispatched},
    {S::kAccepted, A::kPark, kDisp, S::kParked},
    {S::kReturned, A::kDispatch, kDisp, S::kDispatched},
    {S::kReturned, A::kPark, kDisp, S::kParked},
    {S::kReturned, A::kReject, kDisp, S::kRejected},
    {S::kDispatched, A::kClaim, kHand, S::kHandling},
    {S::kDispatched, A::kReturn, kHand, S::kReturned},
    {S::kDispatched, A::kDispatch, kDisp, S::kDispatched},  // re-dispatch before it is claimed
    {S::kHandling, A::kReturn, kHand, S::kReturned},
    {S::kHandling, A::kRequestExtension, kHand, S::kHandling},
    {S::kHandling, A::kApproveExtension, kDisp, S::kHandling},
    {S::kHandling, A::kDenyExtension, kDisp, S::kHandling},
    {S::kHandling, A::kResolve, kHand, S::kResolved},
    {S::kHandling, A::kPark, kDisp, S::kParked},
    {S::kResolved, A::kVerify, kVer, S::kVerified},
    {S::kResolved, A::kRework, kVer, S::kHandling},
    {S::kVerified, A::kRate, kRep, S::kClosed},
    {S::kVerified, A::kAutoClose, kSys, S::kClosed},
    {S::kParked, A::kUnpark, kDisp, S::kAccepted},
};

// Conditions beyond the table: extension requests come one at a time.
bool Permitted(const CaseFacts& f, const Rule& r) {
  switch (r.action) {
    case A::kRequestExtension: return !f.extension_pending;
    case A::kApproveExtension:
    case A::kDenyExtension: return f.extension_pending;
    default: return true;
  }
}

const Rule* Find(const CaseFacts& f, A action, R role) {
  for (const Rule& r : kRules)
    if (r.from == f.state && r.action == action && (r.roles & Bit(role)) && Permitted(f, r)) return &r;
  return nullptr;
}

}  // namespace

const char* CaseStateName(CaseState s) {
  static const char* kNames[] = {"reported", "accepted", "rejected", "merged",   "dispatched", "returned",
                                 "handling", "resolved", "verified", "closed",   "parked"};
  return kNames[static_cast<int>(s)];
}

const char* CaseActionName(CaseAction a) {
  static const char* kNames[] = {"accept",  "reject",        "merge",  "dispatch", "claim",     "return",
                                 "request_extension", "approve_extension", "deny_extension", "resolve",
                                 "verify",  "rework",        "rate",   "auto_close", "park",     "unpark"};
  return kNames[static_cast<int>(a)];
}

const char* CaseRoleName(CaseRole r) {
  static const char* kNames[] = {"reporter", "dispatcher", "handler", "verifier", "system"};
  return kNames[static_cast<int>(r)];
}

std::optional<CaseState> ParseCaseState(std::string_view s) {
  for (int i = 0; i < kCaseStateCount; ++i)
    if (s == CaseStateName(static_cast<CaseState>(i))) return static_cast<CaseState>(i);
  return std::nullopt;
}

std::optional<CaseAction> ParseCaseAction(std::string_view s) {
  for (int i = 0; i < kCaseActionCount; ++i)
    if (s == CaseActionName(static_cast<CaseAction>(i))) return static_cast<CaseAction>(i);
  return std::nullopt;
}

bool IsTerminal(CaseState s) { return s == S::kRejected || s == S::kMerged || s == S::kClosed; }

std::vector<CaseAction> AllowedCaseActions(const CaseFacts& f, CaseRole role) {
  std::vector<CaseAction> out;
  for (int i = 0; i < kCaseActionCount; ++i)
    if (Find(f, static_cast<A>(i), role)) out.push_back(static_cast<A>(i));
  return out;
}

Result<Outcome> ApplyCaseAction(const CaseFacts& f, CaseAction action, CaseRole role, const ActionInput& in) {
  const Rule* rule = Find(f, action, role);
  if (!rule) {
    std::string msg = std::string("cannot ") + CaseActionName(action) + " a case in state " + CaseStateName(f.state) +
                      " as " + CaseRoleName(role) + "; allowed: ";
    auto allowed = AllowedCaseActions(f, role);
    if (allowed.empty()) msg += "none";
    for (size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : "") + std::string(CaseActionName(allowed[i]));
    return Status::Conflict(msg, "action");
  }
  Outcome out;
  out.facts = f;
  out.facts.state = rule->to;
  switch (action) {
    case A::kRequestExtension: out.facts.extension_pending = true; break;
    case A::kApproveExtension:
    case A::kDenyExtension: out.facts.extension_pending = false; break;
    case A::kResolve:
    case A::kReturn:
    case A::kPark: out.facts.extension_pending = false; break;
    case A::kRate:
      // An unsatisfied or unsolved rating reopens the case to its handler, once.
      if ((!in.solved || in.satisfaction == Satisfaction::kUnsatisfied) && !f.reopened) {
        out.facts.state = S::kHandling;
        out.facts.reopened = true;
        out.reopened_now = true;
      }
      break;
    default: break;
  }
  return out;
}

}  // namespace gongzhi
