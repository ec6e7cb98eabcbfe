// The case (工单) lifecycle as a pure state machine: which actions each role may take in each
// state, and where they lead. No I/O; the use cases apply it under an optimistic version check.
//
//   reported ─accept→ accepted ─dispatch→ dispatched ─claim→ handling ─resolve→ resolved ─verify→ verified ─rate→ closed
//       │ reject/merge          ↑   │ park        │ return            │ ext. request/approve/deny   │ rework        │ rate (unsatisfied, once)
//       ↓                       │   ↓             ↓                   │ return, park                ↓               ↓
//   rejected | merged        returned ←───────────┘                   └──────────── handling ←──────┴───────────────┘
//                           parked ─unpark→ accepted                  auto_close: verified → closed (no rating in time)
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gongzhi {

enum class CaseState {
  kReported,    // 上报: waiting for a dispatcher
  kAccepted,    // 立案: in the dispatcher's queue, to be dispatched
  kRejected,    // 不予受理 (terminal)
  kMerged,      // merged into another case (terminal)
  kDispatched,  // 派遣: waiting for the handler to claim
  kReturned,    // 退单: the handler sent it back; the dispatcher re-dispatches
  kHandling,    // 签收/处置中
  kResolved,    // 办结: waiting for verification
  kVerified,    // 核查通过: waiting for the reporter's rating
  kClosed,      // 结案 (terminal)
  kParked,      // 挂账: cannot be solved now; reviewed later
};
inline constexpr int kCaseStateCount = 11;

enum class CaseAction {
  kAccept, kReject, kMerge, kDispatch, kClaim, kReturn, kRequestExtension, kApproveExtension, kDenyExtension,
  kResolve, kVerify, kRework, kRate, kAutoClose, kPark, kUnpark,
};
inline constexpr int kCaseActionCount = 16;

// Who acts, relative to the case.
enum class CaseRole {
  kReporter,    // the resident who reported it (or was merged into it)
  kDispatcher,  // community/township dispatcher of the case's area
  kHandler,     // the unit or grid worker it is dispatched to
  kVerifier,    // the grid worker of the case's grid (核查); dispatchers may verify too
  kSystem,      // timers
};

const char* CaseStateName(CaseState s);
const char* CaseActionName(CaseAction a);
const char* CaseRoleName(CaseRole r);
std::optional<CaseState> ParseCaseState(std::string_view s);
std::optional<CaseAction> ParseCaseAction(std::string_view s);

// 满意度 and 解决情况 of the reporter's rating.
enum class Satisfaction { kSatisfied, kBasicallySatisfied, kUnsatisfied };

struct CaseFacts {
  CaseState state = CaseState::kReported;
  bool extension_pending = false;  // a 延期 request awaits the dispatcher
  bool reopened = false;           // an unsatisfied rating already reopened it once
};

struct ActionInput {
  // For kRate.
  bool solved = true;
  Satisfaction satisfaction = Satisfaction::kSatisfied;
};

struct Outcome {
  CaseFacts facts;       // the case after the action
  bool reopened_now = false;  // this rating sent the case back to the handler
};

// Applies `action` by `role`. On refusal: kConflict whose message names the state and lists the
// actions this role may take from it (or says there are none).
Result<Outcome> ApplyCaseAction(const CaseFacts& facts, CaseAction action, CaseRole role, const ActionInput& input = {});

// The actions `role` may take now, in declaration order.
std::vector<CaseAction> AllowedCaseActions(const CaseFacts& facts, CaseRole role);

bool IsTerminal(CaseState s);

}  // namespace gongzhi
