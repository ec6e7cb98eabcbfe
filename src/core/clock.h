// Time is a port: domain and use-case code never read the system clock directly, so tests can
// drive time. Instants are UTC milliseconds since the Unix epoch.
#pragma once

#include <cstdint>

namespace gongzhi {

using InstantMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current UTC instant. Thread-safe.
  virtual InstantMs Now() const = 0;
};

// A clock that only moves when told; for tests.
class ManualClock : public Clock {
 public:
  explicit ManualClock(InstantMs start) : now_(start) {}
  InstantMs Now() const override { return now_; }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(InstantMs t) { now_ = t; }

 private:
  InstantMs now_;
};

}  // namespace gongzhi
