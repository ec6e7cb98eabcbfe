// SQLite 3 backend of sql::Connection. WAL journal, synchronous=FULL (a committed write survives a
// power cut), foreign keys on, 10 s busy timeout.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace gongzhi::sql {

// Opens (creating if needed) the database file at `path`.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);

// The id of another process that has the database at `path` open, or 0 when none has (or the
// database was never opened). Every process with a WAL database open holds a shared lock on the
// "DMS" byte (128) of its -shm file until it closes it (sqlite.org/walformat.html); this asks the
// kernel who would stand in the way of an exclusive one. Call it before this process opens the
// database: closing the descriptor used here drops every POSIX lock the process holds on the
// -shm file, SQLite's own included.
int SqliteOpenedByAnother(const std::string& path);

}  // namespace gongzhi::sql
