// Residents' personal information (issue #6, PIPL): reporter contacts are sealed with libsodium's
// secretbox before they reach the database, shown masked to handlers, and revealed only to roles
// that call residents back, each time recorded.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gongzhi {

using ContactKey = std::array<unsigned char, 32>;

// Seals and opens contact fields. Thread-safe (immutable after construction).
class ContactCipher {
 public:
  explicit ContactCipher(const ContactKey& key);
  // "" stays "" (nothing to hide); anything else becomes "enc1:" + base64(nonce || box).
  std::string Seal(std::string_view plain) const;
  // The plaintext of a sealed value; a value without the prefix is returned as it is (rows
  // written before encryption; the store seals them at start). Internal error when the value does
  // not open with this key (tampered, or sealed under another key).
  Result<std::string> Open(std::string_view stored) const;
  // Identifies the key without revealing it (kept in the database to refuse a different key).
  std::string KeyId() const;

  static bool IsSealed(std::string_view stored) { return stored.starts_with("enc1:"); }

 private:
  ContactKey key_;
};

// 13812341234 -> 138****1234; short numbers are starred out entirely.
std::string MaskPhone(std::string_view phone);
// 张三丰 -> 张**; one character is kept, the rest starred (counted in UTF-8 characters).
std::string MaskName(std::string_view name);

}  // namespace gongzhi
