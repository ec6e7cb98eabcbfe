// Tracking codes (issue #3): what a resident tracks a case by without signing in. 12 characters of
// Crockford base32 (60 bits), unguessable, and not the sequential id.
//
// A code is the case id through a keyed pseudo-random permutation of the 60-bit space (a
// ten-round Feistel network whose round function is SipHash-2-4 under the database's tracking
// key). Without the key, codes of consecutive cases look unrelated and a guessed code names a case
// with probability (cases) / 2^60, as a random code would. Because the code turns back into the id,
// the database needs no index of codes: an intake writes no random B-tree leaf for it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gongzhi {

using TrackingKey = std::array<unsigned char, 16>;

class TrackingCodec {
 public:
  explicit TrackingCodec(const TrackingKey& key) : key_(key) {}
  static constexpr int64_t kMaxId = (int64_t{1} << 60) - 1;
  // The code of case `id` (1..kMaxId).
  std::string Encode(int64_t id) const;
  // The id a normalized code stands for (any 12 alphabet characters name some number; whether a
  // case has it is the caller's question). nullopt when `code` is not 12 alphabet characters.
  std::optional<int64_t> Decode(std::string_view code) const;
  static TrackingKey NewKey();

 private:
  uint32_t Round(int round, uint32_t half) const;
  TrackingKey key_;
};

// A code as residents type it, made canonical: upper case, I and L read as 1, O as 0, spaces and
// hyphens dropped. nullopt unless 12 characters of the alphabet remain.
std::optional<std::string> NormalizeTrackingCode(std::string_view typed);

}  // namespace gongzhi
