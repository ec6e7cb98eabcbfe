#include "store/sql.h"

#include <future>

#include <gtest/gtest.h>

#include "store/postgres/pg_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace gongzhi::sql {
namespace {

TEST(PlaceholderTest, RewritesOutsideQuotesOnly) {
  EXPECT_EQ(RewritePlaceholders("SELECT ? , '?', \"a?\", ?"), "SELECT $1 , '?', \"a?\", $2");
  EXPECT_EQ(RewritePlaceholders("INSERT INTO t VALUES (?, ?), (?, ?)"), "INSERT INTO t VALUES ($1, $2), ($3, $4)");
}

TEST(RowTest, ConvertsTextValuesFromPostgres) {
  Row r({std::string("42"), std::string("1.5"), std::monostate{}, int64_t{7}});
  EXPECT_EQ(r.Int(0), 42);
  EXPECT_DOUBLE_EQ(r.Real(1), 1.5);
  EXPECT_TRUE(r.IsNull(2));
  EXPECT_EQ(r.Text(3), "7");
}

// SQLite's rows are read in place (ForEach): each accessor converts a value of any storage class
// as the same value in a stored row (Exec) converts.
TEST(RowTest, ARowReadInPlaceConvertsAsAStoredRowDoes) {
  auto c = std::move(OpenSqlite(":memory:").value());
  const std::string q =
      "SELECT 42, -7.75, NULL, '123abc', 'text', x'6869', '', 9007199254740993, '2.5e3', 'été'";
  auto stored = c->Exec(q);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->rows.size(), 1u);
  const Row& s = stored->rows[0];
  int rows = 0;
  ASSERT_TRUE(c->ForEach(q, {}, [&](const Row& live) {
                 ++rows;
                 for (size_t i = 0; i < 10; ++i) {
                   SCOPED_TRACE(i);
                   EXPECT_EQ(live.IsNull(i), s.IsNull(i));
                   EXPECT_EQ(live.Int(i), s.Int(i));
                   EXPECT_DOUBLE_EQ(live.Real(i), s.Real(i));
                   EXPECT_EQ(live.Text(i), s.Text(i));
                 }
                 EXPECT_EQ(live.Int(0), 42);
                 EXPECT_EQ(live.Int(1), -7);
                 EXPECT_EQ(live.Text(1), std::to_string(-7.75));
                 EXPECT_TRUE(live.IsNull(2));
                 EXPECT_EQ(live.Int(2), 0);
                 EXPECT_EQ(live.Text(2), "");
                 EXPECT_EQ(live.Int(3), 123);
                 EXPECT_EQ(live.Text(5), "hi");
                 EXPECT_EQ(live.Int(7), 9007199254740993);
                 EXPECT_DOUBLE_EQ(live.Real(8), 2500);
                 EXPECT_EQ(live.Text(9), "été");
               }).ok());
  EXPECT_EQ(rows, 1);
}

// The statement cache finds a statement by its text even when the text it was first asked for
// with is gone and another text of the same length has taken its address.
TEST(SqliteConnectionTest, AStatementIsFoundByItsTextNotByWhereTheTextLies) {
  auto c = std::move(OpenSqlite(":memory:").value());
  ASSERT_TRUE(c->ExecScript("CREATE TABLE t (a INTEGER, b INTEGER); INSERT INTO t VALUES (1, 10)").ok());
  std::string q(64, ' ');
  auto ask = [&](std::string_view text) {
    q.assign(64, ' ');
    q.replace(0, text.size(), text);  // same buffer, same length, different statement
    auto r = c->Exec(q);
    EXPECT_TRUE(r.ok());
    return r.ok() && !r->rows.empty() ? r->rows[0].Int(0) : -1;
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ask("SELECT a FROM t"), 1);
    EXPECT_EQ(ask("SELECT b FROM t"), 10);
  }
}

}  // namespace
}  // namespace gongzhi::sql

#include <pthread.h>

#include <atomic>
#include <thread>

#include "store/write_queue.h"

namespace gongzhi::sql {
namespace {

// A connection that only counts: COMMITs, and syncs (recording how many commits each covered).
struct Counters {
  std::atomic<int> commits{0}, synced_through{0}, syncs{0};
};
class CountingConnection : public Connection {
 public:
  CountingConnection(std::shared_ptr<Counters> c, bool deferred) : c_(std::move(c)), deferred_(deferred) {}
  Result<ExecResult> Exec(std::string_view, const std::vector<Value>&) override { return ExecResult{}; }
  Status ExecScript(std::string_view script) override {
    if (script == "COMMIT") {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      ++c_->commits;
    }
    return Status::Ok();
  }
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::function<Status()> DeferSync() override {
    if (!deferred_) return {};
    return [c = c_] {
      int upto = c->commits.load();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a disk
      c->synced_through = upto;
      ++c->syncs;
      return Status::Ok();
    };
  }

 private:
  std::shared_ptr<Counters> c_;
  bool deferred_;
};

TEST(WriteQueueTest, AnswersOnlyAfterTheBatchIsDurable) {
  for (bool deferred : {false, true}) {
    auto counters = std::make_shared<Counters>();
    std::atomic<int> answered{0}, early{0};
    {
      WriteQueue q([&]() -> Result<std::unique_ptr<Connection>> {
        return std::unique_ptr<Connection>(std::make_unique<CountingConnection>(counters, deferred));
      });
      std::vector<std::thread> threads;
      for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
          for (int i = 0; i < 50; ++i) {
            auto my_commit = std::make_shared<int>(0);
            std::promise<void> done;
            q.Submit(
                [my_commit, &counters](Connection&) {
                  *my_commit = counters->commits + 1;  // my batch commits after every job in it ran
                  return Status::Ok();
                },
                [&, my_commit](Status s) {
                  EXPECT_TRUE(s.ok());
                  if (deferred && counters->synced_through < *my_commit) ++early;
                  ++answered;
                  done.set_value();
                });
            done.get_future().wait();
          }
        });
      for (auto& t : threads) t.join();
    }
    EXPECT_EQ(answered, 400);
    EXPECT_EQ(early, 0) << "an answer came before its batch was synced";
    if (deferred) {
      EXPECT_GT(counters->syncs, 0);
      EXPECT_LT(counters->syncs, 400);  // one sync covers several batches' callers
    } else {
      EXPECT_EQ(counters->syncs, 0);
    }
  }
}

// The writer and the syncer carry names, so that `top -H` and perf tell which one is busy (the
// writer is what bounds intake).
TEST(WriteQueueTest, ItsThreadsAreNamed) {
  auto name_of_this_thread = [] {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    return std::string(name);
  };
  auto counters = std::make_shared<Counters>();
  WriteQueue q([&]() -> Result<std::unique_ptr<Connection>> {
    return std::unique_ptr<Connection>(std::make_unique<CountingConnection>(counters, /*deferred=*/true));
  });
  std::string job_thread, answer_thread;
  std::promise<void> done;
  q.Submit(
      [&](Connection&) {
        job_thread = name_of_this_thread();
        return Status::Ok();
      },
      [&](Status s) {
        EXPECT_TRUE(s.ok());
        answer_thread = name_of_this_thread();
        done.set_value();
      });
  done.get_future().wait();
  EXPECT_EQ(job_thread, "gz-writer");
  EXPECT_EQ(answer_thread, "gz-sync");  // a deferred sync answers once the batch is durable
}

// backlog() counts a job from its submission to its answer (queued, running, waiting for the
// sync), which is what the store routes intakes by (the writer with the fewest).
TEST(WriteQueueTest, BacklogCountsJobsUntilTheyAreAnswered) {
  for (bool deferred : {false, true}) {
    auto counters = std::make_shared<Counters>();
    WriteQueue q([&]() -> Result<std::unique_ptr<Connection>> {
      return std::unique_ptr<Connection>(std::make_unique<CountingConnection>(counters, deferred));
    });
    EXPECT_EQ(q.backlog(), 0u);
    std::promise<void> entered, gate;
    std::shared_future<void> open_gate = gate.get_future().share();
    std::atomic<int> answered{0};
    std::vector<size_t> seen_in_answers;  // backlog as each answer runs (one thread at a time)
    auto done = [&](Status s) {
      EXPECT_TRUE(s.ok());
      seen_in_answers.push_back(q.backlog());
      ++answered;
    };
    q.Submit([&entered, open_gate](Connection&) {
               entered.set_value();
               open_gate.wait();
               return Status::Ok();
             },
             done);
    entered.get_future().wait();
    for (int i = 0; i < 4; ++i) q.Submit([](Connection&) { return Status::Ok(); }, done);
    EXPECT_EQ(q.backlog(), 5u) << "one running, four queued";
    gate.set_value();
    while (answered < 5) std::this_thread::yield();
    EXPECT_EQ(q.backlog(), 0u);
    // Each answer is counted out as it is given: the first leaves the four behind it.
    ASSERT_EQ(seen_in_answers.size(), 5u);
    EXPECT_EQ(seen_in_answers.front(), 4u);
    EXPECT_EQ(seen_in_answers.back(), 0u);
  }
}

}  // namespace
}  // namespace gongzhi::sql

namespace gongzhi::sql {
namespace {

class FakeConnection : public Connection {
 public:
  explicit FakeConnection(std::shared_ptr<bool> broken) : broken_(std::move(broken)) {}
  Result<ExecResult> Exec(std::string_view, const std::vector<Value>& = {}) override { return ExecResult{}; }
  Status ExecScript(std::string_view) override { return Status::Ok(); }
  Dialect dialect() const override { return Dialect::kPostgres; }
  bool healthy() const override { return !*broken_; }

 private:
  std::shared_ptr<bool> broken_;
};

TEST(PoolTest, ADeadDatabaseIsRetriedWithBackoffAndBrokenConnectionsAreDroppedTogether) {
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  bool up = true;
  int connects = 0;
  auto broken = std::make_shared<bool>(false);
  Pool pool(
      [&]() -> Result<std::unique_ptr<Connection>> {
        ++connects;
        if (!up) return Status::Unavailable("connection refused");
        return std::unique_ptr<Connection>(std::make_unique<FakeConnection>(broken));
      },
      4, [&] { return now; });
  {  // three connections open, then idle
    auto a = pool.Acquire(), b = pool.Acquire(), c = pool.Acquire();
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  }
  EXPECT_EQ(connects, 3);
  // The database restarts: the connections break, and it is down for a while.
  *broken = true;
  up = false;
  { auto x = pool.Acquire(); ASSERT_TRUE(x.ok()); }  // handed out, found broken on use, returned
  // All three were dropped with it: the next caller connects (and fails) instead of getting a dead one.
  EXPECT_EQ(pool.Acquire().status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(connects, 4);
  // Within the backoff nobody knocks; the callers are told at once.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(pool.Acquire().status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(connects, 4);
  now += std::chrono::milliseconds(150);
  EXPECT_FALSE(pool.Acquire().ok());
  EXPECT_EQ(connects, 5);
  now += std::chrono::milliseconds(150);  // the backoff doubled to 200 ms
  EXPECT_FALSE(pool.Acquire().ok());
  EXPECT_EQ(connects, 5);
  now += std::chrono::seconds(1);  // capped at 1 s; the database is back
  up = true;
  *broken = false;
  EXPECT_TRUE(pool.Acquire().ok());
  EXPECT_EQ(connects, 6);
  EXPECT_TRUE(pool.Acquire().ok()) << "back to normal: no backoff after a success";
}

TEST(PoolTest, MarkedThreadsGetAReservedConnectionWhileTheOthersWaitForTheirs) {
  int connects = 0;
  auto broken = std::make_shared<bool>(false);
  Pool pool(
      [&]() -> Result<std::unique_ptr<Connection>> {
        ++connects;
        return std::unique_ptr<Connection>(std::make_unique<FakeConnection>(broken));
      },
      1, std::chrono::steady_clock::now, /*reserved=*/1);
  std::future<bool> marked, ordinary;  // declared first: on a failure `held` is released before they are awaited
  auto held = pool.Acquire();  // a handler thread holds the only ordinary connection
  ASSERT_TRUE(held.ok());
  // A marked thread (an I/O thread answering a quick read) gets the reserved one at once.
  marked = std::async(std::launch::async, [&] {
    Pool::MarkThisThreadReserved();
    auto l = pool.Acquire();
    return l.ok();
  });
  ASSERT_EQ(marked.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "the marked thread waited";
  EXPECT_TRUE(marked.get());
  EXPECT_EQ(connects, 2);
  // An ordinary thread does not take the reserved connection, idle as it is: it waits for its own.
  ordinary = std::async(std::launch::async, [&] { return pool.Acquire().ok(); });
  EXPECT_EQ(ordinary.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  { auto release = std::move(*held); }
  ASSERT_EQ(ordinary.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(ordinary.get());
  EXPECT_EQ(connects, 2);
}

TEST(PoolTest, ThreadsThatWaitedLongAreServedInTheOrderTheyAsked) {
  auto broken = std::make_shared<bool>(false);
  std::atomic<int64_t> ms{0};  // the pool's clock
  Pool pool(
      [&]() -> Result<std::unique_ptr<Connection>> {
        return std::unique_ptr<Connection>(std::make_unique<FakeConnection>(broken));
      },
      1, [&] { return std::chrono::steady_clock::time_point{} + std::chrono::milliseconds(ms.load()); });
  std::mutex mu;
  std::vector<int> order;  // who held the connection, in turn
  std::vector<std::thread> ts;
  auto held = pool.Acquire();
  ASSERT_TRUE(held.ok());
  for (int i = 1; i <= 4; ++i) {
    ts.emplace_back([&, i] {
      auto lease = pool.Acquire();
      std::lock_guard lock(mu);
      order.push_back(lease.ok() ? i : -i);
    });
    while (pool.waiting() < static_cast<size_t>(i)) std::this_thread::yield();  // queued before the next
  }
  // The four have waited longer than Pool::kStarveAfter. The holder gives the connection back and
  // at once asks again (a handler thread taking its next request): it gets it after the four that
  // were waiting, not before them, and they get it in turn.
  ms += 2 * Pool::kStarveAfter.count();
  { auto release = std::move(*held); }
  {
    auto again = pool.Acquire();
    ASSERT_TRUE(again.ok());
    std::lock_guard lock(mu);
    order.push_back(0);
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 0}));
  EXPECT_EQ(pool.waiting(), 0u);
}

// A connection that the database dropped while it sat idle: it looks healthy until used.
class DroppedWhileIdle : public Connection {
 public:
  explicit DroppedWhileIdle(std::shared_ptr<bool> dropped) : dropped_(std::move(dropped)) {}
  Result<ExecResult> Exec(std::string_view, const std::vector<Value>& = {}) override {
    if (*dropped_) return Fail();
    return ExecResult{};
  }
  Status ExecScript(std::string_view) override { return *dropped_ ? Fail() : Status::Ok(); }
  Dialect dialect() const override { return Dialect::kPostgres; }
  bool healthy() const override { return !found_broken_; }

 private:
  Status Fail() {
    found_broken_ = true;
    return Status::Unavailable("server closed the connection unexpectedly");
  }
  std::shared_ptr<bool> dropped_;
  bool found_broken_ = false;
};

TEST(WriteQueueTest, AWriterConnectionDroppedWhileIdleIsReplacedWithoutFailingTheNextWrite) {
  int connects = 0;
  std::vector<std::shared_ptr<bool>> dropped;
  WriteQueue q([&]() -> Result<std::unique_ptr<Connection>> {
    ++connects;
    dropped.push_back(std::make_shared<bool>(false));
    return std::unique_ptr<Connection>(std::make_unique<DroppedWhileIdle>(dropped.back()));
  });
  int ran = 0;
  auto job = [&](Connection&) {
    ++ran;
    return Status::Ok();
  };
  ASSERT_TRUE(q.Run(job).ok());
  *dropped.back() = true;  // the database restarted while the writer had nothing to do
  auto after = q.Run(job);
  EXPECT_TRUE(after.ok()) << after.ToString();
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(connects, 2);
}

}  // namespace
}  // namespace gongzhi::sql

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/key_file.h"
#include "store/migrations.h"
#include "store/sqlite/sqlite_connection.h"

namespace gongzhi {
namespace {

TEST(KeyFileTest, CreatedOnceOwnerOnlyAndRefusedWhenExposedOrMalformed) {
  auto dir = std::filesystem::temp_directory_path() / ("gz_key_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "sub" / "contacts.key").string();
  auto first = LoadOrCreateKey(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first) << "the same key on every start";
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(LoadOrCreateKey(path).status().field(), "key_file") << "readable by others: refused";
  {
    std::ofstream(path, std::ios::trunc) << "not a key\n";
  }
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(LoadOrCreateKey(path).status().field(), "key_file");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gongzhi

namespace gongzhi::sql {
namespace {

TEST(MigrationTest, AnOlderDatabaseIsToldWhatHappensAndANewOneIsNot) {
  auto c = OpenSqlite(":memory:");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::vector<Migration> first{{1, "0001_a", "CREATE TABLE a (x INTEGER);"}};
  std::vector<Migration> both = first;
  both.push_back({2, "0002_b", "CREATE TABLE b (y INTEGER); INSERT INTO b SELECT x FROM a;"});
  std::vector<std::string> lines;
  auto note = [&lines](const std::string& line) { lines.push_back(line); };
  ASSERT_TRUE(Migrate(**c, first, note).ok());
  EXPECT_TRUE(lines.empty());  // a new database: nothing to tell
  ASSERT_TRUE(Migrate(**c, both, note).ok());
  ASSERT_EQ(lines.size(), 2u);  // the second took less than a second: no line of its own
  EXPECT_EQ(lines[0], "migrating the database schema from version 1 to 2");
  EXPECT_TRUE(lines[1].starts_with("database schema at version 2 (")) << lines[1];
  ASSERT_TRUE(Migrate(**c, both, note).ok());
  EXPECT_EQ(lines.size(), 2u);  // up to date: nothing again
  EXPECT_TRUE((*c)->Exec("SELECT y FROM b").ok());
}

TEST(MigrationTest, AMigrationThatRewritesATableLeavesNoLargeWalBehind) {
  const auto dir = std::filesystem::temp_directory_path() / ("gz-mig-wal-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "a.db").string();
  const std::vector<Migration> first{{1, "0001_a", "CREATE TABLE a (x INTEGER, pad TEXT);"}};
  std::vector<Migration> both = first;
  both.push_back({2, "0002_fill",
                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                  "INSERT INTO a SELECT i, printf('%.200c', 'x') FROM n;"});
  {
    auto c = OpenSqlite(path);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(Migrate(**c, first, {}).ok());
    ASSERT_TRUE(Migrate(**c, both, {}).ok());
    // Still open, as a server keeps it: the ~5 MB the second migration wrote are in the database,
    // not left in its WAL.
    EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
    auto n = (*c)->Exec("SELECT COUNT(*) FROM a");
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->rows.at(0).Int(0), 20000);
  }
  std::filesystem::remove_all(dir);
}

// Migration 0023 moves the events of a case together (WITHOUT ROWID, keyed by case and seq):
// every row is kept as it was, whatever order the rows were appended in.
TEST(MigrationTest, EventsWrittenInTimeOrderAreKeptWholeWhenClustered) {
  auto c = OpenSqlite(":memory:");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<Migration> before, all = kSqliteMigrations;
  for (const auto& m : kSqliteMigrations)
    if (m.version < 23) before.push_back(m);
  ASSERT_TRUE(Migrate(**c, before, {}).ok());
  for (int id = 1; id <= 3; ++id)
    ASSERT_TRUE((*c)->Exec("INSERT INTO cases (id, tracking_code, version, state, description, region_code, "
                           "township_code, channel, created_at, updated_at) VALUES (?, ?, 1, 'reported', 'd', "
                           "'130404001001', '130404001', 'api', 0, 0)",
                           {int64_t{id}, "~" + std::to_string(id)})
                    .ok());
  // Appended as a district does: the cases' events interleaved in time.
  const int64_t order[][2] = {{1, 1}, {2, 1}, {1, 2}, {3, 1}, {2, 2}, {1, 3}, {3, 2}, {2, 3}};
  for (const auto& [id, seq] : order)
    ASSERT_TRUE((*c)->Exec("INSERT INTO case_events (case_id, seq, at, actor, action, from_state, to_state, payload, "
                           "prev_hash, hash) VALUES (?, ?, ?, 'a', 'act', 'f', 't', ?, ?, ?)",
                           {id, seq, id * 100 + seq, "{\"n\":" + std::to_string(seq) + "}",
                            "p" + std::to_string(id * 10 + seq), "h" + std::to_string(id * 10 + seq)})
                    .ok());
  ASSERT_TRUE(Migrate(**c, all, {}).ok());
  auto sql = (*c)->Exec("SELECT sql FROM sqlite_master WHERE name = 'case_events'");
  ASSERT_TRUE(sql.ok());
  EXPECT_NE(sql->rows.at(0).Text(0).find("WITHOUT ROWID"), std::string::npos) << sql->rows.at(0).Text(0);
  auto rows = (*c)->Exec("SELECT case_id, seq, at, payload, prev_hash, hash FROM case_events");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 8u);
  int64_t last_id = 0, last_seq = 0;
  for (const auto& r : rows->rows) {
    const int64_t id = r.Int(0), seq = r.Int(1);
    EXPECT_TRUE(id > last_id || (id == last_id && seq > last_seq)) << "stored in key order: " << id << "/" << seq;
    last_id = id, last_seq = seq;
    EXPECT_EQ(r.Int(2), id * 100 + seq);
    EXPECT_EQ(r.Text(3), "{\"n\":" + std::to_string(seq) + "}");
    EXPECT_EQ(r.Text(4), "p" + std::to_string(id * 10 + seq));
    EXPECT_EQ(r.Text(5), "h" + std::to_string(id * 10 + seq));
  }
  // Events still need a case (the foreign key came along).
  EXPECT_FALSE((*c)->Exec("INSERT INTO case_events (case_id, seq, at, actor, action, from_state, to_state, payload, "
                          "prev_hash, hash) VALUES (9, 1, 0, 'a', 'act', 'f', 't', '{}', '', 'h')")
                   .ok());
}

}  // namespace
}  // namespace gongzhi::sql
