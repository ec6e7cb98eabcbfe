// Group commit: one writer connection and thread; concurrent write jobs are run in one
// transaction (each inside its own savepoint, so one failing job does not sink the others) and
// every caller is answered after that transaction's COMMIT. With SQLite synchronous=FULL this
// turns one fsync per request into one fsync per batch.
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
  explicit WriteQueue(Pool::Factory factory, size_t max_batch = 256);
  ~WriteQueue();  // finishes queued jobs, then stops

  using Done = std::function<void(Status)>;
  // Runs `job` in the next batch; `done` is called on the writer thread once the batch is committed
  // (OK) or failed, or at once when the queue is stopping. A job returning non-OK is rolled back
  // alone. `done` must be quick: the next batch waits for it. Thread-safe.
  void Submit(Job job, Done done);
  // Submit, then block until done.
  Status Run(Job job);

  // Batches committed and jobs run so far (for benchmarks and tests).
  uint64_t batches() const { return batches_; }
  uint64_t jobs() const { return jobs_; }

 private:
  struct Item {
    Job job;
    Done done;
  };
  void Loop();
  static void Finish(Item& item, Status s);

  Pool::Factory factory_;
  std::unique_ptr<Connection> conn_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
  std::atomic<uint64_t> batches_{0}, jobs_{0};
  std::thread thread_;
};

}  // namespace gongzhi::sql
