// The one client interface both database backends implement (after Drogon's orm_lib): the SQL
// store is written once against it. Statements use '?' placeholders; the PostgreSQL adapter
// rewrites them to $n in one place. Values cross as int64, double, text or NULL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace gongzhi::sql {

enum class Dialect { kSqlite, kPostgres };

using Value = std::variant<std::monostate, int64_t, double, std::string>;

// One result row. Accessors convert: PostgreSQL hands every value over as text.
class Row {
 public:
  // The values of a row read in place from a result being stepped through (Connection::ForEach),
  // so none is copied that the reader does not ask for. The accessors convert its values as they
  // convert a stored row's.
  class Source {
   public:
    virtual ~Source() = default;
    virtual bool IsNull(size_t i) const = 0;
    // Column i converted as Row's accessors convert a stored row's value (IntOf, RealOf, TextOf).
    virtual int64_t Int(size_t i) const = 0;
    virtual double Real(size_t i) const = 0;
    virtual std::string Text(size_t i) const = 0;
  };
  explicit Row(std::vector<Value> v) : v_(std::move(v)) {}
  // Valid while `live` is (during a ForEach callback).
  explicit Row(const Source* live) : live_(live) {}
  bool IsNull(size_t i) const { return live_ ? live_->IsNull(i) : std::holds_alternative<std::monostate>(v_[i]); }
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  std::string Text(size_t i) const;

  // How a value converts to each accessor's type: a number from text by its leading digits (0
  // when none), text from a number in decimal, 0 or "" from NULL.
  static int64_t IntOf(const Value& v);
  static double RealOf(const Value& v);
  static std::string TextOf(Value&& v);

 private:
  std::vector<Value> v_;
  const Source* live_ = nullptr;
};

struct ExecResult {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// One statement to run: SQL with '?' placeholders and its parameters.
struct Statement {
  std::string sql;
  std::vector<Value> params;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement with '?' placeholders bound to `params`. Prepared statements are cached
  // per connection by SQL text. Constraint violations come back as kConflict.
  virtual Result<ExecResult> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs a query and hands each row to `fn` as it comes, without holding them all (SQLite steps
  // through them and reads values in place: the Row is valid during the call only; others may
  // read the whole result first).
  virtual Status ForEach(std::string_view sql, const std::vector<Value>& params,
                         const std::function<void(const Row&)>& fn) {
    auto r = Exec(sql, params);
    if (!r.ok()) return r.status();
    for (const auto& row : r->rows) fn(row);
    return Status::Ok();
  }
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view script) = 0;
  virtual Dialect dialect() const = 0;
  // False once the connection is broken; the pool then drops it.
  virtual bool healthy() const { return true; }
  // While a transaction is open, a mark that moves whenever this connection's statements may have
  // changed rows (SQLite: its count of changed rows; PostgreSQL: its count of statements other
  // than SELECTs); empty outside a transaction or where the backend keeps none. Two equal marks
  // around a piece of work mean it changed nothing (the write queue's undo-free batches).
  virtual std::optional<int64_t> WriteMark() const { return std::nullopt; }
  // Pipelined durability for a group-commit writer: afterwards COMMIT returns before the disk has
  // the transaction, and the returned function (callable from another thread, valid after this
  // connection is gone) makes every transaction committed before the call durable. Empty when the
  // backend does not support it (its COMMIT is durable by itself).
  virtual std::function<Status()> DeferSync() { return {}; }
  // Whether Pipeline sends several statements in one round trip (PostgreSQL). SQLite runs in
  // process: there is no round trip to save.
  virtual bool CanPipeline() const { return false; }
  // Runs `statements` in order, sent together and answered together: one result each. After a
  // failed statement the later ones are not run (their results say so), and a transaction they
  // were in is left failed (roll it back). Where CanPipeline is false: one Exec after another,
  // stopping likewise at the first failure.
  virtual std::vector<Result<ExecResult>> Pipeline(const std::vector<Statement>& statements) {
    std::vector<Result<ExecResult>> out;
    for (const auto& st : statements) {
      if (!out.empty() && !out.back().ok()) {
        out.emplace_back(Status::Internal("not run: an earlier statement failed"));
        continue;
      }
      out.push_back(Exec(st.sql, st.params));
    }
    return out;
  }
};

// A fixed-size pool; Acquire blocks until a connection is free. Thread-safe.
// Threads that answer requests themselves and must never queue behind the handler threads (the
// HTTP server's I/O threads answering quick reads) mark themselves with MarkThisThreadReserved: the
// pool keeps `reserved` connections beyond `size` that only they lease, so each of them finds a
// connection at once as long as there are no more of them than `reserved` and none holds two.
// When the database goes away: a broken connection takes the idle ones with it (they went down
// together), and after a failed connect new ones are tried with backoff (100 ms doubling to 1 s);
// meanwhile Acquire answers kUnavailable at once instead of every request knocking.
class Pool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;
  using Now = std::function<std::chrono::steady_clock::time_point()>;
  Pool(Factory factory, size_t size, Now now = std::chrono::steady_clock::now, size_t reserved = 0)
      : factory_(std::move(factory)), size_(size), reserved_(reserved), now_(std::move(now)) {}

  static void MarkThisThreadReserved();

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c, bool reserved)
        : pool_(pool), c_(std::move(c)), reserved_(reserved) {}
    Lease(Lease&&) = default;
    ~Lease() { if (c_) pool_->Release(std::move(c_), reserved_); }
    Connection* operator->() { return c_.get(); }
    Connection& operator*() { return *c_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
    bool reserved_;
  };

  // A connection for the calling thread. Unmarked threads that have to wait queue in the order
  // they asked. A lease given back is taken by whoever comes first (often the thread that gave it
  // back, in the middle of a request that takes several), unless the longest waiting thread has
  // waited over kStarveAfter: then leases go to the queue in turn, so no thread waits behind a
  // stream of newcomers (the way Go's sync.Mutex turns fair). Measured on PostgreSQL case reads,
  // 64 handler threads on 8 connections: p99 51–102 → 24–29 ms, p999 350–464 → 81–113 ms; 5 ms
  // made SQLite's mixed day (requests taking several leases) p99 +40%, 50 ms left it alike.
  static constexpr std::chrono::milliseconds kStarveAfter{50};
  Result<Lease> Acquire();
  // Unmarked threads queued for a lease (tests).
  size_t waiting() const {
    std::lock_guard lock(mu_);
    return waiters_.size();
  }

 private:
  struct Waiter {
    std::condition_variable cv;
    bool granted = false;  // a lease of the unmarked threads' share counted for it
    std::chrono::steady_clock::time_point since;  // when it asked
  };
  // Whether the longest waiting thread has waited so long that leases go to it in turn.
  bool StarvingLocked() const;
  void Release(std::unique_ptr<Connection> c, bool reserved);
  // Gives up an unmarked thread's share of a lease: handed to the longest waiting if it starves,
  // else free for whoever comes first (the longest waiting is woken to compete).
  void ReleaseShareLocked();
  Factory factory_;
  size_t size_, reserved_;
  Now now_;
  size_t open_ = 0;
  size_t leased_unreserved_ = 0;  // leases held by unmarked threads: at most size_
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;  // a connection idle, or room to open one
  std::vector<std::unique_ptr<Connection>> idle_;
  std::deque<Waiter*> waiters_;  // unmarked threads waiting for a share, longest first
};

// A transaction on one connection; rolls back unless committed. `write` takes SQLite's write
// lock up front (BEGIN IMMEDIATE) so concurrent writers queue instead of deadlocking.
class Transaction {
 public:
  Transaction(Connection& c, bool write) : c_(c), write_(write) {}
  ~Transaction();
  Status Begin();
  // A read-only transaction (`write` false) whose statements all see one state of the database:
  // SQLite's deferred BEGIN (its first read fixes the WAL snapshot), PostgreSQL's REPEATABLE READ
  // (its BEGIN reads committed, each statement a snapshot of its own).
  Status BeginSnapshot();
  Status Commit();
  // The statement BeginSnapshot sends on `c`.
  static const char* SnapshotSql(const Connection& c);

 private:
  Status Open(const char* begin);

  Connection& c_;
  bool write_;
  bool open_ = false;
};

// `statements` run as Connection::Pipeline runs them, all in one read-only snapshot (BeginSnapshot's),
// sent together with its BEGIN and COMMIT: one round trip on PostgreSQL, whose statements in read
// committed would each see the database as of their own start. One result per statement; a
// failure of any of them, or of the BEGIN or COMMIT, fails every one of them.
std::vector<Result<ExecResult>> PipelineInSnapshot(Connection& c, std::vector<Statement> statements);

}  // namespace gongzhi::sql
