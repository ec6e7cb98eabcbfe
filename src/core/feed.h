// The live feed of case events pushed to consoles: one entry per case event, in commit order,
// with what decides who may see it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/work_calendar.h"

namespace gongzhi {

struct FeedEntry {
  int64_t id = 0;  // position in the feed (commit order; ids of failed transactions may be missing)
  int64_t case_id = 0, seq = 0;
  InstantMs at = 0;
  std::string action, from_state, to_state;
  std::string region_code, category_code;
  std::optional<int64_t> unit_id, worker_id;  // the case's handler after the event
  std::vector<int64_t> units;                 // other units concerned: summoned, acknowledging
};

// Whose events a subscriber receives: a region (and everything under it), a unit (cases it
// handles or is summoned to), a grid worker, or everything when all are empty.
struct FeedScope {
  std::string region_prefix;
  std::optional<int64_t> unit_id, worker_id;

  bool Sees(const FeedEntry& e) const {
    if (!e.region_code.starts_with(region_prefix)) return false;
    if (worker_id && e.worker_id != worker_id) return false;
    if (unit_id && e.unit_id != unit_id) {
      bool summoned = false;
      for (int64_t u : e.units) summoned |= u == *unit_id;
      if (!summoned) return false;
    }
    return true;
  }
};

}  // namespace gongzhi
