// Group commit: one writer connection and thread; concurrent write jobs are run in one
// transaction (one failing job does not sink the others: see Submit) and every caller is answered
// once that transaction is durable: one fsync per batch instead of one per request. Where the
// connection supports it (SQLite), the sync is pipelined: a second thread syncs the log of batch N
// (and any other committed meanwhile) while the writer runs batch N+1, and answers their callers
// after the sync. On PostgreSQL a batch of jobs submitted in two halves (SubmitPipelined) is sent
// together with its COMMIT.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sql.h"

namespace gongzhi::sql {

class WriteQueue {
 public:
  using Job = std::function<Status(Connection&)>;
  // Opens the writer connection with `factory` on first use and again whenever it breaks.
  // `max_batch`: jobs per transaction. Smaller batches let the sync of one overlap the next (32
  // measured best for intake with 64 clients on 2 cores: bench/RESULTS.md).
  explicit WriteQueue(Pool::Factory factory, size_t max_batch = 32);
  ~WriteQueue();  // finishes queued jobs, then stops

  using Done = std::function<void(Status)>;
  // Runs `job` in the next batch; `done` is called on a writer thread once the batch is durable
  // (OK) or failed, or at once when the queue is stopping. A job returning non-OK is rolled back
  // alone. `done` must be quick: the next batch waits for it. Thread-safe.
  // A job may run more than once (when a job of its batch fails after writing, or with a failed
  // statement on PostgreSQL, the batch is undone and run again job by job), so it must not consume
  // what it captured.
  void Submit(Job job, Done done);
  // A job in two halves, for a connection that pipelines (PostgreSQL): `prepare` returns the one
  // statement the job writes with (it may run statements of its own first, e.g. for ids, but
  // nothing that needs undoing), and `finish` takes that statement's result, once the batch has
  // committed. A batch made only of such jobs takes two round trips: BEGIN (which also proves the
  // connection alive), then every job's statement and COMMIT together. If one statement fails,
  // nothing of it stays and the batch runs again job by job, each in a savepoint (prepare, then the
  // statement, then finish), as Submit's jobs do.
  struct Pipelined {
    std::function<Result<Statement>(Connection&)> prepare;
    std::function<Status(ExecResult)> finish;
  };
  void SubmitPipelined(Pipelined job, Done done);
  // Submit, then block until done.
  Status Run(Job job);
  // Called on the writer thread when a batch's COMMIT fails and its jobs' writes are discarded
  // (for owners that mirror the jobs' writes in memory). Set before the first Submit.
  void OnDiscard(std::function<void()> fn) { on_discard_ = std::move(fn); }

  // Batches committed and jobs run so far (for benchmarks and tests).
  uint64_t batches() const { return batches_; }
  uint64_t jobs() const { return jobs_; }
  uint64_t redone() const { return redone_; }  // batches undone and run again job by job
  uint64_t pipelined() const { return pipelined_; }  // batches committed in one round trip
  // Jobs submitted and not yet answered (queued, running or waiting for their sync).
  size_t backlog() const { return backlog_; }

 private:
  struct Item {
    Job job;
    Done done;
    std::shared_ptr<const Pipelined> pipelined;  // also the halves of `job`, when it has them
  };
  void Loop();
  void SyncLoop();
  bool RunWithoutSavepoints(std::vector<Item>& batch, std::vector<Status>& results);
  bool RunPipelined(std::vector<Item>& batch, std::vector<Status>& results);
  void Enqueue(Item item);
  void Finish(Item& item, Status s);
  struct Committed {  // a committed batch waiting for its sync
    std::vector<Item> items;
    std::vector<Status> results;
  };

  Pool::Factory factory_;
  std::unique_ptr<Connection> conn_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
  std::atomic<uint64_t> batches_{0}, jobs_{0}, redone_{0}, pipelined_{0};
  std::atomic<size_t> backlog_{0};
  std::function<void()> on_discard_;
  std::function<Status()> sync_;  // the writer connection's deferred sync; empty: COMMIT is durable
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<Committed> unsynced_;
  std::function<Status()> unsynced_sync_;
  bool sync_stop_ = false;
  std::thread sync_thread_;  // declared before thread_: the writer may hand it work from its start
  std::thread thread_;
};

}  // namespace gongzhi::sql
