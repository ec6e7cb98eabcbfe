#include "store/sqlite/sqlite_connection.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace gongzhi::sql {
namespace {

// fdatasync of the database's write-ahead log, through a descriptor of its own: a sync of any
// descriptor of the file makes everything written to it before durable. Reopened if the log was
// replaced (a new inode).
class WalSyncer {
 public:
  explicit WalSyncer(std::string path) : path_(std::move(path)) {}
  ~WalSyncer() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Sync() {
    std::lock_guard lock(mu_);
    struct stat now {};
    if (::stat(path_.c_str(), &now) != 0) return Status::Ok();  // no log: nothing uncheckpointed
    struct stat mine {};
    if (fd_ < 0 || ::fstat(fd_, &mine) != 0 || mine.st_ino != now.st_ino || mine.st_dev != now.st_dev) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) return Status::Unavailable("cannot open " + path_ + " to sync it: " + std::strerror(errno));
    }
    if (::fdatasync(fd_) != 0) return Status::Unavailable("fdatasync of " + path_ + " failed: " + std::strerror(errno));
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::string path_;
  int fd_ = -1;
};

class SqliteConnection : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // WAL with synchronous=NORMAL: a commit is written to the log without fsync, and checkpoints
  // still sync the log before copying it into the database; the writer syncs the log itself,
  // beside the next batch. (FULL stays the default of every other connection.)
  std::function<Status()> DeferSync() override {
    const char* file = sqlite3_db_filename(db_, "main");
    if (!file || !*file) return {};
    if (!ExecScript("PRAGMA synchronous=NORMAL").ok()) return {};
    auto syncer = std::make_shared<WalSyncer>(std::string(file) + "-wal");
    return [syncer] { return syncer->Sync(); };
  }
  ~SqliteConnection() override {
    for (auto& [_, st] : cache_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  std::optional<int64_t> WriteMark() const override {
    if (sqlite3_get_autocommit(db_)) return std::nullopt;  // no transaction, or SQLite ended it
    return sqlite3_total_changes64(db_);
  }

  Result<ExecResult> Exec(std::string_view sql, const std::vector<Value>& params) override {
    ExecResult out;
    GZ_RETURN_IF_ERROR(Run(sql, params, [&](sqlite3_stmt* st) {
      const int cols = sqlite3_column_count(st);
      std::vector<Value> row;
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) row.push_back(ColumnValue(st, c));
      out.rows.emplace_back(std::move(row));
    }));
    out.affected = sqlite3_changes64(db_);
    return out;
  }

  Status ForEach(std::string_view sql, const std::vector<Value>& params,
                 const std::function<void(const Row&)>& fn) override {
    return Run(sql, params, [&](sqlite3_stmt* st) {
      StatementRow live(st);
      fn(Row(&live));
    });
  }

  Status ExecScript(std::string_view script) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, std::string(script).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::Internal("sqlite: " + msg);
    }
    return Status::Ok();
  }

 private:
  // Prepares (or finds) the statement, binds, and steps through it, each row to `on_row`.
  template <typename OnRow>
  Status Run(std::string_view sql, const std::vector<Value>& params, OnRow on_row) {
    sqlite3_stmt* st = nullptr;
    bool owned = false;  // true for statements too many to cache: finalized after this call
    // Most statements are static strings: found by their address first (its text compared, not
    // hashed: a case view's statements are ~1 KB), then by their text.
    Recent& recent = recent_[(reinterpret_cast<uintptr_t>(sql.data()) >> 4) % recent_.size()];
    if (recent.st && recent.text == sql.data() && recent.size == sql.size() &&
        std::string_view(sqlite3_sql(recent.st)) == sql) {
      st = recent.st;
    } else if (auto it = cache_.find(sql); it != cache_.end()) {
      st = it->second;
      recent = {sql.data(), sql.size(), st};
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                                  nullptr);
      if (rc != SQLITE_OK) return Error(rc, "prepare");
      // Many-row import statements vary in length; only cache the common shapes.
      if (cache_.size() < 256) cache_.emplace(std::string(sql), st);
      else owned = true;
    }
    struct Reset {
      sqlite3_stmt* st;
      bool owned;
      ~Reset() {
        if (owned) sqlite3_finalize(st);
        else { sqlite3_reset(st); sqlite3_clear_bindings(st); }
      }
    } reset{st, owned};
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1), rc;
      const Value& v = params[i];
      if (auto p = std::get_if<int64_t>(&v)) rc = sqlite3_bind_int64(st, idx, *p);
      else if (auto p = std::get_if<double>(&v)) rc = sqlite3_bind_double(st, idx, *p);
      else if (auto p = std::get_if<std::string>(&v))  // not copied: `params` outlive the bindings (Reset)
        rc = sqlite3_bind_text(st, idx, p->data(), static_cast<int>(p->size()), SQLITE_STATIC);
      else rc = sqlite3_bind_null(st, idx);
      if (rc != SQLITE_OK) return Error(rc, "bind");
    }
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Error(rc, "step");
      on_row(st);
    }
    return Status::Ok();
  }

  // Column `c` of the statement's current row.
  static Value ColumnValue(sqlite3_stmt* st, int c) { return ValueOf(sqlite3_column_value(st, c)); }
  static Value ValueOf(sqlite3_value* v) {
    switch (sqlite3_value_type(v)) {
      case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_value_int64(v));
      case SQLITE_FLOAT: return sqlite3_value_double(v);
      case SQLITE_NULL: return std::monostate{};
      default: return ValueText(v);
    }
  }
  static std::string ValueText(sqlite3_value* v) {
    auto* t = reinterpret_cast<const char*>(sqlite3_value_text(v));
    return t ? std::string(t, sqlite3_value_bytes(v)) : std::string();
  }

  // The current row of a statement, read in place. Each value is read through its
  // sqlite3_value: the sqlite3_column_* calls would each check the column and the connection's
  // malloc state again (a third of a case view's row reading). Such a value is "unprotected",
  // safe here because a connection is used by one thread at a time (opened NOMUTEX). A value of
  // the accessor's own type is read directly; any other converts as a stored row's would.
  class StatementRow : public Row::Source {
   public:
    explicit StatementRow(sqlite3_stmt* st) : st_(st) {}
    bool IsNull(size_t i) const override { return sqlite3_value_type(At(i)) == SQLITE_NULL; }
    int64_t Int(size_t i) const override {
      sqlite3_value* v = At(i);
      return sqlite3_value_type(v) == SQLITE_INTEGER ? sqlite3_value_int64(v) : Row::IntOf(ValueOf(v));
    }
    double Real(size_t i) const override {
      sqlite3_value* v = At(i);
      return sqlite3_value_type(v) == SQLITE_FLOAT ? sqlite3_value_double(v) : Row::RealOf(ValueOf(v));
    }
    std::string Text(size_t i) const override {
      sqlite3_value* v = At(i);
      const int type = sqlite3_value_type(v);
      return type == SQLITE_TEXT || type == SQLITE_BLOB ? ValueText(v) : Row::TextOf(ValueOf(v));
    }

   private:
    sqlite3_value* At(size_t i) const { return sqlite3_column_value(st_, static_cast<int>(i)); }
    sqlite3_stmt* st_;
  };

  Status Error(int rc, const char* what) {
    std::string msg = std::string("sqlite ") + what + ": " + sqlite3_errmsg(db_);
    int primary = rc & 0xff;
    if (primary == SQLITE_CONSTRAINT) return Status::Conflict(msg);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR || primary == SQLITE_FULL)
      return Status::Unavailable(msg);
    return Status::Internal(msg);
  }

  sqlite3* db_;
  // Looked up by the caller's text without copying it.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
  // Statements of cache_ (which keeps them until the connection closes) by the address of the
  // text they were last asked for with.
  struct Recent {
    const char* text = nullptr;
    size_t size = 0;
    sqlite3_stmt* st = nullptr;
  };
  std::array<Recent, 64> recent_{};
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path) {
  // Memory statistics take a process-wide mutex on every allocation: measurable contention with
  // dozens of request threads. Must be set before SQLite initialises; later calls are no-ops.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Unavailable("cannot open SQLite database " + path + ": " + msg);
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_busy_timeout(db, 10000);
  // No memory-mapped I/O: each connection maps the file on its own and every mapping counts in
  // the process's RSS (2.2 GB for a 200 MB database with 16 connections). Reading through the OS
  // page cache cost case reads between nothing and ~20% in this VM's A/B runs (bench/RESULTS.md).
  // 8 MB of page cache each. Sorts and temporary B-trees larger than the cache spill to temporary
  // files (the OS page cache), not to the heap: with temp_store=MEMORY a year's ranking of units at
  // city scale grouped ~1M roll-up rows in memory and the process grew by ~100 MB.
  GZ_RETURN_IF_ERROR(conn->ExecScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=FILE; "
      "PRAGMA cache_size=-8192; PRAGMA mmap_size=0;"));
  return std::unique_ptr<Connection>(std::move(conn));
}

int SqliteOpenedByAnother(const std::string& path) {
  const int fd = ::open((path + "-shm").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;  // never opened in WAL mode, or cleaned up by the last to close it
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 128;  // the unix VFS's DMS byte: (22 + SQLITE_SHM_NLOCK) * 4 + SQLITE_SHM_NLOCK
  probe.l_len = 1;
  const int pid = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK ? probe.l_pid : 0;
  ::close(fd);
  return pid;
}

}  // namespace gongzhi::sql
