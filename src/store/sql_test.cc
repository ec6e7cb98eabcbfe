#include "store/sql.h"

#include <gtest/gtest.h>

#include "store/postgres/pg_connection.h"

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

}  // namespace
}  // namespace gongzhi::sql

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

}  // namespace
}  // namespace gongzhi::sql
