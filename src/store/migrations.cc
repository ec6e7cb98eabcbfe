#include "store/migrations.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace gongzhi::sql {
namespace {

const std::vector<Migration>& For(Dialect d) {
  return d == Dialect::kSqlite ? kSqliteMigrations : kPostgresMigrations;
}

int LatestOf(const std::vector<Migration>& list) {
  int v = 0;
  for (const auto& m : list) v = std::max(v, m.version);
  return v;
}

constexpr int64_t kMigrationLockKey = 0x677a6d6967;  // "gzmig"
constexpr int64_t kFreeWorthTelling = 64 << 20;

Status MigrateLocked(Connection& c, const std::vector<Migration>& list, const MigrationNote& note) {
  GZ_RETURN_IF_ERROR(c.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)"));
  GZ_ASSIGN_OR_RETURN(auto cur, c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  int current = static_cast<int>(cur.rows.at(0).Int(0));
  const int latest = LatestOf(list);
  if (current > latest)
    return Status::Conflict("the database schema is at version " + std::to_string(current) +
                            ", newer than this gongzhi binary knows (" + std::to_string(latest) +
                            "); run a newer gongzhi against it");
  const bool tell = note && current > 0 && current < latest;
  using Clock = std::chrono::steady_clock;
  const auto began = Clock::now();
  auto seconds = [](Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); };
  char line[200];
  if (tell) {
    std::snprintf(line, sizeof line, "migrating the database schema from version %d to %d", current, latest);
    note(line);
  }
  for (const Migration& m : list) {
    if (m.version <= current) continue;
    const auto start = Clock::now();
    Transaction tx(c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    Status s = c.ExecScript(m.sql);
    if (!s.ok()) return Status::Internal(std::string("migration ") + m.name + " failed: " + s.message());
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    GZ_ASSIGN_OR_RETURN(auto ins, c.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                         {int64_t{m.version}, std::string(m.name), now}));
    GZ_RETURN_IF_ERROR(tx.Commit());
    if (tell && seconds(start) >= 1.0) {
      std::snprintf(line, sizeof line, "migration %s took %.1f s", m.name, seconds(start));
      note(line);
    }
  }
  if (tell) {
    std::snprintf(line, sizeof line, "database schema at version %d (%.1f s)", latest, seconds(began));
    note(line);
  }
  if (current < latest && c.dialect() == Dialect::kSqlite) {
    // A migration that rewrites a table leaves its whole size in the WAL (2.5 GB for the events of
    // 1M cases), and SQLite only reuses the file, never shrinks it. Copied into the database and
    // cut back now, while no reader holds it; if one does, the next checkpoints reuse it.
    (void)c.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    auto free = c.Exec("SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size");
    const int64_t free_bytes = free.ok() ? free->rows.at(0).Int(0) : 0;
    if (tell && free_bytes >= kFreeWorthTelling) {
      std::snprintf(line, sizeof line,
                    "%lld MB of the database file are free pages the migration left; with the servers stopped, "
                    "`gongzhi db vacuum` gives them back",
                    static_cast<long long>(free_bytes >> 20));
      note(line);
    }
  }
  return Status::Ok();
}

}  // namespace

int LatestVersion(Dialect d) { return LatestOf(For(d)); }

Status Migrate(Connection& c, const MigrationNote& note) { return Migrate(c, For(c.dialect()), note); }

Status Migrate(Connection& c, const std::vector<Migration>& list, const MigrationNote& note) {
  if (c.dialect() != Dialect::kPostgres) return MigrateLocked(c, list, note);
  GZ_ASSIGN_OR_RETURN(auto l, c.Exec("SELECT pg_advisory_lock(?)", {kMigrationLockKey}));
  Status s = MigrateLocked(c, list, note);
  c.Exec("SELECT pg_advisory_unlock(?)", {kMigrationLockKey});
  return s;
}

}  // namespace gongzhi::sql
