// Versioned schema migrations, one list per backend, embedded in the binary from migrations/.
#pragma once

#include <string>
#include <vector>

#include "store/sql.h"

namespace gongzhi::sql {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

extern const std::vector<Migration> kSqliteMigrations;
extern const std::vector<Migration> kPostgresMigrations;

// Applies the pending migrations of the connection's dialect, each in its own transaction, and
// records them in schema_migrations. Refuses (kConflict) a database whose schema is newer than
// this binary. On PostgreSQL an advisory lock keeps concurrently starting nodes apart.
Status Migrate(Connection& c);

// Highest version this binary knows for `d`.
int LatestVersion(Dialect d);

}  // namespace gongzhi::sql
