// Dispatch rules of the case engine, pure: the responsibility list (权责清单) that gives every
// case an owner, the grid admission list (网格准入清单) that keeps grid workers to their duty list,
// and the load-aware choice of a grid worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace gongzhi {

// Category codes are hierarchical strings: a 小类 code starts with its 大类 code ("01" → "0101").
struct ResponsibilityRule {
  int64_t id = 0;
  std::string category_code;  // a 大类 or 小类 code; matches every category it prefixes
  std::string region_code;    // scope: matches cases in this region or below
  int64_t unit_id = 0;        // the responsible unit
};

struct RouteDecision {
  std::optional<int64_t> unit_id;  // empty: 属地兜底, the township's dispatcher queue
  int64_t rule_id = 0;
  std::string township_code;       // always set when the case's region is at township level or below
  std::string reason;              // for people: which rule, or why none
};

// The most specific region wins, then the most specific category, then the lowest rule id.
// `case_region` is the deepest region code known for the case (community, or coarser).
RouteDecision Route(const std::vector<ResponsibilityRule>& rules, const std::string& category_code,
                    const std::string& case_region);

// 网格准入清单: OK when some admitted code prefixes `category_code`; otherwise kConflict naming the
// list and the category, so the caller can offer the responsible unit instead.
Status CheckGridAdmission(const std::vector<std::string>& admitted, const std::string& category_code,
                          const std::string& category_name);

struct WorkerLoad {
  int64_t worker_id = 0;
  std::string name;
  int open_tasks = 0;
  int capacity = 1;
  bool in_grid = true;  // false: a backup from elsewhere in the community
  bool active = true;
};

struct WorkerProposal {
  std::optional<int64_t> worker_id;
  std::string reason;
};

// The active worker of the grid with the lowest load (open/capacity) under capacity; else the
// least-loaded backup in the community under capacity; else none, with the reason.
WorkerProposal ProposeWorker(const std::vector<WorkerLoad>& workers);

// Gini coefficient of the open-task counts (0 = even, → 1 = all on one worker); 0 for no work.
double Gini(std::vector<int> loads);

}  // namespace gongzhi
