// SHA-256 (FIPS 180-4), using the CPU's SHA extensions where it has them (x86 SHA-NI: an event of
// ~300 bytes in 0.35-0.38 against libsodium's 1.7-2.4 µs, libsodium having portable code only).
// The audit chain hashes every event on the SQLite writer, whose time bounds intake.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gongzhi {

class Sha256 {
 public:
  enum class Impl { kAuto, kPortable };
  explicit Sha256(Impl impl = Impl::kAuto);
  Sha256& Update(std::string_view bytes);
  std::array<uint8_t, 32> Final();
  // Final() as 64 lower-case hex digits.
  std::string FinalHex();

  // Whether kAuto uses the CPU's SHA instructions on this machine.
  static bool Accelerated();

 private:
  using Compress = void (*)(uint32_t state[8], const uint8_t* blocks, size_t n);
  Compress compress_;
  uint32_t state_[8];
  uint8_t buf_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes
};

}  // namespace gongzhi
