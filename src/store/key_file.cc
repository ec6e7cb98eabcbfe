#include "store/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace gongzhi {
namespace {

Status Bad(const std::string& path, const std::string& why) { return Status::Invalid("key_file", path + ": " + why); }

}  // namespace

Result<ContactKey> LoadOrCreateKey(const std::string& path) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    ContactKey key;
    randombytes_buf(key.data(), key.size());
    char hex[2 * sizeof key + 1];
    sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
    std::string text = std::string(hex) + "\n";
    sodium_memzero(hex, sizeof hex);
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());  // nodes starting at once
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return Bad(path, std::string("cannot create: ") + std::strerror(errno));
    bool ok = ::write(out, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(out) == 0;
    ::close(out);
    sodium_memzero(text.data(), text.size());
    // link() fails when another process created the key meanwhile: then that key is read below.
    if (!ok || (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)) {
      ::unlink(tmp.c_str());
      return Bad(path, std::string("cannot write: ") + std::strerror(errno));
    }
    ::unlink(tmp.c_str());
    // The new name durable before anything is sealed with the key: contacts sealed under a key
    // whose file a crash lost could never be read again.
    const std::string dir = parent.empty() ? std::string(".") : parent.string();
    if (int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
      const bool synced = ::fsync(d) == 0;
      ::close(d);
      if (!synced) return Bad(path, std::string("cannot make the new key durable: ") + std::strerror(errno));
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return Bad(path, std::string("cannot read: ") + std::strerror(errno));
  struct stat st {};
  char buf[130];
  ssize_t n = ::fstat(fd, &st) == 0 ? ::read(fd, buf, sizeof buf) : -1;
  ::close(fd);
  if (n < 0) return Bad(path, std::string("cannot read: ") + std::strerror(errno));
  if (st.st_mode & 077) return Bad(path, "readable by others; chmod 600 it");
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) --n;
  ContactKey key;
  size_t len = 0;
  if (n != 64 || sodium_hex2bin(key.data(), key.size(), buf, n, nullptr, &len, nullptr) != 0 || len != key.size())
    return Bad(path, "must hold 64 hexadecimal digits (32 bytes)");
  sodium_memzero(buf, sizeof buf);
  return key;
}

}  // namespace gongzhi
