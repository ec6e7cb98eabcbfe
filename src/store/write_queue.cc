#include "store/write_queue.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace gongzhi::sql {

WriteQueue::WriteQueue(Pool::Factory factory, size_t max_batch)
    : factory_(std::move(factory)),
      max_batch_(max_batch),
      sync_thread_([this] { SyncLoop(); }),
      thread_([this] { Loop(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();  // every batch is committed (and handed to the syncer) when it returns
  {
    std::lock_guard lock(sync_mu_);
    sync_stop_ = true;
  }
  sync_cv_.notify_all();
  sync_thread_.join();
}

void WriteQueue::SyncLoop() {
  pthread_setname_np(pthread_self(), "gz-sync");  // as `top -H` and perf show it
  for (;;) {
    std::deque<Committed> batches;
    std::function<Status()> sync;
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [&] { return sync_stop_ || !unsynced_.empty(); });
      if (unsynced_.empty()) return;
      batches.swap(unsynced_);
      sync = unsynced_sync_;
    }
    Status s = sync();  // one sync for every batch committed so far
    for (auto& b : batches)
      for (size_t i = 0; i < b.items.size(); ++i) Finish(b.items[i], s.ok() ? b.results[i] : s);
  }
}

void WriteQueue::Submit(Job job, Done done) { Enqueue(Item{std::move(job), std::move(done), nullptr}); }

void WriteQueue::SubmitPipelined(Pipelined job, Done done) {
  auto halves = std::make_shared<const Pipelined>(std::move(job));
  // Run alone (in a batch that is not all pipelined, or again after a failure): both halves here.
  Job whole = [halves](Connection& c) -> Status {
    GZ_ASSIGN_OR_RETURN(auto st, halves->prepare(c));
    GZ_ASSIGN_OR_RETURN(auto r, c.Exec(st.sql, st.params));
    return halves->finish(std::move(r));
  };
  Enqueue(Item{std::move(whole), std::move(done), std::move(halves)});
}

void WriteQueue::Enqueue(Item item) {
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      ++backlog_;
      queue_.push_back(std::move(item));
      cv_.notify_one();
      return;
    }
  }
  item.done(Status::Unavailable("the store is shutting down"));
}

void WriteQueue::Finish(Item& item, Status s) {
  --backlog_;
  // A completion that throws must not take the writer thread (and every later write) with it.
  try {
    item.done(std::move(s));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write queue: a completion threw: %s\n", e.what());
  }
}

Status WriteQueue::Run(Job job) {
  std::promise<Status> p;
  auto f = p.get_future();
  Submit(std::move(job), [&p](Status s) { p.set_value(std::move(s)); });
  return f.get();
}

// In the transaction BEGIN opened, one round trip: the jobs' statements, then COMMIT. True when
// it committed (every job's result in `results`); false when a statement failed (the transaction
// is left failed: roll it back) or the connection did.
bool WriteQueue::RunPipelined(std::vector<Item>& batch, std::vector<Status>& results) {
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<Statement> st;
  st.reserve(batch.size() + 1);
  std::vector<size_t> at(batch.size(), kNone);  // each job's statement in `st`
  for (size_t i = 0; i < batch.size(); ++i) {
    auto s = batch[i].pipelined->prepare(*conn_);
    if (!s.ok()) {
      results[i] = s.status();  // it wrote nothing: the others go on
      continue;
    }
    at[i] = st.size();
    st.push_back(std::move(*s));
  }
  st.push_back({"COMMIT", {}});
  auto out = conn_->Pipeline(st);
  for (const auto& r : out)
    if (!r.ok()) return false;
  for (size_t i = 0; i < batch.size(); ++i)
    if (at[i] != kNone) results[i] = batch[i].pipelined->finish(std::move(*out[at[i]]));
  return true;
}

bool WriteQueue::RunWithoutSavepoints(std::vector<Item>& batch, std::vector<Status>& results) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto before = conn_->WriteMark();
    results[i] = batch[i].job(*conn_);
    if (results[i].ok()) continue;
    // Undone only by undoing the batch: it changed rows, or its failure ended the transaction.
    const auto after = conn_->WriteMark();
    if (!before || !after || *before != *after) return false;
  }
  return true;
}

void WriteQueue::Loop() {
  pthread_setname_np(pthread_self(), "gz-writer");
  std::vector<Item> batch;
  std::vector<Status> results;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    results.assign(batch.size(), Status::Ok());
    auto connect = [&]() -> Status {
      auto c = factory_();
      if (!c.ok()) return c.status();
      conn_ = std::move(c).value();
      sync_ = conn_->DeferSync();
      return Status::Ok();
    };
    // On PostgreSQL every statement is a round trip: when the jobs run in savepoints (`careful`),
    // the first job's savepoint goes with BEGIN, and each later one with the release of the job
    // before it.
    auto begin_on = [&](bool careful) {
      if (conn_->dialect() == Dialect::kSqlite) return conn_->ExecScript("BEGIN IMMEDIATE");
      return conn_->ExecScript(careful ? "BEGIN; SAVEPOINT job" : "BEGIN");
    };
    Status begin = conn_ && conn_->healthy() ? begin_on(false) : Status::Ok();
    // No connection yet, or a broken one: broken before, or found broken only now by BEGIN after it
    // sat idle (the database restarted). Nothing has run on it in this batch, so open one (a
    // single attempt per batch) and begin there rather than fail the batch.
    if (!conn_ || !conn_->healthy()) {
      begin = connect();
      if (begin.ok()) begin = begin_on(false);
    }
    // Every job of the batch answered with `s`, none of it committed.
    auto fail_batch = [&](const Status& s) {
      for (auto& it : batch) Finish(it, s);
      batch.clear();
    };
    if (!begin.ok()) {
      // The database is unreachable: fail this batch (callers answer 503); the next one retries.
      fail_batch(begin);
      continue;
    }
    const bool sqlite = conn_->dialect() == Dialect::kSqlite;
    bool careful = false, undo;
    if (conn_->CanPipeline() &&
        std::all_of(batch.begin(), batch.end(), [](const Item& it) { return it.pipelined != nullptr; })) {
      // A batch of pipelined jobs on a connection that pipelines (PostgreSQL) goes in one round
      // trip after BEGIN's, which also proved the connection alive. If it did not commit and the
      // connection is broken, whether COMMIT happened cannot be known: the batch fails, as when a
      // COMMIT's answer is lost; else nothing of it stays and it runs again job by job.
      if (RunPipelined(batch, results)) {
        ++batches_, ++pipelined_;
        jobs_ += batch.size();
        for (size_t i = 0; i < batch.size(); ++i) Finish(batch[i], results[i]);
        batch.clear();
        continue;
      }
      if (!conn_->healthy()) {
        if (on_discard_) on_discard_();
        fail_batch(Status::Unavailable("the database connection broke while the batch was committing"));
        continue;
      }
      undo = true;
    } else {
      // The jobs first run without a savepoint each. On SQLite a savepoint's statement journal (the
      // pages a job changes, copied before it changes them, spilled to a temporary file) was 9 of
      // an intake's 13 pwrites and ~15% of its cost; on PostgreSQL releasing one and starting the
      // next was a round trip per job. A job that fails having changed nothing
      // (Connection::WriteMark) needs no undo; one that fails after changing rows, or whose
      // failure ended the transaction (any failed statement on PostgreSQL), has the whole batch
      // undone and run again below, each job in a savepoint of its own.
      undo = !RunWithoutSavepoints(batch, results);
    }
    if (undo) {
      conn_->ExecScript("ROLLBACK");
      if (on_discard_) on_discard_();
      ++redone_;
      results.assign(batch.size(), Status::Ok());
      if (Status again = begin_on(true); !again.ok()) {
        fail_batch(again);
        continue;
      }
      careful = true;
    }
    for (size_t i = 0; careful && i < batch.size(); ++i) {
      // SQLite: Exec, not ExecScript: the prepared statements are cached, no parsing per job.
      Status s = sqlite ? conn_->Exec("SAVEPOINT job").status()
                        : i == 0 ? Status::Ok() : conn_->ExecScript("RELEASE job; SAVEPOINT job");
      if (s.ok()) {
        s = batch[i].job(*conn_);
        if (!s.ok()) conn_->Exec("ROLLBACK TO job");
        if (sqlite) conn_->Exec("RELEASE job");
      }
      results[i] = s;
    }
    Status commit = conn_->ExecScript("COMMIT");
    if (!commit.ok()) {
      conn_->ExecScript("ROLLBACK");
      if (on_discard_) on_discard_();
    }
    ++batches_;
    jobs_ += batch.size();
    if (commit.ok() && sync_) {
      {
        std::lock_guard lock(sync_mu_);
        unsynced_.push_back(Committed{std::move(batch), std::move(results)});
        unsynced_sync_ = sync_;
      }
      sync_cv_.notify_one();
      batch = {};
      results = {};
      continue;
    }
    for (size_t i = 0; i < batch.size(); ++i) Finish(batch[i], commit.ok() ? results[i] : commit);
    batch.clear();
  }
}

}  // namespace gongzhi::sql
