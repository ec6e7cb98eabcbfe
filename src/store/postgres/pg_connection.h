// PostgreSQL 15 backend of sql::Connection over libpq: prepared statements cached per
// connection, text-format values, SQLSTATE mapped to Status codes.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace gongzhi::sql {

// Connects with a libpq conninfo string or URI ("postgresql://user@host:port/db").
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& conninfo);

// The application_name of this process's later connections where their conninfo names none
// ("gongzhi" unless set): servers name themselves kServerApplicationName, so that other processes
// can tell that a server is on the database (pg_stat_activity). Set it before the first connection.
void SetPostgresApplicationName(std::string name);
inline constexpr const char* kServerApplicationName = "gongzhi serve";

// Rewrites '?' placeholders (outside quoted literals) to $1, $2, ... The single place where
// the SQL dialects' placeholder styles meet.
std::string RewritePlaceholders(std::string_view sql);

}  // namespace gongzhi::sql
