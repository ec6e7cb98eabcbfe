// The store contract: every test runs against SQLite and against PostgreSQL (GONGZHI_TEST_PG).
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include <gtest/gtest.h>

#include "app/audit.h"
#include "store/migrations.h"
#include "store/postgres/pg_connection.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sql_store.h"
#include "store/write_queue.h"

namespace gongzhi {
namespace {

class VectorSource : public RegionSource {
 public:
  explicit VectorSource(std::vector<Region> rows, Status fail_at_end = Status::Ok())
      : rows_(std::move(rows)), end_status_(std::move(fail_at_end)) {}
  bool NextBatch(std::vector<Region>& batch, size_t max) override {
    batch.clear();
    while (batch.size() < max && pos_ < rows_.size()) batch.push_back(rows_[pos_++]);
    return !batch.empty();
  }
  Status status() const override { return pos_ >= rows_.size() ? end_status_ : Status::Ok(); }

 private:
  std::vector<Region> rows_;
  size_t pos_ = 0;
  Status end_status_;
};

const char* PgTarget() { return std::getenv("GONGZHI_TEST_PG"); }

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      if (!PgTarget()) {
        if (std::getenv("GONGZHI_REQUIRE_PG")) FAIL() << "GONGZHI_REQUIRE_PG is set but GONGZHI_TEST_PG is not";
        GTEST_SKIP() << "set GONGZHI_TEST_PG to run the contract on PostgreSQL";
      }
      target_ = PgTarget();
      auto c = sql::OpenPostgres(target_);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      ASSERT_TRUE((*c)->ExecScript("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;").ok());
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("gz_contract_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      target_ = (dir_ / "t.db").string();
    }
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // A connection of its own to the test's database, beside the store (or after it is closed).
  Result<std::unique_ptr<sql::Connection>> OpenConnection() const {
    return GetParam() == "postgres" ? sql::OpenPostgres(target_) : sql::OpenSqlite(target_);
  }
  // Closes the store and makes a table batch_probe (k, v) for write-queue tests; returns how to
  // open connections to the database.
  sql::Pool::Factory BatchProbe() {
    store_.reset();
    sql::Pool::Factory open = [this] { return OpenConnection(); };
    auto c = open();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) EXPECT_TRUE((*c)->ExecScript("CREATE TABLE batch_probe (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
    return open;
  }
  // batch_probe's rows as "k=v".
  static std::vector<std::string> BatchProbeRows(const sql::Pool::Factory& open) {
    std::vector<std::string> got;
    auto c = open();
    if (!c.ok()) return {c.status().ToString()};
    auto rows = c.value()->Exec("SELECT k, v FROM batch_probe ORDER BY k");
    if (!rows.ok()) return {rows.status().ToString()};
    for (const auto& r : rows->rows) got.push_back(std::to_string(r.Int(0)) + "=" + r.Text(1));
    return got;
  }
  void Reopen() {
    store_.reset();
    auto s = OpenStore(target_, clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  Store& store() { return *store_; }

  void ImportFuxingSample() {
    VectorSource src({{"130404", "复兴区", RegionLevel::kCounty, "1304"},
                      {"130404001", "胜利桥街道", RegionLevel::kTownship, "130404"},
                      {"130404002", "百家村街道", RegionLevel::kTownship, "130404"},
                      {"130404001008", "三丰园社区居民委员会", RegionLevel::kVillage, "130404001"},
                      {"130404001017", "学军路社区居民委员会", RegionLevel::kVillage, "130404001"},
                      {"130404002001", "百家村社区居民委员会", RegionLevel::kVillage, "130404002"}});
    auto r = store().ImportRegions(src);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  Grid MakeGrid(const std::string& code, double x) {
    Grid g;
    g.code = code;
    g.name = "网格" + code.substr(12);
    g.community_code = code.substr(0, 12);
    g.geometry = R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]})";
    g.min_lng = x, g.min_lat = 36.6, g.max_lng = x + 0.01, g.max_lat = 36.61;
    return g;
  }

  ManualClock clock_{1'795'000'000'000};
  std::string target_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

// Jobs committed together: one that fails is undone alone, and the jobs before and after it in
// the same transaction keep their writes (on PostgreSQL, where a failed statement would otherwise
// abort the whole transaction, and where savepoints ride on other statements).
TEST_P(StoreContract, AFailedJobInABatchIsUndoneAlone) {
  auto open = BatchProbe();
  sql::WriteQueue q(open);
  std::promise<void> entered, gate;
  std::shared_future<void> open_gate = gate.get_future().share();
  // The first job holds the writer until the others have queued up behind it, so they share the
  // next batch (submitted only once it runs: else the writer might take some of them with it).
  std::promise<Status> first;
  q.Submit([&entered, open_gate](sql::Connection& c) {
             entered.set_value();
             open_gate.wait();
             return c.Exec("INSERT INTO batch_probe (k, v) VALUES (?, ?)", {int64_t{1}, std::string("one")}).status();
           },
           [&first](Status s) { first.set_value(s); });
  entered.get_future().wait();
  std::vector<std::promise<Status>> done(4);
  auto insert = [](int64_t k, std::string v, bool then_fail) {
    return [k, v, then_fail](sql::Connection& c) -> Status {
      GZ_RETURN_IF_ERROR(c.Exec("INSERT INTO batch_probe (k, v) VALUES (?, ?)", {k, v}).status());
      if (then_fail) return c.Exec("INSERT INTO batch_probe (k, v) VALUES (?, ?)", {int64_t{1}, v}).status();
      return Status::Ok();
    };
  };
  q.Submit(insert(2, "two", false), [&](Status s) { done[0].set_value(s); });
  q.Submit(insert(3, "three", true), [&](Status s) { done[1].set_value(s); });  // its second insert collides
  q.Submit(insert(4, "four", false), [&](Status s) { done[2].set_value(s); });
  q.Submit(insert(3, "three again", true), [&](Status s) { done[3].set_value(s); });
  gate.set_value();
  EXPECT_TRUE(first.get_future().get().ok());
  EXPECT_TRUE(done[0].get_future().get().ok());
  EXPECT_EQ(done[1].get_future().get().code(), ErrorCode::kConflict);
  EXPECT_TRUE(done[2].get_future().get().ok());
  EXPECT_EQ(done[3].get_future().get().code(), ErrorCode::kConflict);
  // A batch runs without savepoints first: this one was undone and run again job by job.
  EXPECT_EQ(q.redone(), 1u);
  EXPECT_EQ(BatchProbeRows(open), (std::vector<std::string>{"1=one", "2=two", "4=four"}));
}

// Jobs in two halves (WriteQueue::Pipelined, as intakes are): on PostgreSQL a batch of them is
// one round trip; one whose statement fails is undone alone there too; every job's finish gets
// its statement's rows, in the order the jobs were submitted.
TEST_P(StoreContract, PipelinedJobsCommitTogetherAndAFailedOneIsUndoneAlone) {
  auto open = BatchProbe();
  sql::WriteQueue q(open);
  std::vector<int64_t> finished;  // written by the writer thread only, read after its answers
  auto insert = [&finished](int64_t k, std::string v) {
    sql::WriteQueue::Pipelined job;
    job.prepare = [k, v](sql::Connection&) -> Result<sql::Statement> {
      return sql::Statement{"INSERT INTO batch_probe (k, v) VALUES (?, ?) RETURNING k", {k, v}};
    };
    job.finish = [&finished](sql::ExecResult r) {
      finished.push_back(r.rows.at(0).Int(0));
      return Status::Ok();
    };
    return job;
  };
  // Holds the writer in a job of its own until `submit` has queued the next batch behind it.
  auto batch_of = [&q](const std::function<void()>& submit) {
    std::promise<void> entered, gate;
    std::promise<Status> held;
    std::shared_future<void> open_gate = gate.get_future().share();
    q.Submit([&entered, open_gate](sql::Connection&) {
               entered.set_value();
               open_gate.wait();
               return Status::Ok();
             },
             [&held](Status s) { held.set_value(std::move(s)); });
    entered.get_future().wait();
    submit();
    gate.set_value();
    EXPECT_TRUE(held.get_future().get().ok());
  };
  std::vector<std::promise<Status>> done(7);
  auto answer = [&done](size_t i) { return [&done, i](Status s) { done[i].set_value(std::move(s)); }; };
  batch_of([&] {
    q.SubmitPipelined(insert(1, "one"), answer(0));
    q.SubmitPipelined(insert(2, "two"), answer(1));
    q.SubmitPipelined(insert(1, "one again"), answer(2));  // collides with 1
    q.SubmitPipelined(insert(4, "four"), answer(3));
  });
  EXPECT_TRUE(done[0].get_future().get().ok());
  EXPECT_TRUE(done[1].get_future().get().ok());
  EXPECT_EQ(done[2].get_future().get().code(), ErrorCode::kConflict);
  EXPECT_TRUE(done[3].get_future().get().ok());
  batch_of([&] {
    q.SubmitPipelined(insert(5, "five"), answer(4));
    q.SubmitPipelined(insert(6, "six"), answer(5));
  });
  EXPECT_TRUE(done[4].get_future().get().ok());
  EXPECT_TRUE(done[5].get_future().get().ok());
  // A plain job beside a pipelined one: that batch runs as any batch does.
  std::promise<Status> plain;
  batch_of([&] {
    q.SubmitPipelined(insert(7, "seven"), answer(6));
    q.Submit([](sql::Connection& c) { return c.Exec("UPDATE batch_probe SET v = 'FIVE' WHERE k = 5").status(); },
             [&plain](Status s) { plain.set_value(std::move(s)); });
  });
  EXPECT_TRUE(done[6].get_future().get().ok());
  EXPECT_TRUE(plain.get_future().get().ok());
  EXPECT_EQ(finished, (std::vector<int64_t>{1, 2, 4, 5, 6, 7}));
  EXPECT_EQ(BatchProbeRows(open),
            (std::vector<std::string>{"1=one", "2=two", "4=four", "5=FIVE", "6=six", "7=seven"}));
  // PostgreSQL: {1, 2, 1 again, 4} failed in one round trip and ran again job by job; {5, 6} was
  // one round trip. SQLite runs in process: nothing to save, and a failed INSERT changed nothing.
  EXPECT_EQ(q.pipelined(), GetParam() == "postgres" ? 1u : 0u);
  EXPECT_EQ(q.redone(), GetParam() == "postgres" ? 1u : 0u);
}

// Statements sent together: each answered in order; after a failure (here a statement that does
// not parse) the later ones are not run, and the connection stays usable for the same statements
// afterwards (on PostgreSQL: which of them became prepared statements is known exactly).
TEST_P(StoreContract, APipelineStopsAtItsFirstFailureAndLeavesTheConnectionUsable) {
  auto open = BatchProbe();
  auto c = open();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto& conn = **c;
  const std::string a = "INSERT INTO batch_probe (k, v) VALUES (?, ?)", bad = "INSERT INTO nowhere VALUES (?)",
                    b = "SELECT COUNT(*) FROM batch_probe WHERE k >= ?";
  ASSERT_TRUE(conn.ExecScript("BEGIN").ok());
  auto out = conn.Pipeline({{a, {int64_t{1}, std::string("one")}}, {bad, {int64_t{1}}}, {b, {int64_t{0}}}});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].ok()) << out[0].status().ToString();
  EXPECT_FALSE(out[1].ok());
  EXPECT_FALSE(out[2].ok());
  ASSERT_TRUE(conn.ExecScript("ROLLBACK").ok());
  EXPECT_TRUE(conn.healthy());
  EXPECT_TRUE(conn.Exec(a, {int64_t{2}, std::string("two")}).ok());
  auto counted = conn.Exec(b, {int64_t{0}});
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ(counted->rows.at(0).Int(0), 1);  // the rolled-back insert is gone
  auto again = conn.Pipeline({{a, {int64_t{3}, std::string("three")}}, {b, {int64_t{0}}}});
  ASSERT_TRUE(again.at(0).ok()) << again[0].status().ToString();
  ASSERT_TRUE(again.at(1).ok()) << again[1].status().ToString();
  EXPECT_EQ(again[1]->rows.at(0).Int(0), 2);
  EXPECT_EQ(BatchProbeRows(open), (std::vector<std::string>{"2=two", "3=three"}));
}

// A job that fails before changing anything (a version check, a missing row) leaves its batch
// as it was: the others commit, and none of them has to be undone and run again.
TEST_P(StoreContract, AJobThatFailsBeforeWritingCostsItsBatchNothing) {
  auto open = BatchProbe();
  sql::WriteQueue q(open);
  std::promise<void> gate;
  std::shared_future<void> open_gate = gate.get_future().share();
  std::atomic<int> runs{0};
  std::promise<Status> first;
  q.Submit([open_gate, &runs](sql::Connection& c) {
             open_gate.wait();
             ++runs;
             return c.Exec("INSERT INTO batch_probe (k, v) VALUES (?, ?)", {int64_t{1}, std::string("one")}).status();
           },
           [&first](Status s) { first.set_value(s); });
  std::vector<std::promise<Status>> done(3);
  q.Submit([&runs](sql::Connection& c) -> Status {
             ++runs;
             GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT v FROM batch_probe WHERE k = ?", {int64_t{9}}));
             if (r.rows.empty()) return Status::NotFound("no row 9");
             return Status::Ok();
           },
           [&](Status s) { done[0].set_value(s); });
  q.Submit([&runs](sql::Connection& c) -> Status {
             ++runs;
             // A version check that fails, as a case update's does.
             GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT COUNT(*) FROM batch_probe"));
             return r.rows.at(0).Int(0) == 1 ? Status::Conflict("changed meanwhile") : Status::Ok();
           },
           [&](Status s) { done[1].set_value(s); });
  q.Submit([&runs](sql::Connection& c) {
             ++runs;
             return c.Exec("INSERT INTO batch_probe (k, v) VALUES (?, ?)", {int64_t{2}, std::string("two")}).status();
           },
           [&](Status s) { done[2].set_value(s); });
  gate.set_value();
  EXPECT_TRUE(first.get_future().get().ok());
  EXPECT_EQ(done[0].get_future().get().code(), ErrorCode::kNotFound);
  EXPECT_EQ(done[1].get_future().get().code(), ErrorCode::kConflict);
  EXPECT_TRUE(done[2].get_future().get().ok());
  EXPECT_EQ(runs.load(), 4) << "a job ran again";
  EXPECT_EQ(q.redone(), 0u);
  EXPECT_EQ(BatchProbeRows(open), (std::vector<std::string>{"1=one", "2=two"}));
}

// Rows handed over as they are stepped through (ForEach, in place on SQLite) read as the rows of
// a whole result do (Exec): every accessor on integers, reals, text and NULL.
TEST_P(StoreContract, RowsReadInPlaceConvertLikeStoredRows) {
  store_.reset();
  auto c = OpenConnection();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto& conn = **c;
  ASSERT_TRUE(conn.ExecScript("CREATE TABLE conv (i BIGINT, r DOUBLE PRECISION, t TEXT, n TEXT)").ok());
  ASSERT_TRUE(conn.Exec("INSERT INTO conv VALUES (?, ?, ?, ?)", {int64_t{-42}, 2.5, std::string("17"), sql::Value{}}).ok());
  ASSERT_TRUE(conn.Exec("INSERT INTO conv VALUES (?, ?, ?, ?)", {int64_t{7}, -0.125, std::string("门牌 3"), std::string("x")}).ok());
  auto describe = [](const sql::Row& row) {
    std::string out;
    for (size_t i = 0; i < 4; ++i)
      out += std::to_string(row.IsNull(i)) + "|" + std::to_string(row.Int(i)) + "|" + std::to_string(row.Real(i)) + "|" +
             row.Text(i) + ";";
    return out;
  };
  const std::string q = "SELECT i, r, t, n FROM conv ORDER BY i";
  auto whole = conn.Exec(q);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  std::vector<std::string> stored, in_place;
  for (const auto& row : whole->rows) stored.push_back(describe(row));
  ASSERT_TRUE(conn.ForEach(q, {}, [&](const sql::Row& row) { in_place.push_back(describe(row)); }).ok());
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(in_place, stored);
  EXPECT_EQ(stored[0].substr(0, stored[0].find(';')), "0|-42|-42.000000|-42");
  EXPECT_EQ(stored[0].substr(stored[0].rfind(';', stored[0].size() - 2) + 1), "1|0|0.000000|;");
}

// A snapshot sees the database as it was at its first read, whatever other connections commit
// meanwhile, and the next one sees their writes. (PostgreSQL's plain BEGIN would see the insert at
// once: read committed takes a snapshot per statement.)
TEST_P(StoreContract, ASnapshotSeesOneStateOfTheDatabaseUntilItEnds) {
  store_.reset();
  auto a = OpenConnection(), b = OpenConnection();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->ExecScript("CREATE TABLE snap (k INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE((*a)->Exec("INSERT INTO snap VALUES (1)").ok());
  auto count = [](sql::Connection& c) {
    auto r = c.Exec("SELECT count(*) FROM snap");
    return r.ok() && r->rows.size() == 1 ? r->rows[0].Int(0) : int64_t{-1};
  };
  {
    sql::Transaction tx(**a, /*write=*/false);
    ASSERT_TRUE(tx.BeginSnapshot().ok());
    EXPECT_EQ(count(**a), 1);
    ASSERT_TRUE((*b)->Exec("INSERT INTO snap VALUES (2)").ok());
    EXPECT_EQ(count(**b), 2);
    EXPECT_EQ(count(**a), 1);
    EXPECT_FALSE((*a)->Exec("INSERT INTO snap VALUES (3)").ok());  // read-only (SQLite: its snapshot is stale)
  }
  EXPECT_EQ(count(**a), 2);
  sql::Transaction write(**a, /*write=*/true);
  EXPECT_FALSE(write.BeginSnapshot().ok());
}

// Statements pipelined in a snapshot answer each in order and leave no transaction behind; one that
// fails fails them all, and the connection goes on as if nothing had been sent.
TEST_P(StoreContract, StatementsPipelinedInASnapshotAnswerTogetherOrFailTogether) {
  store_.reset();
  auto a = OpenConnection();
  ASSERT_TRUE(a.ok());
  auto& c = **a;
  ASSERT_TRUE(c.ExecScript("CREATE TABLE snap (k INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE(c.Exec("INSERT INTO snap VALUES (1), (2)").ok());
  auto rs = sql::PipelineInSnapshot(c, {{"SELECT count(*) FROM snap", {}}, {"SELECT k FROM snap WHERE k > ?", {int64_t{1}}}});
  ASSERT_EQ(rs.size(), 2u);
  ASSERT_TRUE(rs[0].ok() && rs[1].ok()) << rs[0].status().ToString() << rs[1].status().ToString();
  EXPECT_EQ(rs[0]->rows.at(0).Int(0), 2);
  ASSERT_EQ(rs[1]->rows.size(), 1u);
  EXPECT_EQ(rs[1]->rows[0].Int(0), 2);
  EXPECT_TRUE(c.Exec("INSERT INTO snap VALUES (3)").ok());  // no read-only transaction left open
  auto failed = sql::PipelineInSnapshot(c, {{"SELECT count(*) FROM snap", {}}, {"SELECT k FROM nowhere", {}}});
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_FALSE(failed[0].ok());
  EXPECT_FALSE(failed[1].ok());
  EXPECT_TRUE(c.healthy());
  EXPECT_TRUE(c.Exec("INSERT INTO snap VALUES (4)").ok());  // neither an aborted transaction nor a read-only one
  auto n = c.Exec("SELECT count(*) FROM snap");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->rows.at(0).Int(0), 4);
}

// A double sent as a parameter comes back as the same double (PostgreSQL gets parameters as
// text): coordinates with every digit, the smallest and largest magnitudes.
TEST_P(StoreContract, RealParametersReadBackExactly) {
  store_.reset();
  auto c = OpenConnection();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto& conn = **c;
  ASSERT_TRUE(conn.ExecScript("CREATE TABLE reals (k BIGINT, r DOUBLE PRECISION)").ok());
  const std::vector<double> values{114.36549912345678, 36.6 + 1e-13, 0.1 + 0.2, 5e-324, 2.2250738585072014e-308,
                                   1.7976931348623157e308, -123456789.98765432, 1.0 / 3};
  for (size_t i = 0; i < values.size(); ++i)
    ASSERT_TRUE(conn.Exec("INSERT INTO reals VALUES (?, ?)", {static_cast<int64_t>(i), values[i]}).ok());
  auto r = conn.Exec("SELECT r FROM reals ORDER BY k");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(r->rows[i].Real(0), values[i]) << i;
  // The comparison happens in the database too: a point found by the value it was stored with.
  auto found = conn.Exec("SELECT k FROM reals WHERE r = ?", {values[0]});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->rows.size(), 1u);
  EXPECT_EQ(found->rows[0].Int(0), 0);
}

// What a signed-in request reads: the credential, its account and the account's roles in order,
// without the password hash; nothing for an unknown token or once the credential is deleted.
TEST_P(StoreContract, ASignedInTokenReadsItsAccountAndRoles) {
  ImportFuxingSample();
  Account a;
  a.login = "slq.dispatch";
  a.name = "胜利桥";
  a.password_hash = "$argon2id$secret";
  a.created_at = 1000;
  a.grants = {RoleGrant{.role = Role::kTownshipDispatcher, .region_code = "130404001"}, RoleGrant{.role = Role::kAdmin}};
  auto added = store().InsertAccount(a, "test");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  Account bare = a;
  bare.login = "no.roles";
  bare.grants.clear();
  auto lone = store().InsertAccount(bare, "test");
  ASSERT_TRUE(lone.ok()) << lone.status().ToString();
  ASSERT_TRUE(store().InsertCredential({"hash-a", added->id, 1, "api", "nightly", 2000, 0}).ok());
  ASSERT_TRUE(store().InsertCredential({"hash-b", lone->id, 0, "session", "", 2000, 9000}).ok());

  auto in = store().GetSignedIn("hash-a");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_TRUE(in->has_value());
  const auto& got = **in;
  EXPECT_EQ(got.credential.account_id, added->id);
  EXPECT_EQ(got.credential.role_n, 1);
  EXPECT_EQ(got.credential.kind, "api");
  EXPECT_EQ(got.credential.name, "nightly");
  EXPECT_EQ(got.account.login, "slq.dispatch");
  EXPECT_EQ(got.account.name, "胜利桥");
  EXPECT_EQ(got.account.password_hash, "");
  EXPECT_FALSE(got.account.disabled);
  EXPECT_EQ(got.account.grants, a.grants);
  auto no_roles = *store().GetSignedIn("hash-b");
  ASSERT_TRUE(no_roles.has_value());
  EXPECT_EQ(no_roles->account.login, "no.roles");
  EXPECT_TRUE(no_roles->account.grants.empty());
  EXPECT_EQ(no_roles->credential.expires_at, 9000);
  EXPECT_FALSE(store().GetSignedIn("hash-unknown")->has_value());
  ASSERT_TRUE(store().DeleteCredential("hash-a").ok());
  EXPECT_FALSE(store().GetSignedIn("hash-a")->has_value());
}

TEST_P(StoreContract, ImportIsIdempotentAndUpdatesRenames) {
  ImportFuxingSample();
  EXPECT_EQ(*store().CountRegions(), 6);
  VectorSource again({{"130404", "复兴区", RegionLevel::kCounty, "1304"},
                      {"130404001", "胜利桥街道办事处", RegionLevel::kTownship, "130404"}});
  auto r = store().ImportRegions(again);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->read, 2u);
  EXPECT_EQ(r->written, 1u);
  EXPECT_EQ(r->unchanged, 1u);
  EXPECT_EQ(*store().CountRegions(), 6);
  EXPECT_EQ((*store().GetRegion("130404001"))->name, "胜利桥街道办事处");
}

TEST_P(StoreContract, FailedSourceWritesNothing) {
  VectorSource bad({{"130404", "复兴区", RegionLevel::kCounty, "1304"}}, Status::Invalid("line 9", "broken"));
  auto r = store().ImportRegions(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "line 9");
  EXPECT_EQ(*store().CountRegions(), 0);
}

TEST_P(StoreContract, LargeImportInBatches) {
  std::vector<Region> rows;
  for (int t = 1; t <= 20; ++t) {
    char tc[16];
    std::snprintf(tc, sizeof tc, "130404%03d", t);
    rows.push_back({tc, "镇" + std::to_string(t), RegionLevel::kTownship, "130404"});
    for (int v = 1; v <= 100; ++v) {
      char vc[16];
      std::snprintf(vc, sizeof vc, "%s%03d", tc, v);
      rows.push_back({vc, "村" + std::to_string(v), RegionLevel::kVillage, tc});
    }
  }
  rows.push_back(rows[5]);  // a repeated row inside the same batch is not an error
  VectorSource src(rows);
  auto r = store().ImportRegions(src);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*store().CountRegions(), 2020);
  EXPECT_EQ(store().RegionsUnder("130404007", RegionLevel::kVillage)->size(), 100u);
  EXPECT_EQ(store().ChildRegions("130404")->size(), 20u);
}

TEST_P(StoreContract, RegionTreeQueries) {
  ImportFuxingSample();
  auto kids = store().ChildRegions("130404001");
  ASSERT_TRUE(kids.ok());
  ASSERT_EQ(kids->size(), 2u);
  EXPECT_EQ((*kids)[0].code, "130404001008");
  EXPECT_EQ((*kids)[1].code, "130404001017");
  EXPECT_EQ(store().RegionsUnder("130404", RegionLevel::kVillage)->size(), 3u);
  EXPECT_EQ(store().RegionsUnder("130404002", RegionLevel::kVillage)->size(), 1u);
  EXPECT_FALSE(store().GetRegion("999999")->has_value());
  auto r = store().GetRegion("130404");
  EXPECT_EQ((*r)->level, RegionLevel::kCounty);
  EXPECT_EQ((*r)->parent_code, "1304");
}

TEST_P(StoreContract, UnitsCrudAndFilters) {
  ImportFuxingSample();
  Unit a{0, UnitKind::kDepartment, "城管局", "130404", "0310-1", 0};
  Unit b{0, UnitKind::kPartyOrg, "街道党工委", "130404001", "", 0};
  auto ia = store().InsertUnit(a);
  auto ib = store().InsertUnit(b);
  ASSERT_TRUE(ia.ok() && ib.ok());
  EXPECT_NE(ia->id, ib->id);
  EXPECT_EQ(ia->created_at, clock_.Now());
  EXPECT_EQ(store().ListUnits({.under = "130404"})->size(), 2u);
  EXPECT_EQ(store().ListUnits({.under = "130404001"})->size(), 1u);
  EXPECT_EQ(store().ListUnits({.region_code = "130404"})->size(), 1u);
  EXPECT_EQ(store().ListUnits({.kind = UnitKind::kPartyOrg})->at(0).name, "街道党工委");
  EXPECT_EQ(store().ListUnits({.limit = 1, .offset = 1})->at(0).id, ib->id);
  Unit changed = *ia;
  changed.name = "城市管理综合行政执法局";
  EXPECT_TRUE(store().UpdateUnit(changed).ok());
  EXPECT_EQ((*store().GetUnit(ia->id))->name, "城市管理综合行政执法局");
  EXPECT_TRUE(store().DeleteUnit(ia->id).ok());
  EXPECT_EQ(store().DeleteUnit(ia->id).code(), ErrorCode::kNotFound);
  changed.id = 999999;
  EXPECT_EQ(store().UpdateUnit(changed).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store().GetUnit(ia->id)->has_value());
}

TEST_P(StoreContract, GridsUpsertListDeleteAndVersion) {
  ImportFuxingSample();
  int64_t v0 = *store().GridsVersion();
  ASSERT_TRUE(store().UpsertGrids({MakeGrid("130404001008001", 114.3), MakeGrid("130404001008002", 114.31),
                                   MakeGrid("130404002001001", 114.4)})
                  .ok());
  int64_t v1 = *store().GridsVersion();
  EXPECT_GT(v1, v0);
  EXPECT_EQ(store().ListGrids("")->size(), 3u);
  EXPECT_EQ(store().ListGrids("130404001")->size(), 2u);
  auto g = store().GetGrid("130404001008002");
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->community_code, "130404001008");
  EXPECT_DOUBLE_EQ((*g)->min_lng, 114.31);
  // Upsert replaces by code.
  Grid renamed = MakeGrid("130404001008002", 114.32);
  renamed.name = "新名字";
  renamed.synthetic = true;
  ASSERT_TRUE(store().UpsertGrids({renamed}).ok());
  EXPECT_EQ((*store().GetGrid("130404001008002"))->name, "新名字");
  EXPECT_TRUE((*store().GetGrid("130404001008002"))->synthetic);
  EXPECT_EQ(store().ListGrids("")->size(), 3u);
  EXPECT_GT(*store().GridsVersion(), v1);
  EXPECT_TRUE(store().DeleteGrid("130404002001001").ok());
  EXPECT_EQ(store().DeleteGrid("130404002001001").code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().ListGrids("")->size(), 2u);
}

TEST_P(StoreContract, NamesOfManyRegionsUnitsWorkersAndCategoriesAtOnce) {
  ImportFuxingSample();
  ASSERT_TRUE(store().UpsertGrids({MakeGrid("130404001008001", 114.3)}).ok());
  auto unit = store().InsertUnit({0, UnitKind::kDepartment, "城管执法局", "130404", "", 0});
  ASSERT_TRUE(unit.ok());
  GridWorker w;
  w.name = "王芳";
  w.grid_codes = {"130404001008001"};
  auto worker = store().InsertWorker(w);
  ASSERT_TRUE(worker.ok());
  using Names = std::unordered_map<std::string, std::string>;
  EXPECT_EQ(*store().NamesOf(Store::NameKind::kRegion, {"130404001008", "130404", "999999"}),
            (Names{{"130404001008", "三丰园社区居民委员会"}, {"130404", "复兴区"}}));
  // More keys than one statement takes: every chunk is read.
  std::vector<std::string> many;
  for (int i = 0; i < 1200; ++i) many.push_back(std::to_string(1'000'000 + i));
  many.push_back(std::to_string(unit->id));
  EXPECT_EQ(*store().NamesOf(Store::NameKind::kUnit, many), (Names{{std::to_string(unit->id), "城管执法局"}}));
  many.back() = std::to_string(worker->id);
  EXPECT_EQ(*store().NamesOf(Store::NameKind::kWorker, many), (Names{{std::to_string(worker->id), "王芳"}}));
  EXPECT_TRUE(store().NamesOf(Store::NameKind::kUnit, {})->empty());
  EXPECT_EQ(store().NamesOf(Store::NameKind::kWorker, {"12x"}).status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store().cases().UpsertCategories({{"01", "市容环境", "", Urgency::kNormal, 60, 600},
                                                {"0101", "暴露垃圾", "01", Urgency::kNormal, 60, 450}})
                  .ok());
  EXPECT_EQ(*store().NamesOf(Store::NameKind::kCategory, {"0101", "01", "99"}),
            (Names{{"0101", "暴露垃圾"}, {"01", "市容环境"}}));
}

TEST_P(StoreContract, WorkersAndAssignments) {
  ImportFuxingSample();
  ASSERT_TRUE(store().UpsertGrids({MakeGrid("130404001008001", 114.3), MakeGrid("130404001008002", 114.31),
                                   MakeGrid("130404002001001", 114.4)})
                  .ok());
  GridWorker w;
  w.name = "王芳";
  w.phone = "13800000000";
  w.capacity = 5;
  w.grid_codes = {"130404001008002", "130404001008001"};
  auto iw = store().InsertWorker(w);
  ASSERT_TRUE(iw.ok()) << iw.status().ToString();
  auto got = store().GetWorker(iw->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->grid_codes, (std::vector<std::string>{"130404001008001", "130404001008002"}));

  GridWorker ghost = w;
  ghost.grid_codes = {"130404001008001", "130404001008099"};
  auto bad = store().InsertWorker(ghost);
  EXPECT_EQ(bad.status().field(), "grids[1]");
  EXPECT_EQ(store().ListWorkers({})->size(), 1u);  // the failed insert left nothing behind

  EXPECT_EQ(store().ListWorkers({.grid_code = "130404001008001"})->size(), 1u);
  EXPECT_EQ(store().ListWorkers({.grid_code = "130404002001001"})->size(), 0u);
  EXPECT_EQ(store().ListWorkers({.under = "130404001"})->size(), 1u);
  EXPECT_EQ(store().ListWorkers({.under = "130404002"})->size(), 0u);

  GridWorker moved = **got;
  moved.grid_codes = {"130404002001001"};
  moved.active = false;
  ASSERT_TRUE(store().UpdateWorker(moved).ok());
  auto after = *store().GetWorker(iw->id);
  EXPECT_EQ(after->grid_codes, std::vector<std::string>{"130404002001001"});
  EXPECT_FALSE(after->active);
  // A page of several workers carries each one's own grids, also when a filter skips the one between.
  GridWorker second = w, third = w;
  second.name = "王五", second.grid_codes = {"130404001008002"};
  third.name = "赵六", third.grid_codes = {"130404001008001", "130404002001001"};
  auto iw2 = store().InsertWorker(second);
  auto iw3 = store().InsertWorker(third);
  ASSERT_TRUE(iw2.ok() && iw3.ok());
  auto page = *store().ListWorkers({.under = "130404002"});
  ASSERT_EQ(page.size(), 2u);  // the first (moved there) and the third, not the second
  EXPECT_EQ(page[0].grid_codes, std::vector<std::string>{"130404002001001"});
  EXPECT_EQ(page[1].name, "赵六");
  EXPECT_EQ(page[1].grid_codes, (std::vector<std::string>{"130404001008001", "130404002001001"}));
  EXPECT_EQ(store().ListWorkers({})->at(1).grid_codes, std::vector<std::string>{"130404001008002"});
  ASSERT_TRUE(store().DeleteWorker(iw2->id).ok());
  ASSERT_TRUE(store().DeleteWorker(iw3->id).ok());

  // Deleting a grid removes the assignment, not the worker.
  ASSERT_TRUE(store().DeleteGrid("130404002001001").ok());
  EXPECT_TRUE((*store().GetWorker(iw->id))->grid_codes.empty());
  EXPECT_TRUE(store().DeleteWorker(iw->id).ok());
  EXPECT_EQ(store().DeleteWorker(iw->id).code(), ErrorCode::kNotFound);
}

TEST_P(StoreContract, ConcurrentWritersLoseNothing) {
  ImportFuxingSample();
  std::vector<std::thread> ts;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Unit u{0, UnitKind::kDepartment, "u" + std::to_string(t) + "-" + std::to_string(i), "130404", "", 0};
        if (!store().InsertUnit(u).ok()) failures++;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store().ListUnits({.limit = 1000})->size(), 100u);
}

TEST_P(StoreContract, DataSurvivesReopenAndMigrationsRunOnce) {
  ImportFuxingSample();
  Reopen();
  EXPECT_EQ(*store().CountRegions(), 6);
}

TEST_P(StoreContract, NewerSchemaIsRefused) {
  store_.reset();
  {
    auto c = OpenConnection();
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        {int64_t{999}, std::string("9999_future"), int64_t{0}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto s = OpenStore(target_, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kConflict);
  EXPECT_NE(s.status().message().find("newer than this gongzhi binary"), std::string::npos) << s.status().message();
}


// --- the case store ---

std::string TestHash(const CaseEvent& e) {
  return e.prev_hash.substr(0, 8) + "|" + std::to_string(e.case_id) + ":" + std::to_string(e.seq) + ":" + e.action;
}

CaseRecord NewCase(const std::string& code, InstantMs at) {
  CaseRecord c;
  c.tracking_code = code;
  c.version = 1;
  c.category_code = "0101";
  c.description = "垃圾";
  c.lng = 114.4, c.lat = 36.6;
  c.region_code = "130404001008";
  c.township_code = "130404001";
  c.created_at = c.updated_at = at;
  return c;
}

CaseEvent Ev(const std::string& action, InstantMs at) {
  CaseEvent e;
  e.at = at;
  e.actor = "system";
  e.action = action;
  e.payload = "{}";
  return e;
}

TEST_P(StoreContract, CaseInsertUpdateAndOptimisticVersion) {
  auto& cs = store().cases();
  auto id = cs.InsertCase(NewCase("AAAA00000001", 1000), Ev("report", 1000), TestHash, std::nullopt);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto c = *cs.GetCase(*id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->lng, 114.4);
  EXPECT_EQ(c->facts.state, CaseState::kReported);
  EXPECT_EQ((*cs.GetCaseByTracking("AAAA00000001"))->id, *id);
  CaseRecord next = *c;
  next.facts.state = CaseState::kAccepted;
  next.unit_id = 7;
  ASSERT_TRUE(cs.UpdateCase(next, 1, {Ev("accept", 2000)}, TestHash, 5000).ok());
  auto stale = cs.UpdateCase(next, 1, {Ev("accept", 2001)}, TestHash, std::nullopt);
  EXPECT_EQ(stale.code(), ErrorCode::kConflict);
  EXPECT_EQ(stale.field(), "version");
  auto after = *cs.GetCase(*id);
  EXPECT_EQ(after->version, 2);
  EXPECT_EQ(after->unit_id, 7);
  auto events = *cs.ListEvents(*id);
  ASSERT_EQ(events.size(), 2u);  // the stale update appended nothing
  EXPECT_EQ(events[1].seq, 2);
  EXPECT_EQ(events[1].prev_hash, events[0].hash);
  EXPECT_EQ(*cs.DueCaseIds(4999, 10), std::vector<int64_t>{});
  EXPECT_EQ(*cs.DueCaseIds(5000, 10), std::vector<int64_t>{*id});
  EXPECT_FALSE(cs.InsertCase(NewCase("AAAA00000001", 1), Ev("report", 1), TestHash, std::nullopt).ok());  // unique code
}

// Units and workers that rules or cases name are kept (figures and the audit trail come from
// them): deletion is refused with the reason and changes nothing.
TEST_P(StoreContract, UnitsAndWorkersInUseAreNotDeleted) {
  ImportFuxingSample();
  ASSERT_TRUE(store().UpsertGrids({MakeGrid("130404001008001", 114.3)}).ok());
  auto& cs = store().cases();
  auto routed = *store().InsertUnit({0, UnitKind::kDepartment, "城管执法", "130404", "", 0});
  auto handled = *store().InsertUnit({0, UnitKind::kDepartment, "派出所", "130404001", "", 0});
  auto idle = *store().InsertUnit({0, UnitKind::kDepartment, "司法所", "130404001", "", 0});
  ASSERT_TRUE(cs.UpsertCategories({{"01", "市容环境", "", Urgency::kNormal, 60, 600}}).ok());
  auto rule = cs.InsertRule({0, "01", "130404", routed.id});
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  GridWorker w;
  w.name = "王芳";
  w.grid_codes = {"130404001008001"};
  auto busy = *store().InsertWorker(w);
  auto free = *store().InsertWorker(w);
  CaseRecord c = NewCase("USED00000001", 1);
  c.unit_id = handled.id;
  c.worker_id = busy.id;
  ASSERT_TRUE(cs.InsertCase(c, Ev("report", 1), TestHash, std::nullopt).ok());

  auto r1 = store().DeleteUnit(routed.id);
  EXPECT_EQ(r1.code(), ErrorCode::kConflict);
  EXPECT_NE(r1.message().find("responsibility list"), std::string::npos) << r1.message();
  auto r2 = store().DeleteUnit(handled.id);
  EXPECT_EQ(r2.code(), ErrorCode::kConflict);
  EXPECT_NE(r2.message().find("1 cases"), std::string::npos) << r2.message();
  auto r3 = store().DeleteWorker(busy.id);
  EXPECT_EQ(r3.code(), ErrorCode::kConflict);
  EXPECT_NE(r3.message().find("inactive"), std::string::npos) << r3.message();
  EXPECT_TRUE(store().GetUnit(routed.id)->has_value());
  EXPECT_TRUE(store().GetUnit(handled.id)->has_value());
  EXPECT_TRUE(store().GetWorker(busy.id)->has_value());
  // Once the rule is gone the unit may go; unused ones go at once.
  ASSERT_TRUE(cs.DeleteRule(rule->id).ok());
  EXPECT_TRUE(store().DeleteUnit(routed.id).ok());
  EXPECT_TRUE(store().DeleteUnit(idle.id).ok());
  EXPECT_TRUE(store().DeleteWorker(free.id).ok());
}

// Two servers on one database (PostgreSQL nodes take case ids from the sequence in blocks) give
// every case its own id, each server's in the order it took them.
TEST_P(StoreContract, CaseIdsStayDistinctAcrossServersOfOneDatabase) {
  auto other = OpenStore(target_, clock_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::map<int64_t, std::string> described;
  std::vector<int64_t> last(2, 0);
  for (int i = 0; i < 80; ++i) {
    const int which = (i % 10 == 9) ? 1 : 0;  // mostly the first, now and then the second
    CaseRecord c = NewCase("", 1000 + i);
    c.description = "case " + std::to_string(i);
    auto& cs = which ? (*other)->cases() : store().cases();
    auto id = cs.InsertCase(c, Ev("report", 1000 + i), TestHash, std::nullopt);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_GT(*id, last[which]) << "ids of one server go up";
    last[which] = *id;
    EXPECT_TRUE(described.emplace(*id, c.description).second) << "id " << *id << " given twice";
  }
  for (const auto& [id, description] : described) {
    auto got = store().cases().GetCase(id);
    ASSERT_TRUE(got.ok() && got->has_value()) << id;
    EXPECT_EQ((*got)->description, description);
    // Each event is chained under the id its case got, whichever server wrote it (a store that
    // takes ids ahead of its writer must chain again when it has to change one).
    auto events = store().cases().ListEvents(id);
    ASSERT_TRUE(events.ok() && events->size() == 1u) << id;
    EXPECT_EQ((*events)[0].case_id, id);
    EXPECT_EQ((*events)[0].hash, TestHash((*events)[0])) << id;
  }
  // A report's duplicate look-up names each case by the id it got, with its own description.
  auto lookup = std::make_shared<CaseStore::Lookup>();
  lookup->query = {.category = "0101", .lng = 114.4, .lat = 36.6, .radius_m = 200, .limit = 100};
  ASSERT_TRUE(store().cases().InsertCase(NewCase("", 2000), Ev("report", 2000), TestHash, std::nullopt, lookup).ok());
  EXPECT_GE(lookup->found.size(), 72u);  // at least the first server's own
  for (const auto& c : lookup->found) {
    ASSERT_TRUE(described.count(c.id)) << "no case " << c.id;
    EXPECT_EQ(c.description, described[c.id]) << c.id;
  }
}

TEST_P(StoreContract, AReportThatFailsIsNoOnesDuplicateCandidate) {
  auto& cs = store().cases();
  auto report = [&](const std::string& code, InstantMs at) {
    auto lookup = std::make_shared<CaseStore::Lookup>();
    lookup->query = {.category = "0101", .lng = 114.4, .lat = 36.6, .radius_m = 200};
    auto id = cs.InsertCase(NewCase(code, at), Ev("report", at), TestHash, std::nullopt, lookup);
    std::vector<int64_t> found;
    for (const auto& c : lookup->found) found.push_back(c.id);
    return std::pair{id, found};
  };
  auto [first, none] = report("SAME00000001", 1000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(none.empty());
  // The same tracking code again: refused by the database, after its duplicate look-up ran (a
  // store that enters a report in its duplicate index before writing it must take it out again).
  EXPECT_FALSE(report("SAME00000001", 1100).first.ok());
  auto [third, candidates] = report("", 1200);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(candidates, std::vector<int64_t>{*first});
  auto open = cs.FindNearbyOpen({.category = "0101", .lng = 114.4, .lat = 36.6, .radius_m = 200});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id + (*open)[1].id, *first + *third);
}

TEST_P(StoreContract, CasesWithoutACodeGetOneFromTheirIdThatFindsThemAgain) {
  auto& cs = store().cases();
  // A case stored with a code of its own (written before codes were derived) keeps it.
  ASSERT_TRUE(cs.InsertCase(NewCase("AAAA00000001", 1000), Ev("report", 1000), TestHash, std::nullopt).ok());
  std::vector<CaseStore::Inserted> made;
  for (int i = 0; i < 3; ++i) {
    std::promise<Result<CaseStore::Inserted>> p;
    cs.InsertCaseAsync(NewCase("", 2000 + i), Ev("report", 2000 + i), TestHash, std::nullopt, nullptr,
                       [&p](Result<CaseStore::Inserted> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    made.push_back(*r);
  }
  std::set<std::string> codes{"AAAA00000001"};
  for (const auto& m : made) {
    EXPECT_EQ(m.tracking_code.size(), 12u);
    EXPECT_TRUE(codes.insert(m.tracking_code).second) << m.tracking_code;
    auto found = cs.GetCaseByTracking(m.tracking_code);
    ASSERT_TRUE(found.ok() && found->has_value()) << m.tracking_code;
    EXPECT_EQ((*found)->id, m.id);
    EXPECT_EQ((*found)->tracking_code, m.tracking_code);  // reads give the same code
    EXPECT_EQ((*cs.GetCase(m.id))->tracking_code, m.tracking_code);
    // As typed by a resident: lower case, in groups.
    std::string typed;
    for (size_t i = 0; i < 12; ++i) typed += std::string(i && i % 4 == 0 ? "-" : "") + char(std::tolower(m.tracking_code[i]));
    EXPECT_EQ((*cs.GetCaseByTracking(typed))->id, m.id) << typed;
    // The tracking page's read finds the same case, with its events.
    auto bundle = cs.GetCaseBundleByTracking(typed);
    ASSERT_TRUE(bundle.ok() && bundle->has_value()) << typed;
    EXPECT_EQ((*bundle)->record.id, m.id);
    EXPECT_EQ((*bundle)->record.tracking_code, m.tracking_code);
    ASSERT_EQ((*bundle)->events.size(), 1u);
    EXPECT_EQ((*bundle)->events[0].action, "report");
  }
  EXPECT_EQ((*cs.GetCaseByTracking("aaaa-0000-0001"))->tracking_code, "AAAA00000001");
  EXPECT_EQ((*cs.GetCaseBundleByTracking("aaaa-0000-0001"))->record.tracking_code, "AAAA00000001");
  // Updates keep the code.
  auto c = **cs.GetCase(made[0].id);
  c.facts.state = CaseState::kAccepted;
  ASSERT_TRUE(cs.UpdateCase(c, c.version, {Ev("accept", 3000)}, TestHash, std::nullopt).ok());
  EXPECT_EQ((*cs.GetCaseByTracking(made[0].tracking_code))->facts.state, CaseState::kAccepted);
  // What the column holds is not a code anyone can track by, nor is any near miss.
  for (const std::string& bad : {std::string("~") + "000000000000000" + std::to_string(made[0].id),
                                 made[0].tracking_code.substr(0, 11), std::string("AAAA0000000U")}) {
    auto r = cs.GetCaseByTracking(bad);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value()) << bad;
    auto b = cs.GetCaseBundleByTracking(bad);
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(b->has_value()) << bad;
  }
  std::string typo = made[1].tracking_code;
  typo[5] = typo[5] == 'Z' ? 'Y' : 'Z';
  EXPECT_FALSE(cs.GetCaseByTracking(typo)->has_value());
  EXPECT_FALSE(cs.GetCaseBundleByTracking(typo)->has_value());
  // Codes survive a restart, and a second node on the database derives the same ones.
  Reopen();
  EXPECT_EQ((*store().cases().GetCaseByTracking(made[2].tracking_code))->id, made[2].id);
  auto other = OpenStore(target_, clock_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*(*other)->cases().GetCase(made[2].id))->tracking_code, made[2].tracking_code);
}

TEST_P(StoreContract, ReporterContactsAreSealedAtRestAndOnlyOneKeyIsAccepted) {
  ContactKey k1{}, k2{};
  k1.fill(1), k2.fill(2);
  // A case written before sealing existed (no cipher): plaintext, sealed when a key is adopted.
  CaseRecord old = NewCase("AAAA00000001", 1000);
  old.reporter_name = "张三丰", old.reporter_phone = "13912345678";
  ASSERT_TRUE(store().cases().InsertCase(old, Ev("report", 1000), TestHash, std::nullopt).ok());
  store_.reset();
  auto opened = OpenStore(target_, clock_, 4, std::make_shared<const ContactCipher>(k1));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store_ = std::move(*opened);
  CaseRecord fresh = NewCase("AAAA00000002", 2000);
  fresh.reporter_name = "李四", fresh.reporter_phone = "13800001111";
  auto id = store().cases().InsertCase(fresh, Ev("report", 2000), TestHash, std::nullopt);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ((*store().cases().GetCase(*id))->reporter_phone, "13800001111");
  EXPECT_EQ((*store().cases().GetCaseByTracking("AAAA00000001"))->reporter_name, "张三丰");
  ASSERT_TRUE(store().cases().RecordContactView({0, *id, "dispatcher:130404001", "slq.dispatch", "回访", 3000}).ok());
  auto views = *store().cases().ListContactViews(*id);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].account, "slq.dispatch");
  EXPECT_EQ(views[0].reason, "回访");
  store_.reset();
  {  // What the database holds: sealed values, no plaintext.
    auto c = OpenConnection();
    ASSERT_TRUE(c.ok());
    auto r = (*c)->Exec("SELECT reporter_name, reporter_phone FROM cases ORDER BY id");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->rows.size(), 2u);
    for (const auto& row : r->rows)
      for (size_t i = 0; i < 2; ++i) {
        EXPECT_TRUE(ContactCipher::IsSealed(row.Text(i))) << row.Text(i);
        for (const char* plain : {"张三", "李四", "1391234", "1380000"}) EXPECT_EQ(row.Text(i).find(plain), std::string::npos);
      }
  }
  // Another key is refused before anything is written with it.
  auto wrong = OpenStore(target_, clock_, 4, std::make_shared<const ContactCipher>(k2));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().field(), "key_file");
  Reopen();  // without a cipher: sealed values stay sealed, nothing is lost
  EXPECT_TRUE(ContactCipher::IsSealed((*store().cases().GetCase(*id))->reporter_phone));
}

TEST_P(StoreContract, FailedSignInsAreCountedAcrossNodesAndLockForTheWindow) {
  const InstantMs T = 1'795'000'000'000;     // instants as they are (beyond 32 bits)
  auto other = OpenStore(target_, clock_);  // a second node on the same database
  ASSERT_TRUE(other.ok());
  const std::string key = "login:slq.dispatch";
  // Two failures on this node and one on the other reach the limit of 3: locked for the window.
  ASSERT_TRUE(store().CountLoginFailure(key, T + 1000, 60'000, 3).ok());
  ASSERT_TRUE((*other)->CountLoginFailure(key, T + 1001, 60'000, 3).ok());
  EXPECT_EQ(*store().LoginLockedUntil({key}, T + 1002), 0);
  ASSERT_TRUE(store().CountLoginFailure(key, T + 1002, 60'000, 3).ok());
  EXPECT_EQ(*(*other)->LoginLockedUntil({"addr:10.0.0.1", key}, T + 1003), T + 61'002);
  EXPECT_EQ(*store().LoginLockedUntil({key}, T + 61'003), 0) << "the lock ends with the window";
  // A failure after the window starts a new count.
  ASSERT_TRUE(store().CountLoginFailure(key, T + 70'000, 60'000, 3).ok());
  EXPECT_EQ(*store().LoginLockedUntil({key}, T + 70'001), 0);
  // Pruning (before = now - window) forgets windows that have passed, not the ones running or
  // locks in force; a success forgets the key.
  ASSERT_TRUE(store().CountLoginFailure("addr:10.0.0.9", T + 100'000, 60'000, 1).ok());  // locked to 160'000
  EXPECT_EQ(*store().PruneLoginFailures(T + 69'999), 0);
  EXPECT_EQ(*store().PruneLoginFailures(T + 150'000), 1);
  EXPECT_EQ(*store().PruneLoginFailures(T + 200'000), 1);
  ASSERT_TRUE(store().CountLoginFailure(key, T + 300'000, 60'000, 1).ok());
  EXPECT_GT(*store().LoginLockedUntil({key}, T + 300'001), 0);
  ASSERT_TRUE(store().ForgetLoginFailures(key).ok());
  EXPECT_EQ(*store().LoginLockedUntil({key}, T + 300'001), 0);
}

TEST_P(StoreContract, CaseListFiltersAndCursor) {
  auto& cs = store().cases();
  for (int i = 0; i < 7; ++i) {
    CaseRecord c = NewCase("CODE0000000" + std::to_string(i), 1000 + i);
    if (i % 2) c.region_code = "130404002001", c.township_code = "130404002", c.category_code = "22";
    ASSERT_TRUE(cs.InsertCase(c, Ev("report", 1000 + i), TestHash, std::nullopt).ok());
  }
  EXPECT_EQ(cs.ListCases({.region = "130404001"})->size(), 4u);
  EXPECT_EQ(cs.ListCases({.category = "22"})->size(), 3u);
  EXPECT_EQ(cs.ListCases({.state = CaseState::kReported, .created_from = 1003})->size(), 4u);
  // A state in a township and in a community (SQLite walks the township's entries for both).
  EXPECT_EQ(cs.ListCases({.state = CaseState::kReported, .region = "130404002"})->size(), 3u);
  EXPECT_EQ(cs.ListCases({.state = CaseState::kReported, .region = "130404001008"})->size(), 4u);
  EXPECT_TRUE(cs.ListCases({.state = CaseState::kClosed, .region = "130404002001"})->empty());
  // A county (SQLite sorts the ids of its townships' entries): pages, a category, an empty county.
  auto county = *cs.ListCases({.region = "130404", .limit = 4});
  ASSERT_EQ(county.size(), 4u);
  EXPECT_EQ(county[0].created_at, 1006);
  EXPECT_EQ(county[3].created_at, 1003);
  EXPECT_EQ(cs.ListCases({.region = "130404", .after_id = county.back().id, .limit = 4})->size(), 3u);
  EXPECT_EQ(cs.ListCases({.category = "22", .region = "130404"})->size(), 3u);
  EXPECT_TRUE(cs.ListCases({.region = "130405"})->empty());
  // Above a county: a city or province with cases, and one without.
  EXPECT_EQ(cs.ListCases({.region = "1304"})->size(), 7u);
  EXPECT_EQ(cs.ListCases({.category = "22", .region = "13"})->size(), 3u);
  EXPECT_EQ(cs.ListCases({.region = "13", .after_id = county.back().id, .limit = 4})->size(), 3u);
  EXPECT_TRUE(cs.ListCases({.region = "1305"})->empty());
  EXPECT_TRUE(cs.ListCases({.region = "999"})->empty());
  // A period's pages: newest first, whole rows, the cursor past the first page.
  auto period = [&](int64_t after) {
    std::vector<std::pair<int64_t, std::string>> out;
    auto page = cs.ListCases({.created_from = 1001, .created_to = 1006, .after_id = after, .limit = 3});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& c : *page) out.emplace_back(c.created_at, c.region_code);
    return out;
  };
  using Page = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(period(0), (Page{{1005, "130404002001"}, {1004, "130404001008"}, {1003, "130404002001"}}));
  auto first = *cs.ListCases({.created_from = 1001, .created_to = 1006, .limit = 3});
  EXPECT_EQ(period(first.back().id), (Page{{1002, "130404001008"}, {1001, "130404002001"}}));
  auto page1 = *cs.ListCases({.limit = 3});
  ASSERT_EQ(page1.size(), 3u);
  EXPECT_GT(page1[0].id, page1[1].id);  // newest first
  auto page2 = *cs.ListCases({.after_id = page1.back().id, .limit = 3});
  ASSERT_EQ(page2.size(), 3u);
  EXPECT_LT(page2[0].id, page1.back().id);
  CaseFilter box;
  box.bbox = std::array<double, 4>{114.39, 114.41, 36.59, 36.61};
  EXPECT_EQ(cs.ListCases(box)->size(), 7u);
  box.bbox = std::array<double, 4>{110, 111, 30, 31};
  EXPECT_EQ(cs.ListCases(box)->size(), 0u);
  int n = 0;
  ASSERT_TRUE(cs.ForEachEvent([&](const CaseEvent&, const std::string&) { return ++n < 100; }).ok());
  EXPECT_EQ(n, 7);
  EXPECT_EQ(*cs.CountCases(), 7);
}

// The whole history in (case, seq) order, each event once, in pages of 5,000 events: the first
// page ends inside a case's events, the next must go on within that case.
TEST_P(StoreContract, EveryEventOnceInOrderAcrossPages) {
  auto& cs = store().cases();
  auto a = *cs.InsertCase(NewCase("PAGE00000001", 1), Ev("report", 1), TestHash, std::nullopt);
  std::vector<CaseEvent> many;
  for (int i = 0; i < 5'002; ++i) many.push_back(Ev("note", 2 + i));
  ASSERT_TRUE(cs.UpdateCase(**cs.GetCase(a), 1, many, TestHash, std::nullopt, {}).ok());
  auto b = *cs.InsertCase(NewCase("PAGE00000002", 9'000), Ev("report", 9'000), TestHash, std::nullopt);
  ASSERT_TRUE(cs.UpdateCase(**cs.GetCase(b), 1, {Ev("note", 9'001), Ev("note", 9'002)}, TestHash, std::nullopt, {}).ok());
  std::vector<std::pair<int64_t, int64_t>> seen;
  ASSERT_TRUE(cs.ForEachEvent([&](const CaseEvent& e, const std::string&) {
                  seen.emplace_back(e.case_id, e.seq);
                  return true;
                }).ok());
  std::vector<std::pair<int64_t, int64_t>> want;
  for (int64_t seq = 1; seq <= 5'003; ++seq) want.emplace_back(a, seq);
  for (int64_t seq = 1; seq <= 3; ++seq) want.emplace_back(b, seq);
  EXPECT_EQ(seen, want);
}

// Duplicate candidates: open cases of the category within the radius and window, nearest first;
// seen by a report in the same transaction as its insert; gone once closed or re-classified; the
// same after a restart (SQLite answers from memory, PostgreSQL from an index).
TEST_P(StoreContract, DuplicateCandidatesAreOpenCasesOfTheCategoryNearby) {
  auto& cs = store().cases();
  const double m = 1.0 / 111320.0;  // a metre of latitude in degrees
  auto at = [&](const std::string& code, double north_m, InstantMs t, const std::string& cat = "0101") {
    CaseRecord c = NewCase(code, t);
    c.lat = 36.6 + north_m * m;
    c.category_code = cat;
    return c;
  };
  auto near = [&](InstantMs from, int64_t exclude = 0) {
    std::vector<int64_t> ids;
    auto r = cs.FindNearbyOpen({.category = "0101", .lng = 114.4, .lat = 36.6, .radius_m = 200,
                                .created_from = from, .exclude_id = exclude});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok())
      for (const auto& c : *r) ids.push_back(c.id);
    return ids;
  };
  int64_t far = *cs.InsertCase(at("NEAR00000001", 150, 1000), Ev("report", 1000), TestHash, std::nullopt);
  int64_t close = *cs.InsertCase(at("NEAR00000002", 20, 1100), Ev("report", 1100), TestHash, std::nullopt);
  int64_t other_kind = *cs.InsertCase(at("NEAR00000003", 5, 1200, "0202"), Ev("report", 1200), TestHash, std::nullopt);
  int64_t beyond = *cs.InsertCase(at("NEAR00000004", 450, 1300), Ev("report", 1300), TestHash, std::nullopt);
  (void)other_kind, (void)beyond;
  EXPECT_EQ(near(0), (std::vector<int64_t>{close, far}));
  EXPECT_EQ(near(1050), std::vector<int64_t>{close});  // window
  EXPECT_EQ(near(0, close), std::vector<int64_t>{far});
  auto got = *cs.FindNearbyOpen({.category = "0101", .lng = 114.4, .lat = 36.6, .radius_m = 200, .limit = 1});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].description, "垃圾");
  EXPECT_EQ(got[0].created_at, 1100);

  // A report's look-up runs in its insert's transaction: it sees the cases written before it.
  auto lookup = std::make_shared<CaseStore::Lookup>();
  lookup->query = {.category = "0101", .lng = 114.4, .lat = 36.6 + 30 * m, .radius_m = 200};
  int64_t fifth = *cs.InsertCase(at("NEAR00000005", 30, 1400), Ev("report", 1400), TestHash, std::nullopt, lookup);
  ASSERT_EQ(lookup->found.size(), 2u);
  EXPECT_EQ(lookup->found[0].id, close);  // 10 m from the fifth
  EXPECT_EQ(lookup->found[0].description, "垃圾");
  EXPECT_EQ(lookup->found[0].facts.state, CaseState::kReported);
  EXPECT_EQ(lookup->found[0].created_at, 1100);
  EXPECT_EQ(near(0), (std::vector<int64_t>{close, fifth, far}));

  // Closed or re-classified: no longer a candidate.
  CaseRecord c = **cs.GetCase(close);
  c.facts.state = CaseState::kRejected;
  ASSERT_TRUE(cs.UpdateCase(c, 1, {Ev("reject", 2000)}, TestHash, std::nullopt).ok());
  CaseRecord f = **cs.GetCase(far);
  f.category_code = "0202";
  f.facts.state = CaseState::kAccepted;
  ASSERT_TRUE(cs.UpdateCase(f, 1, {Ev("accept", 2000)}, TestHash, std::nullopt).ok());
  EXPECT_EQ(near(0), std::vector<int64_t>{fifth});
  EXPECT_EQ(cs.FindNearbyOpen({.category = "0202", .lng = 114.4, .lat = 36.6, .radius_m = 200})->size(), 2u);
  Reopen();
  EXPECT_EQ(store().cases().FindNearbyOpen({.category = "0101", .lng = 114.4, .lat = 36.6, .radius_m = 200})->size(), 1u);
  EXPECT_EQ(store().cases().FindNearbyOpen({.category = "0202", .lng = 114.4, .lat = 36.6, .radius_m = 200})->size(), 2u);

  // Many open cases (more than one page of the start-up read) are all found after a restart.
  std::vector<CaseStore::ImportedCase> many(5003);
  for (size_t i = 0; i < many.size(); ++i) {
    many[i].record = at("MANY" + std::to_string(100000000 + i), 1.0 * (i % 50), 3000);
    many[i].record.category_code = "0303";
    many[i].events = {Ev("report", 3000)};
  }
  ASSERT_TRUE(store().cases().ImportCases(std::move(many), TestHash, {}).ok());
  Reopen();
  EXPECT_EQ(store().cases().FindNearbyOpen({.category = "0303", .lng = 114.4, .lat = 36.6, .radius_m = 100, .limit = 6000})->size(),
            5003u);

  // In a crowded neighbourhood the nearest are found, however many others are in the radius and
  // in whatever order they were written.
  std::vector<CaseStore::ImportedCase> crowd(700);
  for (size_t i = 0; i < crowd.size(); ++i) {
    crowd[i].record = at("CROWD" + std::to_string(10000000 + i), 20.0 + 0.2 * static_cast<double>(i % 500), 3000, "0404");
    crowd[i].events = {Ev("report", 3000)};
  }
  crowd[650].record.lat = 36.6 + 3 * m;  // written late, nearest
  crowd[690].record.lat = 36.6 - 5 * m;
  ASSERT_TRUE(store().cases().ImportCases(std::move(crowd), TestHash, {}).ok());
  auto nearest = *store().cases().FindNearbyOpen({.category = "0404", .lng = 114.4, .lat = 36.6, .radius_m = 200, .limit = 3});
  ASSERT_EQ(nearest.size(), 3u);
  EXPECT_NEAR(*nearest[0].lat, 36.6 + 3 * m, 1e-9);
  EXPECT_NEAR(*nearest[1].lat, 36.6 - 5 * m, 1e-9);
  EXPECT_NEAR(*nearest[2].lat, 36.6 + 20 * m, 1e-9);
}

// An import asked for in steps is one transaction: every step's cases are written, in order, or
// none of them when a later step fails, whether the step itself fails to come or a case of it
// cannot be written (the write job then runs again, and asks for the steps again from the first).
TEST_P(StoreContract, AnImportInStepsIsWrittenWholeOrNotAtAll) {
  auto& cs = store().cases();
  auto steps_of = [](std::vector<std::vector<std::string>> codes, std::optional<size_t> fail_at) {
    return [codes, fail_at](size_t i, std::vector<CaseStore::ImportedCase>& step) -> Result<bool> {
      if (fail_at && i == *fail_at) return Status::Invalid("line 9", "a row the importer refused late");
      for (const auto& code : codes.at(i)) {
        CaseStore::ImportedCase ic;
        ic.record = NewCase(code, 1000);
        ic.events = {Ev("report", 1000)};
        step.push_back(std::move(ic));
      }
      return i + 1 < codes.size();
    };
  };
  ASSERT_TRUE(cs.ImportCasesInSteps(steps_of({{"STEPA0000001", "STEPA0000002"}, {"STEPA0000003"}, {"STEPA0000004"}},
                                             std::nullopt),
                                    TestHash, {})
                  .ok());
  EXPECT_EQ(*cs.CountCases(), 4);
  auto listed = *cs.ListCases({.limit = 10});
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[0].tracking_code, "STEPA0000004");  // ids in the order the steps gave them
  EXPECT_EQ(listed[3].tracking_code, "STEPA0000001");
  // The third step does not come: the first two are not written either.
  Status late = cs.ImportCasesInSteps(steps_of({{"STEPB0000001"}, {"STEPB0000002"}, {"STEPB0000003"}}, 2), TestHash, {});
  EXPECT_EQ(late.field(), "line 9");
  EXPECT_EQ(*cs.CountCases(), 4);
  // A case of the second step repeats a tracking code already stored: nothing of the first is kept.
  EXPECT_FALSE(cs.ImportCasesInSteps(steps_of({{"STEPC0000001"}, {"STEPA0000001"}}, std::nullopt), TestHash, {}).ok());
  EXPECT_EQ(*cs.CountCases(), 4);
  EXPECT_FALSE(*cs.GetCaseByTracking("STEPC0000001"));
}

TEST_P(StoreContract, FeedFollowsCommittedEventsOnly) {
  auto& cs = store().cases();
  EXPECT_EQ(*cs.FeedBounds(), (std::pair<int64_t, int64_t>{0, 0}));
  auto id = *cs.InsertCase(NewCase("FEED00000001", 1000), Ev("report", 1000), TestHash, std::nullopt);
  auto c = **cs.GetCase(id);
  c.unit_id = 7;
  c.facts.state = CaseState::kDispatched;
  CaseEvent dispatch = Ev("dispatch", 2000), summon = Ev("summon", 2000);
  dispatch.to_state = "dispatched";
  summon.units = {8, 9};
  ASSERT_TRUE(cs.UpdateCase(c, 1, {dispatch, summon}, TestHash, std::nullopt).ok());
  EXPECT_FALSE(cs.UpdateCase(c, 1, {Ev("claim", 2500)}, TestHash, std::nullopt).ok());  // stale: no entry
  auto feed = *cs.ReadFeed(0, 0, 10);
  ASSERT_EQ(feed.size(), 3u);
  EXPECT_EQ(feed[0].action, "report");
  EXPECT_FALSE(feed[0].unit_id);
  EXPECT_EQ(feed[1].action, "dispatch");
  EXPECT_EQ(feed[1].unit_id, 7);
  EXPECT_EQ(feed[1].to_state, "dispatched");
  EXPECT_EQ(feed[1].region_code, "130404001008");
  EXPECT_EQ(feed[2].seq, 3);
  EXPECT_EQ(feed[2].units, (std::vector<int64_t>{8, 9}));
  EXPECT_LT(feed[0].id, feed[1].id);
  EXPECT_LT(feed[1].id, feed[2].id);
  EXPECT_EQ(cs.ReadFeed(feed[0].id, feed[1].id, 10)->size(), 1u);  // (after, through]
  EXPECT_EQ(cs.ReadFeed(0, 0, 2)->size(), 2u);
  EXPECT_EQ(*cs.FeedBounds(), (std::pair<int64_t, int64_t>{feed[0].id, feed[2].id}));
  EXPECT_EQ(*cs.PruneFeed(1500), 1);
  EXPECT_EQ(cs.FeedBounds()->first, feed[1].id);
}

TEST_P(StoreContract, OneProcessLeadsThePeriodicJobs) {
  EXPECT_TRUE(store().HoldsLead());
  EXPECT_TRUE(store().HoldsLead());  // and keeps it
  auto second = OpenStore(target_, clock_);
  ASSERT_TRUE(second.ok());
  if (GetParam() == "sqlite") {
    EXPECT_TRUE((*second)->HoldsLead());  // an embedded database has one process: it always leads
    return;
  }
  EXPECT_FALSE((*second)->HoldsLead());
  store_.reset();  // the leader goes away, its session with it
  // The server ends the session (and releases the lock) a moment after the client closes it; the
  // servers ask every 2 s, this asks every 50 ms for up to 5 s.
  bool took = false;
  for (int i = 0; i < 100 && !took; ++i) {
    took = (*second)->HoldsLead();
    if (!took) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(took);
}

// Servers name their PostgreSQL sessions, so that a tool that must run alone (`rollup rebuild`) can
// see them: leading or not. An embedded database has none to show (its file's locks tell).
TEST_P(StoreContract, ServerSessionsAreSeenByOtherProcesses) {
  auto none = store().ServerSessions();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());  // this test's own sessions are not a server's
  if (GetParam() != "postgres") return;
  sql::SetPostgresApplicationName(sql::kServerApplicationName);
  auto server = OpenConnection();
  sql::SetPostgresApplicationName("gongzhi");
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto seen = store().ServerSessions();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_TRUE(seen->front().starts_with("pid ")) << seen->front();
  server->reset();  // the server's session ends (its backend leaves pg_stat_activity shortly after)
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = store().ServerSessions()->empty();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone);
}

// Servers hold a shared database shared, a rebuild of the assessment exclusively: a rebuild is
// refused while any server runs (named or not), and a server started during a rebuild neither
// claims nor leads until the rebuild's process has gone.
TEST_P(StoreContract, ServersAndARebuildOfTheAssessmentKeepApart) {
  auto open = [&] {
    auto s = OpenStore(target_, clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  };
  // Until the sessions of those that ended are gone.
  auto eventually = [](auto ask) {
    for (int i = 0; i < 100; ++i) {
      auto r = ask();
      if (!r.ok() || *r) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ask();
  };
  auto a = open(), b = open(), rebuild = open();
  ASSERT_TRUE(*a->ClaimServing());
  ASSERT_TRUE(*b->ClaimServing());  // servers together
  EXPECT_TRUE(*a->ClaimServing());  // asked again: still held
  EXPECT_EQ(a->ClaimRebuild().status().code(), ErrorCode::kInternal);  // one process, not both
  EXPECT_FALSE(*rebuild->ClaimRebuild());
  a.reset();
  EXPECT_FALSE(*rebuild->ClaimRebuild()) << "one server still runs";
  b.reset();
  ASSERT_TRUE(*eventually([&] { return rebuild->ClaimRebuild(); }));
  auto late = open();
  EXPECT_FALSE(*late->ClaimServing());
  EXPECT_FALSE(late->HoldsLead()) << "no lead without the claim";
  rebuild.reset();
  ASSERT_TRUE(*eventually([&] { return late->ClaimServing(); }));
  EXPECT_TRUE(late->HoldsLead()) << "it leads once it has claimed";
  auto again = open();
  EXPECT_FALSE(*again->ClaimRebuild()) << "the late server holds it now";
}

// A server whose sessions all ended (the database restarted) writes again only under the claim:
// a rebuild that took the database in between keeps it to itself until it ends, instead of
// having its steps crossed by the server's writes until the server's next lead check.
TEST_P(StoreContract, AServerThatLostItsSessionsWritesOnlyUnderTheClaim) {
  if (GetParam() != "postgres") GTEST_SKIP() << "an embedded database: its file's locks tell";
  store_.reset();
  auto open = [&] {
    auto s = OpenStore(target_, clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  };
  auto insert = [](Store& s, const std::string& code, InstantMs at) {
    return s.cases().InsertCase(NewCase(code, at), Ev("report", at), TestHash, std::nullopt);
  };
  auto server = open();
  ASSERT_TRUE(*server->ClaimServing());
  ASSERT_TRUE(insert(*server, "LOST00000001", 1000).ok());
  {
    auto admin = OpenConnection();
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    ASSERT_TRUE((*admin)
                    ->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
                    .ok());
  }
  auto rebuild = open();
  bool claimed = false;
  for (int i = 0; i < 100 && !claimed; ++i) {
    auto r = rebuild->ClaimRebuild();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    claimed = *r;
    if (!claimed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(claimed) << "the server's sessions have ended";
  auto refused = insert(*server, "LOST00000002", 2000);
  ASSERT_FALSE(refused.ok()) << "a write beside the rebuild";
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("rebuild"), std::string::npos) << refused.status().ToString();
  rebuild.reset();
  Result<int64_t> resumed = Status::Unavailable("not tried");
  for (int i = 0; i < 100 && !resumed.ok(); ++i) {
    resumed = insert(*server, "LOST00000003", 3000);
    if (!resumed.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  // Its writer holds the claim again, even before its lead session has claimed anew.
  auto another = open();
  EXPECT_FALSE(*another->ClaimRebuild());
}

// An embedded database can be rewritten without its free pages, keeping every row; PostgreSQL
// reuses its own.
TEST_P(StoreContract, VacuumGivesBackFreePagesAndKeepsTheData) {
  ImportFuxingSample();
  auto before = store().ChildRegions("130404");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  auto sizes = store().Vacuum();
  if (GetParam() == "postgres") {
    EXPECT_EQ(sizes.status().code(), ErrorCode::kInvalidArgument);
    return;
  }
  ASSERT_TRUE(sizes.ok()) << sizes.status().ToString();
  EXPECT_GT(sizes->after, 0);
  EXPECT_LE(sizes->after, sizes->before);
  auto after = store().ChildRegions("130404");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size());
  EXPECT_FALSE(after->empty());
}

TEST_P(StoreContract, CaseSideWritesAreAtomicAndIdempotent) {
  ImportFuxingSample();
  auto unit = store().InsertUnit({0, UnitKind::kDepartment, "派出所", "130404001", "", 0});
  auto other = store().InsertUnit({0, UnitKind::kDepartment, "司法所", "130404001", "", 0});
  auto& cs = store().cases();
  auto id = *cs.InsertCase(NewCase("SIDE00000001", 1), Ev("report", 1), TestHash, std::nullopt);
  auto c = **cs.GetCase(id);
  SupervisionRecord sup{0, id, "response", 7, std::nullopt, "130404", 500, 600};
  CaseSideWrites side;
  side.supervisions = {sup, sup};  // the same deadline twice: recorded once
  side.new_summons = {{id, unit->id, false, 10, 20, 0, ""}};
  ASSERT_TRUE(cs.UpdateCase(c, 1, {Ev("overdue", 600)}, TestHash, std::nullopt, side).ok());
  EXPECT_EQ(cs.ListSupervisions("1304", 10)->size(), 1u);         // addressed to the district
  EXPECT_EQ(cs.ListSupervisions("130404001", 10)->size(), 1u);    // about a case in this township
  EXPECT_EQ(cs.ListSupervisions("130404002", 10)->size(), 0u);    // neither
  // Summoning the same unit again fails, and takes the event and the other unit with it.
  CaseSideWrites again;
  again.new_summons = {{id, other->id, false, 30, 40, 0, ""}, {id, unit->id, false, 30, 40, 0, ""}};
  auto s = cs.UpdateCase(c, 2, {Ev("summon", 30)}, TestHash, std::nullopt, again);
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_EQ(cs.ListSummons(id)->size(), 1u);
  EXPECT_EQ(cs.ListEvents(id)->size(), 2u);
  EXPECT_EQ((*cs.GetCase(id))->version, 2);
  CaseSideWrites ack;
  ack.acknowledge = Summons{id, unit->id, false, 0, 0, 15, "到场"};
  ASSERT_TRUE(cs.UpdateCase(c, 2, {Ev("acknowledge", 15)}, TestHash, std::nullopt, ack).ok());
  EXPECT_EQ(cs.ListSummons(id)->at(0).acked_at, 15);
  EXPECT_EQ(cs.UpdateCase(c, 3, {Ev("acknowledge", 16)}, TestHash, std::nullopt, ack).code(), ErrorCode::kConflict);
}

TEST_P(StoreContract, ACaseBundleHoldsWhatItsViewShows) {
  ImportFuxingSample();
  auto unit = store().InsertUnit({0, UnitKind::kDepartment, "派出所", "130404001", "", 0});
  auto other = store().InsertUnit({0, UnitKind::kDepartment, "司法所", "130404001", "", 0});
  auto& cs = store().cases();
  auto master = *cs.InsertCase(NewCase("", 1), Ev("report", 1), TestHash, std::nullopt);
  auto a = *cs.InsertCase(NewCase("", 2), Ev("report", 2), TestHash, std::nullopt);
  auto b = *cs.InsertCase(NewCase("", 3), Ev("report", 3), TestHash, std::nullopt);
  auto lone = *cs.InsertCase(NewCase("", 4), Ev("report", 4), TestHash, std::nullopt);
  for (int64_t dup : {a, b}) {
    auto d = **cs.GetCase(dup);
    d.merged_into = master;
    d.facts.state = CaseState::kMerged;
    ASSERT_TRUE(cs.UpdateCase(d, 1, {Ev("merge", 10)}, TestHash, std::nullopt).ok());
  }
  auto m = **cs.GetCase(master);
  CaseSideWrites side;
  side.new_summons = {{master, other->id, false, 20, 30, 0, ""}, {master, unit->id, true, 20, 30, 0, ""}};
  ASSERT_TRUE(cs.UpdateCase(m, 1, {Ev("summon", 20)}, TestHash, std::nullopt, side).ok());
  CaseSideWrites photo;
  photo.photo = PhotoRecord{master, std::string(64, 'b'), "image/png", 1234, "handling", "unit:1", 25};
  ASSERT_TRUE(cs.UpdateCase(m, 2, {Ev("photo", 25)}, TestHash, std::nullopt, photo).ok());

  auto bundle = cs.GetCaseBundle(master);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  ASSERT_TRUE(bundle->has_value());
  const auto& got = **bundle;
  EXPECT_EQ(got.record.id, master);
  EXPECT_EQ(got.record.version, 3);
  EXPECT_EQ(got.record.tracking_code, (*cs.GetCase(master))->tracking_code);
  ASSERT_EQ(got.events.size(), 3u);  // in order, with their chain
  EXPECT_EQ(got.events[0].action, "report");
  EXPECT_EQ(got.events[1].action, "summon");
  EXPECT_EQ(got.events[2].action, "photo");
  EXPECT_EQ(got.events[2].prev_hash, got.events[1].hash);
  ASSERT_EQ(got.summons.size(), 2u);  // the lead first, as ListSummons gives them
  EXPECT_EQ(got.summons[0].unit_id, unit->id);
  EXPECT_TRUE(got.summons[0].lead);
  EXPECT_EQ(got.summons[1].unit_id, other->id);
  EXPECT_EQ(got.merged, (std::vector<int64_t>{b, a}));  // newest first
  ASSERT_EQ(got.photos.size(), 1u);
  EXPECT_EQ(got.photos[0].sha256, std::string(64, 'b'));
  EXPECT_EQ(got.photos[0].bytes, 1234);

  auto plain = **cs.GetCaseBundle(lone);
  EXPECT_EQ(plain.events.size(), 1u);
  EXPECT_TRUE(plain.summons.empty() && plain.merged.empty() && plain.photos.empty());
  auto missing = cs.GetCaseBundle(lone + 1000);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// A case view read while the case changes shows one state of it: the row's version, its events and
// its photos agree. (On PostgreSQL the parts are separate statements; read committed would let an
// action that commits between them show version N with the events or photos of N+1.)
TEST_P(StoreContract, ACaseBundleReadDuringWritesShowsOneStateOfTheCase) {
  auto& cs = store().cases();
  const auto id = *cs.InsertCase(NewCase("", 1), Ev("report", 1), TestHash, std::nullopt);
  const auto other = *cs.InsertCase(NewCase("", 2), Ev("report", 2), TestHash, std::nullopt);
  std::atomic<bool> done{false};
  std::string write_error;
  std::thread writer([&] {
    // Each update adds one event; in the second half every other one a photo too (a view of a case
    // with photos reads more parts).
    for (int i = 1; i <= 400 && write_error.empty(); ++i) {
      auto c = cs.GetCase(id);
      if (!c.ok() || !c->has_value()) {
        write_error = "case gone";
        break;
      }
      CaseSideWrites side;
      if (i > 200 && i % 2 == 0) {
        std::string sha = std::to_string(i);
        side.photo = PhotoRecord{id, sha + std::string(64 - sha.size(), 'a'), "image/png", i, "handling", "unit:1", 10 + i};
      }
      auto s = cs.UpdateCase(**c, (*c)->version, {Ev("note", 10 + i)}, TestHash, std::nullopt, side);
      if (!s.ok()) write_error = s.ToString();
    }
    done = true;
  });
  int reads = 0, torn = 0;
  std::string first_torn;
  while (!done) {
    for (int64_t case_id : {id, other}) {
      auto b = cs.GetCaseBundle(case_id);
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      ASSERT_TRUE(b->has_value());
      const auto& got = **b;
      ++reads;
      const int64_t v = got.record.version;  // version 1 and one event at intake; one more of each per update
      const int64_t photos = v - 1 > 200 ? (v - 1 - 200) / 2 : 0;
      const bool agree = static_cast<int64_t>(got.events.size()) == v &&
                         static_cast<int64_t>(got.photos.size()) == photos &&
                         (got.events.empty() || got.events.back().seq == v);
      if (!agree && torn++ == 0)
        first_torn = "version " + std::to_string(v) + " with " + std::to_string(got.events.size()) + " events and " +
                     std::to_string(got.photos.size()) + " photos";
    }
  }
  writer.join();
  EXPECT_EQ(write_error, "");
  EXPECT_GT(reads, 50);
  EXPECT_EQ(torn, 0) << torn << " of " << reads << " views mixed two states of the case, the first: " << first_torn;
  const auto last = **cs.GetCaseBundle(id);
  EXPECT_EQ(last.record.version, 401);
  EXPECT_EQ(last.events.size(), 401u);
  EXPECT_EQ(last.photos.size(), 100u);
}

TEST_P(StoreContract, DashboardCountsGroupSortAndFilter) {
  ImportFuxingSample();
  auto& cs = store().cases();
  constexpr InstantMs kDay = 86'400'000, d0 = 1'795'000'000'000 / kDay * kDay;  // a UTC midnight
  auto add = [&](const std::string& category, const std::string& region, InstantMs at) {
    CaseRecord c = NewCase("", at);
    c.category_code = category;
    c.region_code = region;
    c.township_code = region.substr(0, 9);
    ASSERT_TRUE(cs.InsertCase(c, Ev("report", at), TestHash, std::nullopt).ok());
  };
  for (int i = 0; i < 3; ++i) add("0101", "130404001008", d0 + kDay + i);
  for (int i = 0; i < 2; ++i) add("0201", "130404001008", d0 + i);
  for (int i = 0; i < 4; ++i) add("0102", "130404001009", d0 + 2 * kDay + i);
  add("0301", "130404002001", d0 + 3);
  add("0501", "130404001008", d0 + 3 * kDay);
  add("0401", "130404001008", d0 + 10 * kDay);  // after the period
  using Rows = std::vector<std::pair<std::string, int64_t>>;
  // Largest count first, ties (0301 and 0501) in key order.
  EXPECT_EQ(*cs.CountCasesBy("category", "", d0, d0 + 5 * kDay),
            (Rows{{"0102", 4}, {"0101", 3}, {"0201", 2}, {"0301", 1}, {"0501", 1}}));
  EXPECT_EQ(*cs.CountCasesBy("township", "", d0, d0 + 5 * kDay), (Rows{{"130404001", 10}, {"130404002", 1}}));
  EXPECT_EQ(*cs.CountCasesBy("community", "130404001", d0, d0 + 5 * kDay),
            (Rows{{"130404001008", 6}, {"130404001009", 4}}));
  // Days (local, UTC+8) in day order; a UTC midnight is 08:00 of the same local day.
  const int64_t day0 = (d0 + 28'800'000) / kDay;
  EXPECT_EQ(*cs.CountCasesBy("day", "", d0, d0 + 5 * kDay),
            (Rows{{std::to_string(day0), 3}, {std::to_string(day0 + 1), 3}, {std::to_string(day0 + 2), 4},
                  {std::to_string(day0 + 3), 1}}));
  EXPECT_TRUE(cs.CountCasesBy("category", "1305", d0, d0 + 5 * kDay)->empty());
  EXPECT_EQ(cs.CountCasesBy("colour", "", d0, d0 + kDay).status().field(), "by");
}

TEST_P(StoreContract, AssessmentFactsAndRollupsAddUpAndRebuild) {
  ImportFuxingSample();
  auto& cs = store().cases();
  auto id = *cs.InsertCase(NewCase("FACT00000001", 1), Ev("report", 1), TestHash, std::nullopt);
  auto c = **cs.GetCase(id);
  // Noon of two days (UTC+8): 2026-11-27 and 2026-11-30.
  const InstantMs fri = LocalMidnight(DayFromYmd(2026, 11, 27)) + 12 * 3'600'000LL;
  const InstantMs mon = LocalMidnight(DayFromYmd(2026, 11, 30)) + 12 * 3'600'000LL;
  CaseFact f;
  f.case_id = id;
  f.n = 1;
  f.unit_id = 7;
  f.region_code = "130404001008";
  f.category_code = "0101";
  f.dispatched_at = fri;
  f.response_due = fri + 3'600'000;
  f.handling_due = mon;
  CaseSideWrites w1;
  w1.facts = {f};
  AddContribution(f, +1, w1.rollup);
  ASSERT_TRUE(cs.UpdateCase(c, 1, {Ev("dispatch", fri)}, TestHash, std::nullopt, w1).ok());
  CaseFact g = f;
  g.claimed_at = fri + 60'000;
  g.resolved_at = mon - 60'000;
  g.handling_minutes = 500;
  auto diff = DiffFacts({f}, {g});
  CaseSideWrites w2;
  w2.facts = diff.facts;
  w2.rollup = diff.deltas;
  ASSERT_TRUE(cs.UpdateCase(c, 2, {Ev("resolve", mon)}, TestHash, std::nullopt, w2).ok());
  ASSERT_EQ(*cs.ListFacts(id), std::vector<CaseFact>{g});

  AssessmentScope all{DayFromYmd(2026, 11, 1), DayFromYmd(2026, 11, 30)};
  auto total = cs.SumRollups(all, RollupGroup::kNone);
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  ASSERT_EQ(total->size(), 1u);
  const RollupCounts& t = total->at(0).second;
  EXPECT_EQ(t.dispatched, 1);
  EXPECT_EQ(t.responded_on_time, 1);
  EXPECT_EQ(t.due, 1);
  EXPECT_EQ(t.on_time, 1);
  EXPECT_EQ(t.resolved, 1);
  EXPECT_EQ(t.handling_minutes, 500);
  auto by_day = *cs.SumRollups(all, RollupGroup::kDay);
  ASSERT_EQ(by_day.size(), 2u);  // Friday: dispatch; Monday: due and resolved
  EXPECT_EQ(by_day[0].first, std::to_string(DayFromYmd(2026, 11, 27)));
  EXPECT_EQ(by_day[1].second.resolved, 1);
  auto by_township = *cs.SumRollups(all, RollupGroup::kTownship);
  ASSERT_EQ(by_township.size(), 1u);
  EXPECT_EQ(by_township[0].first, "130404001");
  // Categories in the county (the county × category sums) and in the township (the fine roll-ups).
  for (const std::string region : {"", "130404", "130404001"}) {
    AssessmentScope in = all;
    in.region_prefix = region;
    auto by_category = *cs.SumRollups(in, RollupGroup::kCategory);
    ASSERT_EQ(by_category.size(), 1u) << region;
    EXPECT_EQ(by_category[0].first, "0101");
    EXPECT_EQ(by_category[0].second.dispatched, 1);
    EXPECT_EQ(by_category[0].second.handling_minutes, 500);
  }
  AssessmentScope county_elsewhere = all;
  county_elsewhere.region_prefix = "130402";
  EXPECT_TRUE(cs.SumRollups(county_elsewhere, RollupGroup::kCategory)->empty());
  AssessmentScope elsewhere = all;
  elsewhere.region_prefix = "130404002";
  EXPECT_EQ(cs.SumRollups(elsewhere, RollupGroup::kNone)->at(0).second.dispatched, 0);
  AssessmentScope friday{DayFromYmd(2026, 11, 27), DayFromYmd(2026, 11, 27)};
  friday.unit_id = 7;
  EXPECT_EQ(cs.FactsIn(friday, 10)->size(), 1u);
  EXPECT_TRUE(cs.FactsIn(friday, 10, {id, 1})->empty());  // paged past it
  friday.unit_id = 8;
  EXPECT_TRUE(cs.FactsIn(friday, 10)->empty());
  // Late 报到 come from the summons: due Friday, never acknowledged by Monday.
  auto unit = store().InsertUnit({0, UnitKind::kDepartment, "派出所", "130404001", "", 0});
  CaseSideWrites summon;
  summon.new_summons = {{id, unit->id, false, fri, fri + 1'800'000, 0, ""}};
  ASSERT_TRUE(cs.UpdateCase(c, 3, {Ev("summon", fri)}, TestHash, std::nullopt, summon).ok());
  auto late = cs.CountLateAcks(all, mon, true);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ(late->at(0), (std::pair<std::string, int64_t>{std::to_string(unit->id), 1}));
  EXPECT_EQ(cs.CountLateAcks(all, fri, false)->at(0).second, 0);  // not late yet at the moment of the summons
  EXPECT_EQ(cs.CountLateAcks(elsewhere, mon, false)->at(0).second, 0);
  // A rebuild clears everything and marks itself under way; its steps add up; its end lifts the mark.
  EXPECT_FALSE(*cs.AssessmentRebuildUnderWay());
  ASSERT_TRUE(cs.ClearAssessment().ok());
  EXPECT_TRUE(*cs.AssessmentRebuildUnderWay());
  EXPECT_TRUE(cs.ListFacts(id)->empty());
  EXPECT_EQ(cs.SumRollups(all, RollupGroup::kNone)->at(0).second.dispatched, 0);
  EXPECT_TRUE(cs.SumRollups(all, RollupGroup::kDay)->empty());
  RollupDeltas half;
  AddContribution(g, +1, half);
  ASSERT_TRUE(cs.AddAssessment({g}, half).ok());
  ASSERT_TRUE(cs.AddAssessment({}, half).ok());
  EXPECT_EQ(*cs.ListFacts(id), std::vector<CaseFact>{g});
  auto twice = cs.SumRollups(all, RollupGroup::kNone)->at(0).second;
  EXPECT_EQ(twice.dispatched, 2);
  EXPECT_EQ(twice.handling_minutes, 1000);
  EXPECT_EQ(cs.SumRollups(all, RollupGroup::kTownship)->at(0).second.resolved, 2);
  ASSERT_TRUE(cs.FinishAssessment().ok());
  EXPECT_FALSE(*cs.AssessmentRebuildUnderWay());
  EXPECT_EQ(cs.SumRollups(all, RollupGroup::kNone)->at(0).second.dispatched, 2);
}

TEST_P(StoreContract, MonthRollupsServeCommunitiesAndWorkersOverAnyPeriod) {
  ImportFuxingSample();
  auto& cs = store().cases();
  auto id = *cs.InsertCase(NewCase("MONTH0000001", 1), Ev("report", 1), TestHash, std::nullopt);
  auto noon = [](int y, int m, int d) { return LocalMidnight(DayFromYmd(y, m, d)) + 12 * 3'600'000LL; };
  // A unit's dispatch in one community in November (due and resolved on the 30th), a grid worker's
  // two in another in December and January.
  CaseFact a;
  a.case_id = id, a.n = 1, a.unit_id = 7, a.region_code = "130404001008", a.category_code = "0101";
  a.dispatched_at = noon(2026, 11, 27), a.handling_due = noon(2026, 11, 30), a.resolved_at = noon(2026, 11, 30);
  a.handling_minutes = 500;
  CaseFact b = a;
  b.n = 2, b.unit_id = 0, b.worker_id = 9, b.region_code = "130404001009";
  b.dispatched_at = noon(2026, 12, 15), b.handling_due = noon(2026, 12, 17), b.resolved_at = 0, b.handling_minutes = 0;
  CaseFact c = b;
  c.n = 3, c.dispatched_at = noon(2027, 1, 3), c.handling_due = noon(2027, 1, 5);
  RollupDeltas deltas;
  for (const auto* f : {&a, &b, &c}) AddContribution(*f, +1, deltas);
  ASSERT_TRUE(cs.AddAssessment({a, b, c}, deltas).ok());

  auto sum = [&](CivilDay from, CivilDay to, RollupGroup g, std::optional<int64_t> worker = std::nullopt,
                 const std::string& region = "", const std::string& category = "") {
    AssessmentScope scope{from, to};
    scope.worker_id = worker;
    scope.region_prefix = region;
    scope.category_prefix = category;
    AssessmentScope fine = scope;
    fine.fine = true;
    auto got = cs.SumRollups(scope, g);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == *cs.SumRollups(fine, g)) << FormatDate(from) << ".." << FormatDate(to);
    std::map<std::string, std::pair<int64_t, int64_t>> out;  // key: (dispatched, due)
    for (const auto& [k, counts] : *got) out[k] = {counts.dispatched, counts.due};
    return out;
  };
  using Got = std::map<std::string, std::pair<int64_t, int64_t>>;
  const CivilDay nov1 = DayFromYmd(2026, 11, 1), jan31 = DayFromYmd(2027, 1, 31);
  // Three whole months; then from the 28th of November (after a's dispatch, before its due day) to
  // the 10th of January (after c's dispatch, before the end of its month).
  EXPECT_EQ(sum(nov1, jan31, RollupGroup::kCommunity), (Got{{"130404001008", {1, 1}}, {"130404001009", {2, 2}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 11, 28), DayFromYmd(2027, 1, 4), RollupGroup::kCommunity),
            (Got{{"130404001008", {0, 1}}, {"130404001009", {2, 1}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 12, 16), jan31, RollupGroup::kWorker), (Got{{"9", {1, 2}}}));
  EXPECT_EQ(sum(nov1, jan31, RollupGroup::kWorker, std::nullopt, "130404001"), (Got{{"9", {2, 2}}}));
  EXPECT_TRUE(sum(nov1, jan31, RollupGroup::kWorker, std::nullopt, "130404002").empty());
  // The township, unit and category sums by month, with days around them.
  EXPECT_EQ(sum(nov1, jan31, RollupGroup::kNone), (Got{{"", {3, 3}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 11, 28), DayFromYmd(2027, 1, 4), RollupGroup::kCounty), (Got{{"130404", {2, 2}}}));
  EXPECT_EQ(sum(nov1, jan31, RollupGroup::kUnit), (Got{{"7", {1, 1}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 12, 1), DayFromYmd(2027, 1, 4), RollupGroup::kCategory), (Got{{"0101", {2, 1}}}));
  // One worker's figures over a year; one community's over a quarter.
  EXPECT_EQ(sum(DayFromYmd(2026, 1, 1), DayFromYmd(2026, 12, 31), RollupGroup::kNone, 9), (Got{{"", {1, 1}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 10, 1), DayFromYmd(2026, 12, 31), RollupGroup::kTownship, std::nullopt,
                "130404001008"),
            (Got{{"130404001", {1, 1}}}));
  // Communities in a category, and a township's categories, by month (a fourth dispatch, of
  // another category, by a unit, in December).
  CaseFact d = b;
  d.n = 4, d.unit_id = 7, d.worker_id = 0, d.category_code = "0202", d.dispatched_at = noon(2026, 12, 20), d.handling_due = noon(2026, 12, 22);
  RollupDeltas more;
  AddContribution(d, +1, more);
  ASSERT_TRUE(cs.AddAssessment({d}, more).ok());
  EXPECT_EQ(sum(nov1, jan31, RollupGroup::kCommunity, std::nullopt, "", "0101"),
            (Got{{"130404001008", {1, 1}}, {"130404001009", {2, 2}}}));
  EXPECT_EQ(sum(nov1, jan31, RollupGroup::kCommunity, std::nullopt, "", "02"), (Got{{"130404001009", {1, 1}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 12, 1), DayFromYmd(2027, 1, 4), RollupGroup::kCategory, std::nullopt, "130404001"),
            (Got{{"0101", {2, 1}}, {"0202", {1, 1}}}));
  EXPECT_EQ(sum(DayFromYmd(2026, 11, 28), jan31, RollupGroup::kNone, std::nullopt, "130404001009", "0101"),
            (Got{{"", {2, 2}}}));
  // What a dispatch moved to another day takes out of its month.
  CaseFact later = b;
  later.dispatched_at = noon(2027, 1, 20);
  auto diff = DiffFacts({b}, {later});
  ASSERT_TRUE(cs.AddAssessment(diff.facts, diff.deltas).ok());
  EXPECT_EQ(sum(DayFromYmd(2026, 12, 1), DayFromYmd(2026, 12, 31), RollupGroup::kWorker), (Got{{"9", {0, 1}}}));
  EXPECT_EQ(sum(DayFromYmd(2027, 1, 1), jan31, RollupGroup::kWorker), (Got{{"9", {2, 1}}}));
}

TEST_P(StoreContract, ConfigurationRoundTripsAndBumpsTheVersion) {
  ImportFuxingSample();
  auto& cs = store().cases();
  int64_t v0 = *cs.ConfigVersion();
  ASSERT_TRUE(cs.UpsertCategories({{"01", "市容环境", "", Urgency::kNormal, 60, 450, true},
                                   {"0101", "暴露垃圾", "01", Urgency::kNormal, 30, 450, true}})
                  .ok());
  EXPECT_GT(*cs.ConfigVersion(), v0);
  EXPECT_EQ(cs.ListCategories()->at(1).response_minutes, 30);
  auto unit = store().InsertUnit({0, UnitKind::kDepartment, "城管", "130404", "", 0});
  auto r = cs.InsertRule({0, "01", "130404", unit->id});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(cs.InsertRule({0, "01", "130404", unit->id}).status().code(), ErrorCode::kConflict);
  ASSERT_TRUE(cs.SetAdmission({"0101"}).ok());
  ASSERT_TRUE(cs.SetAdmission({"0101", "01"}).ok());
  EXPECT_EQ(cs.ListAdmission()->size(), 2u);
  ASSERT_TRUE(cs.UpsertCalendarDays({{"2026-10-01", "off", "国庆节"}, {"2026-10-10", "work", "国庆节"}}).ok());
  EXPECT_EQ(cs.ListCalendarDays()->size(), 2u);
  EXPECT_TRUE(cs.DeleteRule(r->id).ok());
  EXPECT_EQ(cs.DeleteRule(r->id).code(), ErrorCode::kNotFound);
}

TEST_P(StoreContract, GroupCommitUnderConcurrency) {
  auto& cs = store().cases();
  std::vector<std::thread> ts;
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<int64_t> derived;  // cases given no code (what intake does)
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        char code[16];
        std::snprintf(code, sizeof code, "GC%02d%08d", t, i);
        auto id = cs.InsertCase(NewCase(t % 2 ? code : "", i), Ev("report", i), EventHash, std::nullopt);
        if (!id.ok()) failures++;
        else if (t % 2 == 0) {
          std::lock_guard lock(mu);
          derived.push_back(*id);
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(*cs.CountCases(), 200);
  // Every case written side by side has a code of its own that finds it, and an intact chain.
  std::set<std::string> codes;
  for (int64_t id : derived) {
    const std::string code = (*cs.GetCase(id))->tracking_code;
    EXPECT_TRUE(codes.insert(code).second) << code;
    EXPECT_EQ((*cs.GetCaseByTracking(code))->id, id);
  }
  EXPECT_EQ(codes.size(), 100u);
  EXPECT_TRUE(VerifyAuditTrail(cs)->ok);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gongzhi
