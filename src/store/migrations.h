// Versioned schema migrations, one list per backend, embedded in the binary from migrations/.
#pragma once

#include <functional>
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

// Lines for the operator while an existing database is migrated (some migrations fill new tables
// from large ones: a minute at 10M cases).
using MigrationNote = std::function<void(const std::string& line)>;

// Applies the pending migrations of the connection's dialect, each in its own transaction, and
// records them in schema_migrations. Refuses (kConflict) a database whose schema is newer than
// this binary. On PostgreSQL an advisory lock keeps concurrently starting nodes apart. A database
// that had a schema gets `note` lines: one before, one for each migration that took a second or
// more, one after (a new database, none).
Status Migrate(Connection& c, const MigrationNote& note = {});
// The same with another list of migrations (tests).
Status Migrate(Connection& c, const std::vector<Migration>& list, const MigrationNote& note);

// Highest version this binary knows for `d`.
int LatestVersion(Dialect d);

}  // namespace gongzhi::sql
