#include "app/tracking_code.h"

#include <sodium.h>

namespace gongzhi {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford: no I, L, O, U
constexpr int kChars = 12;
constexpr int kHalfBits = 30;
constexpr uint32_t kHalfMask = (uint32_t{1} << kHalfBits) - 1;
constexpr int kRounds = 10;

int ValueOf(char ch) {
  for (int i = 0; i < 32; ++i)
    if (kAlphabet[i] == ch) return i;
  return -1;
}

}  // namespace

uint32_t TrackingCodec::Round(int round, uint32_t half) const {
  static_assert(crypto_shorthash_KEYBYTES == sizeof(TrackingKey));
  const unsigned char in[5] = {static_cast<unsigned char>(round), static_cast<unsigned char>(half),
                               static_cast<unsigned char>(half >> 8), static_cast<unsigned char>(half >> 16),
                               static_cast<unsigned char>(half >> 24)};
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, in, sizeof in, key_.data());
  return (uint32_t{out[0]} | uint32_t{out[1]} << 8 | uint32_t{out[2]} << 16 | uint32_t{out[3]} << 24) & kHalfMask;
}

std::string TrackingCodec::Encode(int64_t id) const {
  const uint64_t v = static_cast<uint64_t>(id);
  uint32_t left = static_cast<uint32_t>(v >> kHalfBits) & kHalfMask, right = static_cast<uint32_t>(v) & kHalfMask;
  for (int r = 0; r < kRounds; ++r) {
    const uint32_t next = left ^ Round(r, right);
    left = right;
    right = next;
  }
  uint64_t x = uint64_t{left} << kHalfBits | right;
  std::string code(kChars, '0');
  for (int i = kChars - 1; i >= 0; --i, x >>= 5) code[i] = kAlphabet[x & 31];
  return code;
}

std::optional<int64_t> TrackingCodec::Decode(std::string_view code) const {
  if (code.size() != kChars) return std::nullopt;
  uint64_t x = 0;
  for (char ch : code) {
    const int d = ValueOf(ch);
    if (d < 0) return std::nullopt;
    x = x << 5 | static_cast<uint64_t>(d);
  }
  uint32_t left = static_cast<uint32_t>(x >> kHalfBits) & kHalfMask, right = static_cast<uint32_t>(x) & kHalfMask;
  for (int r = kRounds - 1; r >= 0; --r) {
    const uint32_t prev = right ^ Round(r, left);
    right = left;
    left = prev;
  }
  return static_cast<int64_t>(uint64_t{left} << kHalfBits | right);
}

TrackingKey TrackingCodec::NewKey() {
  static const bool initialised = sodium_init() >= 0;  // idempotent, thread-safe
  (void)initialised;
  TrackingKey k;
  crypto_shorthash_keygen(k.data());
  return k;
}

std::optional<std::string> NormalizeTrackingCode(std::string_view typed) {
  std::string out;
  for (char ch : typed) {
    if (ch == ' ' || ch == '-') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch == 'I' || ch == 'L') ch = '1';
    if (ch == 'O') ch = '0';
    if (ValueOf(ch) < 0 || out.size() == kChars) return std::nullopt;
    out += ch;
  }
  if (out.size() != kChars) return std::nullopt;
  return out;
}

}  // namespace gongzhi
