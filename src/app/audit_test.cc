#include "app/audit.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <random>

namespace gongzhi {
namespace {

// The canonical form as first defined (a serialized JSON object): stored chains were hashed with it.
std::string ReferenceCanonical(const CaseEvent& e) {
  boost::json::object o;
  o["case_id"] = e.case_id;
  o["seq"] = e.seq;
  o["at"] = e.at;
  o["actor"] = e.actor;
  o["action"] = e.action;
  o["from"] = e.from_state;
  o["to"] = e.to_state;
  o["payload"] = e.payload;
  return boost::json::serialize(o);
}

TEST(Audit, CanonicalEventIsByteForByteTheSerializedObject) {
  std::mt19937 rng(7);
  const std::string pieces[] = {"a", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "/", "垃圾", "é", "{\"k\":1}", " "};
  auto text = [&] {
    std::string s;
    for (int i = rng() % 12; i > 0; --i) s += pieces[rng() % std::size(pieces)];
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    CaseEvent e;
    e.case_id = static_cast<int64_t>(rng()) * (i % 3 ? 1 : -1);
    e.seq = rng() % 100;
    e.at = 1'795'000'000'000 + static_cast<int64_t>(rng());
    e.actor = text(), e.action = text(), e.from_state = text(), e.to_state = text(), e.payload = text();
    ASSERT_EQ(CanonicalEvent(e), ReferenceCanonical(e)) << "event " << i;
  }
}

// libsodium's SHA-256 in hex: an implementation independent of core's Sha256, which the app uses.
std::string LibsodiumSha256Hex(const std::string& bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

TEST(Audit, EventHashIsSha256OfThePreviousHashAndTheCanonicalForm) {
  CaseEvent e;
  e.case_id = 42, e.seq = 3, e.at = 1'795'000'000'000;
  e.actor = "dispatcher:130404001", e.action = "dispatch", e.from_state = "accepted", e.to_state = "dispatched";
  e.payload = "{\"unit\":5,\"note\":\"垃圾 \"堆\"\n\"}";
  e.prev_hash = "abc";
  // Computed independently: sha256(b"abc\n" + json.dumps(event, separators=(",", ":"), ensure_ascii=False)).
  EXPECT_EQ(EventHash(e), "6572e35e401a0622c6c65e9452cc0aac4aecd0e5572b8d3f252b028b8fef6d40");
  EXPECT_EQ(EventHash(e), LibsodiumSha256Hex(e.prev_hash + "\n" + ReferenceCanonical(e)));
}

// EventHash and Sha256Hex use core's Sha256 (the CPU's SHA instructions where present): it must
// agree with libsodium for events of every size, or stored chains and token hashes would stop
// matching.
TEST(Audit, EventHashesAgreeWithLibsodiumForEventsOfEverySize) {
  for (int n = 0; n < 300; ++n) {
    const std::string bytes(n, static_cast<char>('A' + n % 26));
    ASSERT_EQ(Sha256Hex(bytes), LibsodiumSha256Hex(bytes)) << n << " bytes";
  }
  CaseEvent e;
  e.case_id = 7, e.seq = 2, e.at = 1'795'000'000'000;
  e.actor = "grid:1", e.action = "claim", e.from_state = "dispatched", e.to_state = "handling";
  e.prev_hash = std::string(64, 'f');
  for (int n = 0; n < 300; ++n) {
    e.payload = "{\"note\":\"" + std::string(n, static_cast<char>('a' + n % 26)) + "\"}";
    ASSERT_EQ(EventHash(e), LibsodiumSha256Hex(e.prev_hash + "\n" + ReferenceCanonical(e))) << "note of " << n;
  }
}

}  // namespace
}  // namespace gongzhi
