// The open cases that have a category and a point, indexed in memory by (category, ~200 m cell),
// for duplicate look-ups: which open cases of the same category lie within a radius and were
// reported within a window. A single process that performs every case write keeps it current
// (the SQLite store's writer); it replaces a random-order SQL index whose upkeep and range scans
// were a quarter of the writer's time per intake. Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/case_lifecycle.h"
#include "core/clock.h"

namespace gongzhi {

class NearbyIndex {
 public:
  struct Entry {
    int64_t id = 0;
    double lng = 0, lat = 0;
    InstantMs created_at = 0;
    CaseState state = CaseState::kReported;
    std::string description;  // what a report's answer shows of its candidates: DescriptionPreview
  };
  // The first ~280 bytes of a description, cut at a character boundary, with "…" when cut: what
  // the index keeps, so its memory stays bounded (descriptions may be 4,000 characters).
  static std::string DescriptionPreview(std::string_view description);
  struct Query {
    std::string category;  // exact code
    double lng = 0, lat = 0;
    double radius_m = 200;
    InstantMs created_from = 0, created_to = 0;  // [from, to]; to = 0: open-ended
    int64_t exclude_id = 0;                      // the case itself, when asking about a stored case
    size_t limit = 10;
  };
  struct Hit {
    int64_t id = 0;
    double distance_m = 0;
    const Entry* entry = nullptr;  // valid until the index next changes
  };
  // The order of Find's answer: nearest first, then lower id.
  static bool NearerFirst(const Hit& a, const Hit& b) {
    return a.distance_m != b.distance_m ? a.distance_m < b.distance_m : a.id < b.id;
  }

  // Adds the case, or replaces it when its category, point, state or description changed. An
  // empty category removes it (nothing to compare with).
  void Put(Entry e, std::string_view category);
  void Erase(int64_t id);
  size_t size() const { return where_.size(); }

  // Cases within the radius (great-circle distance) and window, nearest first (then lower id),
  // at most `limit`.
  std::vector<Hit> Find(const Query& q) const;

 private:
  struct Key {
    int64_t cell = 0;
    uint32_t category = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<int64_t>()(k.cell * 1000003 + static_cast<int64_t>(k.category));
    }
  };
  uint32_t CategoryId(std::string_view category);

  std::unordered_map<std::string, uint32_t> categories_;
  std::unordered_map<Key, std::vector<Entry>, KeyHash> cells_;
  std::unordered_map<int64_t, Key> where_;
};

}  // namespace gongzhi
