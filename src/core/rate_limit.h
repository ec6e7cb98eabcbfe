// Per-key token buckets (public intake per address, issue #6). Pure: time is passed in.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace gongzhi {

class TokenBuckets {
 public:
  // `per_minute` tokens flow back each minute, up to `burst`; at most `max_keys` keys are kept
  // (full buckets are dropped first; a flood of new keys cannot grow memory without bound).
  TokenBuckets(double per_minute, double burst, size_t max_keys = 100'000);

  // Takes one token for `key`: 0 when allowed, else the whole seconds until one is back.
  int64_t Take(const std::string& key, InstantMs now);
  size_t keys() const {
    std::lock_guard lock(mu_);
    return buckets_.size();
  }

 private:
  struct Bucket {
    double tokens;
    InstantMs at;
  };
  void Prune(InstantMs now);

  const double per_ms_, burst_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace gongzhi
