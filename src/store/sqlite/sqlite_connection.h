// SQLite 3 backend of sql::Connection. WAL journal, synchronous=FULL (a committed write survives a
// power cut), foreign keys on, 10 s busy timeout.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace gongzhi::sql {

// Opens (creating if needed) the database file at `path`.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);

}  // namespace gongzhi::sql
