// FileStore on a local directory (files/ab/abcdef...). For several nodes the directory must be
// shared storage.
#pragma once

#include <memory>
#include <string>

#include "app/file_store.h"

namespace gongzhi {

// Creates `dir` if needed.
Result<std::unique_ptr<FileStore>> OpenDirFileStore(const std::string& dir);

}  // namespace gongzhi
