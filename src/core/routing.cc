#include "core/routing.h"

#include <algorithm>

namespace gongzhi {
RouteDecision Route(const std::vector<ResponsibilityRule>& rules, const std::string& category_code,
                    const std::string& case_region) {
  RouteDecision d;
  if (case_region.size() >= 9) d.township_code = case_region.substr(0, 9);
  const ResponsibilityRule* best = nullptr;
  for (const auto& r : rules) {
    if (category_code.empty() || !category_code.starts_with(r.category_code) || !case_region.starts_with(r.region_code))
      continue;
    if (!best || r.region_code.size() > best->region_code.size() ||
        (r.region_code.size() == best->region_code.size() &&
         (r.category_code.size() > best->category_code.size() ||
          (r.category_code.size() == best->category_code.size() && r.id < best->id))))
      best = &r;
  }
  if (best) {
    d.unit_id = best->unit_id;
    d.rule_id = best->id;
    d.reason = "权责清单 rule " + std::to_string(best->id) + ": category " + best->category_code + " in region " +
               best->region_code;
  } else if (category_code.empty()) {
    d.reason = "no category yet: the township dispatcher classifies it (属地兜底)";
  } else {
    d.reason = "no responsibility rule for category " + category_code + " in " + case_region +
               ": the township dispatcher decides (属地兜底)";
  }
  return d;
}

Status CheckGridAdmission(const std::vector<std::string>& admitted, const std::string& category_code,
                          const std::string& category_name) {
  for (const auto& a : admitted)
    if (!a.empty() && category_code.starts_with(a)) return Status::Ok();
  return Status::Conflict("category " + category_code + " (" + category_name +
                              ") is not on the grid admission list (网格准入清单): grid workers may not be given it",
                          "assignee");
}

WorkerProposal ProposeWorker(const std::vector<WorkerLoad>& workers) {
  auto pick = [&](bool in_grid) -> const WorkerLoad* {
    const WorkerLoad* best = nullptr;
    for (const auto& w : workers) {
      if (!w.active || w.in_grid != in_grid || w.open_tasks >= w.capacity) continue;
      // Compare open/capacity without floating point: a/b < c/d ⇔ a*d < c*b.
      if (!best || int64_t{w.open_tasks} * best->capacity < int64_t{best->open_tasks} * w.capacity ||
          (int64_t{w.open_tasks} * best->capacity == int64_t{best->open_tasks} * w.capacity && w.worker_id < best->worker_id))
        best = &w;
    }
    return best;
  };
  WorkerProposal p;
  auto describe = [](const WorkerLoad& w) {
    return w.name + " (" + std::to_string(w.open_tasks) + "/" + std::to_string(w.capacity) + " open tasks)";
  };
  if (auto w = pick(true)) {
    p.worker_id = w->worker_id;
    p.reason = "lowest load in the grid: " + describe(*w);
  } else if (auto b = pick(false)) {
    p.worker_id = b->worker_id;
    p.reason = "every grid worker of this grid is at capacity; backup in the community: " + describe(*b);
  } else {
    p.reason = workers.empty() ? "no grid worker is assigned here" : "every grid worker nearby is at capacity";
  }
  return p;
}

double Gini(std::vector<int> loads) {
  if (loads.empty()) return 0;
  std::sort(loads.begin(), loads.end());
  double sum = 0, weighted = 0;
  const double n = static_cast<double>(loads.size());
  for (size_t i = 0; i < loads.size(); ++i) {
    sum += loads[i];
    weighted += (static_cast<double>(i) + 1) * loads[i];
  }
  if (sum == 0) return 0;
  return (2 * weighted) / (n * sum) - (n + 1) / n;
}

}  // namespace gongzhi
