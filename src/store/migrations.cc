#include "store/migrations.h"

#include <chrono>

namespace gongzhi::sql {
namespace {

const std::vector<Migration>& For(Dialect d) {
  return d == Dialect::kSqlite ? kSqliteMigrations : kPostgresMigrations;
}

constexpr int64_t kMigrationLockKey = 0x677a6d6967;  // "gzmig"

Status MigrateLocked(Connection& c) {
  GZ_RETURN_IF_ERROR(c.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)"));
  GZ_ASSIGN_OR_RETURN(auto cur, c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  int current = static_cast<int>(cur.rows.at(0).Int(0));
  int latest = LatestVersion(c.dialect());
  if (current > latest)
    return Status::Conflict("the database schema is at version " + std::to_string(current) +
                            ", newer than this gongzhi binary knows (" + std::to_string(latest) +
                            "); run a newer gongzhi against it");
  for (const Migration& m : For(c.dialect())) {
    if (m.version <= current) continue;
    Transaction tx(c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    Status s = c.ExecScript(m.sql);
    if (!s.ok()) return Status::Internal(std::string("migration ") + m.name + " failed: " + s.message());
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    GZ_ASSIGN_OR_RETURN(auto ins, c.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                         {int64_t{m.version}, std::string(m.name), now}));
    GZ_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace

int LatestVersion(Dialect d) {
  int v = 0;
  for (const auto& m : For(d)) v = std::max(v, m.version);
  return v;
}

Status Migrate(Connection& c) {
  if (c.dialect() != Dialect::kPostgres) return MigrateLocked(c);
  GZ_ASSIGN_OR_RETURN(auto l, c.Exec("SELECT pg_advisory_lock(?)", {kMigrationLockKey}));
  Status s = MigrateLocked(c);
  c.Exec("SELECT pg_advisory_unlock(?)", {kMigrationLockKey});
  return s;
}

}  // namespace gongzhi::sql
