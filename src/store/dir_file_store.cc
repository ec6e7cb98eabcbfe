#include "store/dir_file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gongzhi {
namespace {

namespace fs = std::filesystem;

bool SafeName(const std::string& n) {
  if (n.size() < 8 || n.size() > 128) return false;
  for (char c : n)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

class DirFileStore : public FileStore {
 public:
  explicit DirFileStore(fs::path dir) : dir_(std::move(dir)) {}

  Status Put(const std::string& name, std::string_view bytes) override {
    if (!SafeName(name)) return Status::Invalid("name", "not a file name of ours");
    fs::path sub = dir_ / name.substr(0, 2);
    std::error_code ec;
    fs::create_directories(sub, ec);
    fs::path target = sub / name;
    if (fs::exists(target, ec)) return Status::Ok();
    fs::path tmp = sub / (name + ".tmp" + std::to_string(::getpid()));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Unavailable("cannot write " + tmp.string());
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
      if (n <= 0) {
        ::close(fd);
        fs::remove(tmp, ec);
        return Status::Unavailable("cannot write " + tmp.string());
      }
      off += static_cast<size_t>(n);
    }
    bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || ::rename(tmp.c_str(), target.c_str()) != 0) {
      fs::remove(tmp, ec);
      return Status::Unavailable("cannot store " + target.string());
    }
    int dfd = ::open(sub.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) ::fsync(dfd), ::close(dfd);  // the rename itself survives a crash
    return Status::Ok();
  }

  Result<std::string> Get(const std::string& name) override {
    if (!SafeName(name)) return Status::NotFound("no such file");
    std::ifstream in(dir_ / name.substr(0, 2) / name, std::ios::binary);
    if (!in) return Status::NotFound("no such file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  fs::path dir_;
};

}  // namespace

Result<std::unique_ptr<FileStore>> OpenDirFileStore(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir + ": " + ec.message());
  return std::unique_ptr<FileStore>(std::make_unique<DirFileStore>(dir));
}

}  // namespace gongzhi
