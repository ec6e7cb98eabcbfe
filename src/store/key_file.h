// The key that seals residents' contacts lives in a file outside the database (64 hex digits,
// mode 0600), named by --key-file or [database] key_file.
#pragma once

#include <string>

#include "app/personal_data.h"

namespace gongzhi {

// Reads the key at `path`; creates the file with a fresh random key when it does not exist (and
// its directory when needed). InvalidArgument naming "key_file" when the file is unreadable, not
// 64 hex digits, or readable by group or others.
Result<ContactKey> LoadOrCreateKey(const std::string& path);

}  // namespace gongzhi
