#include "app/personal_data.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace gongzhi {
namespace {

constexpr std::string_view kPrefix = "enc1:";

void InitSodium() {
  static const bool ok = sodium_init() >= 0;  // idempotent, thread-safe
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

ContactCipher::ContactCipher(const ContactKey& key) : key_(key) { InitSodium(); }

std::string ContactCipher::Seal(std::string_view plain) const {
  if (plain.empty()) return {};
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size());
  randombytes_buf(buf.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), buf.data(), key_.data());
  std::string out(kPrefix);
  const size_t len = sodium_base64_encoded_len(buf.size(), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  std::string b64(len, '\0');
  sodium_bin2base64(b64.data(), len, buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  b64.resize(len - 1);  // the terminating NUL
  return out + b64;
}

Result<std::string> ContactCipher::Open(std::string_view stored) const {
  if (!IsSealed(stored)) return std::string(stored);
  stored.remove_prefix(kPrefix.size());
  std::vector<unsigned char> buf(stored.size());
  size_t n = 0;
  if (sodium_base642bin(buf.data(), buf.size(), stored.data(), stored.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
      n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return Status::Internal("a sealed contact field is not readable");
  std::string plain(n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), buf.data() + crypto_secretbox_NONCEBYTES,
                                 n - crypto_secretbox_NONCEBYTES, buf.data(), key_.data()) != 0)
    return Status::Internal("a sealed contact field does not open with this key (another key, or altered)");
  return plain;
}

std::string ContactCipher::KeyId() const {
  static const unsigned char kContext[] = "gongzhi contact key id v1";
  unsigned char out[16];
  crypto_generichash(out, sizeof out, kContext, sizeof kContext - 1, key_.data(), key_.size());
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : out) id += hex[b >> 4], id += hex[b & 15];
  return id;
}

std::string MaskPhone(std::string_view p) {
  if (p.size() < 7) return p.empty() ? "" : "****";
  return std::string(p.substr(0, 3)) + std::string(p.size() - 7, '*') + std::string(p.substr(p.size() - 4));
}

std::string MaskName(std::string_view name) {
  if (name.empty()) return {};
  size_t first = 1;  // bytes of the first UTF-8 character
  const auto lead = static_cast<unsigned char>(name[0]);
  if (lead >= 0xF0) first = 4;
  else if (lead >= 0xE0) first = 3;
  else if (lead >= 0xC0) first = 2;
  first = std::min(first, name.size());
  size_t rest = 0;  // characters after the first
  for (size_t i = first; i < name.size(); ++i)
    if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) ++rest;
  return std::string(name.substr(0, first)) + std::string(std::max<size_t>(rest, 1), '*');
}

}  // namespace gongzhi
