// Where uploaded files (photos) are kept, by the SHA-256 of their bytes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gongzhi {

class FileStore {
 public:
  virtual ~FileStore() = default;
  // Stores `bytes` under `name` durably (written, synced, then renamed into place). Idempotent.
  virtual Status Put(const std::string& name, std::string_view bytes) = 0;
  // NotFound when absent.
  virtual Result<std::string> Get(const std::string& name) = 0;
};

}  // namespace gongzhi
