#include "core/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace gongzhi {

TokenBuckets::TokenBuckets(double per_minute, double burst, size_t max_keys)
    : per_ms_(per_minute / 60'000.0), burst_(std::max(1.0, burst)), max_keys_(std::max<size_t>(1, max_keys)) {}

int64_t TokenBuckets::Take(const std::string& key, InstantMs now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) Prune(now);
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.at) b.tokens = std::min(burst_, b.tokens + (now - b.at) * per_ms_), b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  if (per_ms_ <= 0) return 3600;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / per_ms_ / 1000)));
}

void TokenBuckets::Prune(InstantMs now) {
  // Drop the buckets that have refilled (they behave exactly like a new key) ...
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.tokens + (now - kv.second.at) * per_ms_ >= burst_; });
  // ... and when a flood of distinct keys left none full, the half closest to full: forgetting a
  // bucket grants its key at most the tokens it was missing.
  if (buckets_.size() >= max_keys_) {
    std::vector<double> level;
    level.reserve(buckets_.size());
    for (const auto& kv : buckets_) level.push_back(kv.second.tokens + (now - kv.second.at) * per_ms_);
    auto mid = level.begin() + level.size() / 2;
    std::nth_element(level.begin(), mid, level.end());
    const double cut = *mid;
    std::erase_if(buckets_, [&](const auto& kv) { return kv.second.tokens + (now - kv.second.at) * per_ms_ >= cut; });
  }
}

}  // namespace gongzhi
