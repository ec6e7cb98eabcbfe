#include "store/sql_store.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <unordered_map>

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/migrations.h"
#include "store/postgres/pg_connection.h"
#include "store/sql_case_store.h"
#include "store/sqlite/sqlite_connection.h"

namespace gongzhi {
namespace {

using sql::Value;

// Upper bound of a code-prefix range: every code starting with `p` is >= p and < p + ':'
// (':' sorts right after '9' in byte order, which the code columns use).
std::string PrefixEnd(const std::string& p) { return p + ":"; }

Region RegionFromRow(const sql::Row& r) {
  return Region{r.Text(0), r.Text(1), static_cast<RegionLevel>(r.Int(2)), r.Text(3)};
}

Unit UnitFromRow(const sql::Row& r) {
  Unit u;
  u.id = r.Int(0);
  u.kind = ParseUnitKind(r.Text(1)).value_or(UnitKind::kDepartment);
  u.name = r.Text(2);
  u.region_code = r.Text(3);
  u.phone = r.Text(4);
  u.created_at = r.Int(5);
  return u;
}

Grid GridFromRow(const sql::Row& r) {
  Grid g;
  g.code = r.Text(0);
  g.name = r.Text(1);
  g.community_code = r.Text(2);
  g.geometry = r.Text(3);
  g.synthetic = r.Int(4) != 0;
  g.min_lng = r.Real(5), g.min_lat = r.Real(6), g.max_lng = r.Real(7), g.max_lat = r.Real(8);
  return g;
}

template <typename F>
auto Map(const sql::ExecResult& r, F f) {
  std::vector<std::invoke_result_t<F, const sql::Row&>> out;
  out.reserve(r.rows.size());
  for (const auto& row : r.rows) out.push_back(f(row));
  return out;
}

// One row of account_roles from `role, region_code, unit_id, worker_id` at column `i`.
Result<RoleGrant> GrantFromRow(const sql::Row& r, size_t i, const std::string& login) {
  auto role = ParseRole(r.Text(i));
  if (!role) return Status::Internal("account " + login + " has an unknown role " + r.Text(i));
  return RoleGrant{*role, r.Text(i + 1), r.Int(i + 2), r.Int(i + 3)};
}

// Writes the roles of account `id` in order and records them (none while disabled) as changed by
// `by_actor` at `at`; inside the caller's transaction.
Status WriteGrants(sql::Connection& c, int64_t id, const Account& a, const std::string& by_actor, InstantMs at) {
  std::string roles;
  for (size_t i = 0; i < a.grants.size(); ++i) {
    const auto& g = a.grants[i];
    GZ_RETURN_IF_ERROR(c.Exec("INSERT INTO account_roles (account_id, n, role, region_code, unit_id, worker_id) "
                              "VALUES (?, ?, ?, ?, ?, ?)",
                              {id, int64_t(i), std::string(RoleName(g.role)), g.region_code, g.unit_id, g.worker_id})
                           .status());
    roles += (roles.empty() ? "" : ",") + RoleGrantText(g);
  }
  return c.Exec("INSERT INTO role_changes (at, by_actor, account_id, roles) VALUES (?, ?, ?, ?)",
                {at, by_actor, id, a.disabled ? std::string() : roles})
      .status();
}

constexpr const char* kUnitCols = "id, kind, name, region_code, phone, created_at";
constexpr const char* kGridCols =
    "code, name, community_code, geometry, synthetic, min_lng, min_lat, max_lng, max_lat";
constexpr const char* kWorkerCols = "id, name, phone, capacity, active, created_at";

class SqlStore : public Store {
 public:
  SqlStore(std::unique_ptr<sql::Pool> pool, sql::Pool::Factory writer, const Clock& clock, bool shared,
           std::shared_ptr<const ContactCipher> cipher, const TrackingKey& tracking_key, std::string claim_file)
      : pool_(std::move(pool)),
        clock_(clock),
        lead_factory_(shared ? writer : nullptr),
        claim_file_(std::move(claim_file)),
        cases_(MakeSqlCaseStore(*pool_, shared ? ClaimingWriter(std::move(writer), serving_) : std::move(writer),
                                std::move(cipher), tracking_key, !shared)) {}

  ~SqlStore() override {
    cases_.reset();  // its queued writes finish under the claim
    if (claim_fd_ >= 0) ::close(claim_fd_);
  }

  CaseStore& cases() override { return *cases_; }

  Result<Account> InsertAccount(const Account& a, const std::string& by_actor) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    auto ins = c->Exec("INSERT INTO accounts (login, name, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?) "
                       "RETURNING id",
                       {a.login, a.name, a.password_hash, int64_t{a.disabled}, a.created_at});
    if (ins.status().code() == ErrorCode::kConflict)
      return Status::Conflict("the login " + a.login + " is taken", "login");
    GZ_RETURN_IF_ERROR(ins.status());
    Account out = a;
    out.id = ins->rows.at(0).Int(0);
    GZ_RETURN_IF_ERROR(WriteGrants(*c, out.id, a, by_actor, a.created_at));
    GZ_RETURN_IF_ERROR(tx.Commit());
    return out;
  }

  Result<std::optional<Account>> AccountWhere(const char* where, sql::Value key) {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec(std::string("SELECT id, login, name, password_hash, disabled, created_at FROM "
                                                    "accounts WHERE ") + where,
                                        {key}));
    if (r.rows.empty()) return std::optional<Account>();
    const auto& row = r.rows[0];
    Account a{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Int(4) != 0, row.Int(5), {}};
    GZ_ASSIGN_OR_RETURN(auto g, c->Exec("SELECT role, region_code, unit_id, worker_id FROM account_roles WHERE "
                                        "account_id = ? ORDER BY n",
                                        {a.id}));
    for (const auto& gr : g.rows) {
      GZ_ASSIGN_OR_RETURN(auto grant, GrantFromRow(gr, 0, a.login));
      a.grants.push_back(std::move(grant));
    }
    return std::optional<Account>(std::move(a));
  }
  Result<std::optional<Account>> GetAccountByLogin(const std::string& login) override {
    return AccountWhere("login = ?", login);
  }
  Result<std::optional<Account>> GetAccount(int64_t id) override { return AccountWhere("id = ?", id); }

  Result<std::vector<Account>> ListAccounts(int limit, int offset) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT id, login, name, disabled, created_at FROM accounts ORDER BY login "
                                        "LIMIT ? OFFSET ?",
                                        {int64_t{limit}, int64_t{offset}}));
    std::vector<Account> out;
    for (const auto& row : r.rows) out.push_back(Account{row.Int(0), row.Text(1), row.Text(2), "", row.Int(3) != 0, row.Int(4), {}});
    if (out.empty()) return out;
    GZ_ASSIGN_OR_RETURN(auto g, c->Exec("SELECT account_id, role, region_code, unit_id, worker_id FROM account_roles "
                                        "WHERE account_id IN (SELECT id FROM accounts ORDER BY login LIMIT ? OFFSET ?) "
                                        "ORDER BY account_id, n",
                                        {int64_t{limit}, int64_t{offset}}));
    std::map<int64_t, Account*> by_id;
    for (auto& a : out) by_id[a.id] = &a;
    for (const auto& gr : g.rows) {
      auto it = by_id.find(gr.Int(0));
      if (it == by_id.end()) continue;
      GZ_ASSIGN_OR_RETURN(auto grant, GrantFromRow(gr, 1, it->second->login));
      it->second->grants.push_back(std::move(grant));
    }
    return out;
  }

  Status UpdateAccount(const Account& a, const std::string& by_actor, InstantMs at) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    GZ_ASSIGN_OR_RETURN(auto u, c->Exec("UPDATE accounts SET name = ?, disabled = ? WHERE id = ? RETURNING id",
                                        {a.name, int64_t{a.disabled}, a.id}));
    if (u.rows.empty()) return Status::NotFound("no account with id " + std::to_string(a.id));
    GZ_RETURN_IF_ERROR(c->Exec("DELETE FROM account_roles WHERE account_id = ?", {a.id}).status());
    GZ_RETURN_IF_ERROR(WriteGrants(*c, a.id, a, by_actor, at));
    GZ_RETURN_IF_ERROR(c->Exec("DELETE FROM credentials WHERE account_id = ?", {a.id}).status());
    return tx.Commit();
  }

  Result<std::vector<RoleChange>> ListRoleChanges(int64_t account_id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT at, by_actor, roles FROM role_changes WHERE account_id = ? ORDER BY id",
                                        {account_id}));
    std::vector<RoleChange> out;
    for (const auto& row : r.rows) out.push_back(RoleChange{row.Int(0), row.Text(1), row.Text(2)});
    return out;
  }

  Result<InstantMs> LoginLockedUntil(const std::vector<std::string>& keys, InstantMs now) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    InstantMs until = 0;
    for (const auto& k : keys) {
      GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT locked_until FROM login_failures WHERE key = ?", {k}));
      if (!r.rows.empty() && r.rows[0].Int(0) > now) until = std::max(until, r.rows[0].Int(0));
    }
    return until;
  }

  Status CountLoginFailure(const std::string& key, InstantMs now, int64_t window_ms, int max) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    const int64_t n = max, since = now - window_ms, lock = now + window_ms;
    // One statement, so that failures counted on several nodes at once all count.
    // (CAST: PostgreSQL would otherwise type the CASE results as integer, too small for instants.)
    return c->Exec("INSERT INTO login_failures (key, count, first_at, locked_until) VALUES (?, 1, ?, "
                   "CASE WHEN 1 >= ? THEN CAST(? AS BIGINT) ELSE 0 END) ON CONFLICT (key) DO UPDATE SET "
                   "count = CASE WHEN login_failures.first_at < ? THEN 1 ELSE login_failures.count + 1 END, "
                   "first_at = CASE WHEN login_failures.first_at < ? THEN CAST(? AS BIGINT) ELSE login_failures.first_at END, "
                   "locked_until = CASE WHEN (CASE WHEN login_failures.first_at < ? THEN 1 "
                   "ELSE login_failures.count + 1 END) >= ? THEN CAST(? AS BIGINT) ELSE login_failures.locked_until END",
                   {key, now, n, lock, since, since, now, since, n, lock})
        .status();
  }

  Status ForgetLoginFailures(const std::string& key) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    return c->Exec("DELETE FROM login_failures WHERE key = ?", {key}).status();
  }

  Result<int64_t> PruneLoginFailures(InstantMs before) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("DELETE FROM login_failures WHERE first_at < ? AND locked_until < ?", {before, before}));
    return r.affected;
  }

  Result<int64_t> CountAccounts() override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT COUNT(*) FROM accounts"));
    return r.rows.at(0).Int(0);
  }

  Status InsertCredential(const Credential& k) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    return c->Exec("INSERT INTO credentials (token_hash, account_id, role_n, kind, name, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {k.token_hash, k.account_id, int64_t{k.role_n}, k.kind, k.name, k.created_at, k.expires_at})
        .status();
  }

  Result<std::optional<SignedIn>> GetSignedIn(const std::string& token_hash) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    // One statement, a row per role (one row with NULL roles for an account without any).
    std::optional<SignedIn> out;
    Status bad = Status::Ok();
    GZ_RETURN_IF_ERROR(c->ForEach(
        "SELECT cr.token_hash, cr.account_id, cr.role_n, cr.kind, cr.name, cr.created_at, cr.expires_at, a.login, "
        "a.name, a.disabled, a.created_at, r.role, r.region_code, r.unit_id, r.worker_id FROM credentials cr JOIN "
        "accounts a ON a.id = cr.account_id LEFT JOIN account_roles r ON r.account_id = a.id WHERE cr.token_hash = ? "
        "ORDER BY r.n",
        {token_hash}, [&](const sql::Row& row) {
          if (!out) {
            out.emplace();
            out->credential = Credential{row.Text(0), row.Int(1), static_cast<int>(row.Int(2)), row.Text(3),
                                         row.Text(4), row.Int(5),  row.Int(6)};
            out->account = Account{row.Int(1), row.Text(7), row.Text(8), "", row.Int(9) != 0, row.Int(10), {}};
          }
          if (row.IsNull(11) || !bad.ok()) return;
          auto grant = GrantFromRow(row, 11, out->account.login);
          if (grant.ok()) out->account.grants.push_back(std::move(*grant));
          else bad = grant.status();
        }));
    GZ_RETURN_IF_ERROR(bad);
    return out;
  }

  Status DeleteCredential(const std::string& token_hash) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    return c->Exec("DELETE FROM credentials WHERE token_hash = ?", {token_hash}).status();
  }

  Result<std::vector<std::string>> ServerSessions() override {
    std::vector<std::string> out;
    if (!lead_factory_) return out;
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT pid, COALESCE(host(client_addr), 'a local socket') FROM pg_stat_activity "
                                        "WHERE datname = current_database() AND application_name = ? AND "
                                        "pid <> pg_backend_pid() ORDER BY pid",
                                        {std::string(sql::kServerApplicationName)}));
    for (const auto& row : r.rows) out.push_back("pid " + std::to_string(row.Int(0)) + " from " + row.Text(1));
    return out;
  }

  bool HoldsLead() override {
    std::lock_guard lock(lead_mu_);
    // One process owns an embedded database; a server, once it holds its claim.
    if (!lead_factory_) return claim_ != Claim::kServing || claim_fd_ >= 0;
    if (lead_conn_ && lead_held_) {
      if (lead_conn_->Exec("SELECT 1").ok() && lead_conn_->healthy()) return true;
      DropLeadSession();  // the session (and with it the locks) is gone
    }
    if (!LeadSession()) return false;
    // A server leads only with its claim to serve (lost with a session it had).
    if (claim_ == Claim::kServing && !claim_held_) {
      auto claimed = TryLock(kServeLockKey, /*shared=*/true);
      if (!claimed.ok() || !*claimed) return false;
    }
    // One key for all periodic jobs of this database ("gz" + "lead").
    auto r = TryLock(7100764597, /*shared=*/false);
    lead_held_ = r.ok() && *r;
    return lead_held_;
  }

  Result<Sizes> Vacuum() override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    if (c->dialect() != sql::Dialect::kSqlite)
      return Status::Invalid("pg",
                             "PostgreSQL reuses free space itself (autovacuum); to shrink its files, run VACUUM FULL in psql");
    auto size = [&]() -> Result<int64_t> {
      GZ_ASSIGN_OR_RETURN(auto r, c->Exec("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"));
      return r.rows.at(0).Int(0);
    };
    Sizes out;
    GZ_ASSIGN_OR_RETURN(out.before, size());
    GZ_RETURN_IF_ERROR(c->ExecScript("VACUUM"));
    (void)c->Exec("PRAGMA wal_checkpoint(TRUNCATE)");  // the rewrite went through the WAL
    GZ_ASSIGN_OR_RETURN(out.after, size());
    return out;
  }

  Result<bool> ClaimServing() override { return TakeClaim(Claim::kServing); }
  Result<bool> ClaimRebuild() override { return TakeClaim(Claim::kRebuild); }

  Result<ImportCounts> ImportRegions(RegionSource& source) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    ImportCounts counts;
    std::vector<Region> batch;
    std::vector<Value> params;
    constexpr size_t kBatch = 500;
    while (source.NextBatch(batch, kBatch)) {
      // Rows repeated inside one statement would make ON CONFLICT touch a row twice: keep the last.
      std::map<std::string, size_t> last;
      for (size_t i = 0; i < batch.size(); ++i) last[batch[i].code] = i;
      std::string q = "INSERT INTO regions (code, name, level, parent_code) VALUES ";
      params.clear();
      bool first = true;
      for (auto& [code, i] : last) {
        q += first ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
        first = false;
        const Region& r = batch[i];
        params.insert(params.end(), {r.code, r.name, int64_t{static_cast<int>(r.level)}, r.parent_code});
      }
      q += " ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, "
           "parent_code = excluded.parent_code WHERE regions.name <> excluded.name OR regions.level <> "
           "excluded.level OR regions.parent_code <> excluded.parent_code";
      GZ_ASSIGN_OR_RETURN(auto r, c->Exec(q, params));
      counts.read += batch.size();
      counts.written += static_cast<size_t>(r.affected);
    }
    GZ_RETURN_IF_ERROR(source.status());
    GZ_RETURN_IF_ERROR(tx.Commit());
    counts.unchanged = counts.read - std::min(counts.read, counts.written);
    return counts;
  }

  Result<std::optional<Region>> GetRegion(const std::string& code) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query("SELECT code, name, level, parent_code FROM regions WHERE code = ?", {code}));
    if (r.rows.empty()) return std::optional<Region>();
    return std::optional<Region>(RegionFromRow(r.rows[0]));
  }

  Result<std::vector<Region>> ChildRegions(const std::string& code) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query("SELECT code, name, level, parent_code FROM regions WHERE parent_code = ? "
                                      "ORDER BY code",
                                      {code}));
    return Map(r, RegionFromRow);
  }

  Result<std::vector<Region>> RegionsUnder(const std::string& prefix, RegionLevel level) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query("SELECT code, name, level, parent_code FROM regions WHERE code >= ? AND "
                                      "code < ? AND level = ? ORDER BY code",
                                      {prefix, PrefixEnd(prefix), int64_t{static_cast<int>(level)}}));
    return Map(r, RegionFromRow);
  }

  Result<int64_t> CountRegions() override {
    GZ_ASSIGN_OR_RETURN(auto r, Query("SELECT COUNT(*) FROM regions", {}));
    return r.rows.at(0).Int(0);
  }

  Result<Unit> InsertUnit(const Unit& u) override {
    Unit out = u;
    out.created_at = clock_.Now();
    GZ_ASSIGN_OR_RETURN(auto r, Query("INSERT INTO units (kind, name, region_code, phone, created_at) VALUES "
                                      "(?, ?, ?, ?, ?) RETURNING id",
                                      {UnitKindName(u.kind), u.name, u.region_code, u.phone, out.created_at}));
    out.id = r.rows.at(0).Int(0);
    return out;
  }

  Result<std::optional<Unit>> GetUnit(int64_t id) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query(std::string("SELECT ") + kUnitCols + " FROM units WHERE id = ?", {id}));
    if (r.rows.empty()) return std::optional<Unit>();
    return std::optional<Unit>(UnitFromRow(r.rows[0]));
  }

  Result<std::vector<Unit>> ListUnits(const UnitFilter& f) override {
    std::string q = std::string("SELECT ") + kUnitCols + " FROM units WHERE 1=1";
    std::vector<Value> p;
    if (!f.region_code.empty()) q += " AND region_code = ?", p.push_back(f.region_code);
    if (!f.under.empty()) q += " AND region_code >= ? AND region_code < ?", p.push_back(f.under),
                          p.push_back(PrefixEnd(f.under));
    if (f.kind) q += " AND kind = ?", p.push_back(std::string(UnitKindName(*f.kind)));
    q += " ORDER BY id LIMIT ? OFFSET ?";
    p.push_back(int64_t{f.limit});
    p.push_back(int64_t{f.offset});
    GZ_ASSIGN_OR_RETURN(auto r, Query(q, p));
    return Map(r, UnitFromRow);
  }

  Status UpdateUnit(const Unit& u) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query("UPDATE units SET kind = ?, name = ?, region_code = ?, phone = ? WHERE id = ?",
                                      {UnitKindName(u.kind), u.name, u.region_code, u.phone, u.id}));
    return r.affected ? Status::Ok() : Status::NotFound("no unit with id " + std::to_string(u.id));
  }

  // A unit that rules route to or that cases name stays: the figures of past work are computed
  // from it. The refusal says what still names it.
  Status DeleteUnit(int64_t id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    GZ_ASSIGN_OR_RETURN(auto rules, CountOf(*c, "SELECT COUNT(*) FROM responsibility_rules WHERE unit_id = ?", id));
    if (rules > 0)
      return Status::Conflict("the responsibility list still routes to this unit (" + std::to_string(rules) +
                              " rules); change those rules first", "id");
    // Each on an index: cases it handles now, dispatches it had (returned ones included), summons.
    int64_t named = 0;
    for (const char* q : {"SELECT COUNT(*) FROM cases WHERE unit_id = ?", "SELECT COUNT(*) FROM case_facts WHERE unit_id = ?",
                          "SELECT COUNT(*) FROM summons WHERE unit_id = ?"}) {
      GZ_ASSIGN_OR_RETURN(auto n, CountOf(*c, q, id));
      named = std::max(named, n);
    }
    if (named > 0)
      return Status::Conflict("this unit is named by " + std::to_string(named) +
                              " cases, which its assessment figures come from; it cannot be deleted", "id");
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("DELETE FROM units WHERE id = ?", {id}));
    if (!r.affected) return Status::NotFound("no unit with id " + std::to_string(id));
    return tx.Commit();
  }

  Status UpsertGrids(const std::vector<Grid>& grids) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    for (const Grid& g : grids) {
      GZ_ASSIGN_OR_RETURN(
          auto r, c->Exec("INSERT INTO grids (code, name, community_code, geometry, synthetic, min_lng, min_lat, "
                          "max_lng, max_lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                          "name = excluded.name, community_code = excluded.community_code, geometry = "
                          "excluded.geometry, synthetic = excluded.synthetic, min_lng = excluded.min_lng, "
                          "min_lat = excluded.min_lat, max_lng = excluded.max_lng, max_lat = excluded.max_lat",
                          {g.code, g.name, g.community_code, g.geometry, int64_t{g.synthetic}, g.min_lng, g.min_lat,
                           g.max_lng, g.max_lat}));
    }
    GZ_RETURN_IF_ERROR(BumpGridsVersion(*c));
    return tx.Commit();
  }

  Result<std::optional<Grid>> GetGrid(const std::string& code) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query(std::string("SELECT ") + kGridCols + " FROM grids WHERE code = ?", {code}));
    if (r.rows.empty()) return std::optional<Grid>();
    return std::optional<Grid>(GridFromRow(r.rows[0]));
  }

  Result<std::vector<Grid>> ListGrids(const std::string& prefix) override {
    GZ_ASSIGN_OR_RETURN(auto r, Query(std::string("SELECT ") + kGridCols +
                                          " FROM grids WHERE code >= ? AND code < ? ORDER BY code",
                                      {prefix, PrefixEnd(prefix)}));
    return Map(r, GridFromRow);
  }

  Status DeleteGrid(const std::string& code) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("DELETE FROM grids WHERE code = ?", {code}));
    if (!r.affected) return Status::NotFound("no grid with code " + code);
    GZ_RETURN_IF_ERROR(BumpGridsVersion(*c));
    return tx.Commit();
  }

  Result<int64_t> GridsVersion() override {
    GZ_ASSIGN_OR_RETURN(auto r, Query("SELECT value FROM meta WHERE key = 'grids_version'", {}));
    return r.rows.empty() ? int64_t{0} : r.rows[0].Int(0);
  }

  Result<GridWorker> InsertWorker(const GridWorker& w) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    GridWorker out = w;
    out.created_at = clock_.Now();
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("INSERT INTO grid_workers (name, phone, capacity, active, created_at) "
                                        "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                        {w.name, w.phone, int64_t{w.capacity}, int64_t{w.active}, out.created_at}));
    out.id = r.rows.at(0).Int(0);
    GZ_RETURN_IF_ERROR(WriteAssignments(*c, out));
    GZ_RETURN_IF_ERROR(tx.Commit());
    return out;
  }

  Result<std::optional<GridWorker>> GetWorker(int64_t id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec(std::string("SELECT ") + kWorkerCols + " FROM grid_workers WHERE id = ?", {id}));
    if (r.rows.empty()) return std::optional<GridWorker>();
    GZ_ASSIGN_OR_RETURN(auto ws, WithGrids(*c, r));
    return std::optional<GridWorker>(std::move(ws.at(0)));
  }

  Result<std::vector<GridWorker>> ListWorkers(const WorkerFilter& f) override {
    std::string q = std::string("SELECT ") + kWorkerCols + " FROM grid_workers w WHERE 1=1";
    std::vector<Value> p;
    if (!f.grid_code.empty()) {
      q += " AND EXISTS (SELECT 1 FROM grid_worker_grids a WHERE a.worker_id = w.id AND a.grid_code = ?)";
      p.push_back(f.grid_code);
    }
    if (!f.under.empty()) {
      q += " AND EXISTS (SELECT 1 FROM grid_worker_grids a WHERE a.worker_id = w.id AND a.grid_code >= ? AND "
           "a.grid_code < ?)";
      p.push_back(f.under);
      p.push_back(PrefixEnd(f.under));
    }
    q += " ORDER BY id LIMIT ? OFFSET ?";
    p.push_back(int64_t{f.limit});
    p.push_back(int64_t{f.offset});
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec(q, p));
    return WithGrids(*c, r);
  }

  Status UpdateWorker(const GridWorker& w) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("UPDATE grid_workers SET name = ?, phone = ?, capacity = ?, active = ? "
                                        "WHERE id = ?",
                                        {w.name, w.phone, int64_t{w.capacity}, int64_t{w.active}, w.id}));
    if (!r.affected) return Status::NotFound("no grid worker with id " + std::to_string(w.id));
    GZ_ASSIGN_OR_RETURN(auto d, c->Exec("DELETE FROM grid_worker_grids WHERE worker_id = ?", {w.id}));
    GZ_RETURN_IF_ERROR(WriteAssignments(*c, w));
    return tx.Commit();
  }

  // A worker who has been given cases stays (their figures and the audit trail name them): the
  // refusal says to set them inactive instead.
  Status DeleteWorker(int64_t id) override {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    sql::Transaction tx(*c, true);
    GZ_RETURN_IF_ERROR(tx.Begin());
    GZ_ASSIGN_OR_RETURN(auto cases, CountOf(*c, "SELECT COUNT(*) FROM cases WHERE worker_id = ?", id));
    if (cases > 0)
      return Status::Conflict("this grid worker has been given " + std::to_string(cases) +
                              " cases; set them inactive instead of deleting them", "id");
    GZ_ASSIGN_OR_RETURN(auto r, c->Exec("DELETE FROM grid_workers WHERE id = ?", {id}));
    if (!r.affected) return Status::NotFound("no grid worker with id " + std::to_string(id));
    return tx.Commit();
  }

 private:
  // COUNT(*) of a query with one placeholder, `id`.
  static Result<int64_t> CountOf(sql::Connection& c, const std::string& q, int64_t id) {
    GZ_ASSIGN_OR_RETURN(auto r, c.Exec(q, {id}));
    return r.rows.empty() ? 0 : r.rows[0].Int(0);
  }

  Result<std::unordered_map<std::string, std::string>> NamesOf(NameKind kind,
                                                              const std::vector<std::string>& keys) override {
    const bool codes = kind == NameKind::kRegion || kind == NameKind::kCategory;
    const char* select = kind == NameKind::kRegion     ? "SELECT code, name FROM regions WHERE code IN ("
                         : kind == NameKind::kCategory ? "SELECT code, name FROM categories WHERE code IN ("
                         : kind == NameKind::kUnit     ? "SELECT id, name FROM units WHERE id IN ("
                                                       : "SELECT id, name FROM grid_workers WHERE id IN (";
    std::unordered_map<std::string, std::string> out;
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    constexpr size_t kChunk = 500;  // a statement per 500 keys (one round trip each on PostgreSQL)
    for (size_t at = 0; at < keys.size(); at += kChunk) {
      std::string q = select;
      std::vector<Value> p;
      for (size_t i = at; i < std::min(keys.size(), at + kChunk); ++i) {
        q += i == at ? "?" : ", ?";
        if (codes) {
          p.emplace_back(keys[i]);
        } else {
          int64_t id = 0;
          auto [end, ec] = std::from_chars(keys[i].data(), keys[i].data() + keys[i].size(), id);
          if (ec != std::errc() || end != keys[i].data() + keys[i].size())
            return Status::Invalid("key", "'" + keys[i] + "' is not an id");
          p.emplace_back(id);
        }
      }
      GZ_RETURN_IF_ERROR(c->ForEach(q + ")", p, [&](const sql::Row& row) { out[row.Text(0)] = row.Text(1); }));
    }
    return out;
  }

  Result<sql::ExecResult> Query(const std::string& q, const std::vector<Value>& p) {
    GZ_ASSIGN_OR_RETURN(auto c, pool_->Acquire());
    return c->Exec(q, p);
  }

  static Status BumpGridsVersion(sql::Connection& c) {
    auto r = c.Exec("UPDATE meta SET value = value + 1 WHERE key = 'grids_version'");
    return r.status();
  }

  // Grid codes are checked here, inside the transaction, so a grid deleted meanwhile cannot slip in.
  static Status WriteAssignments(sql::Connection& c, const GridWorker& w) {
    for (size_t i = 0; i < w.grid_codes.size(); ++i) {
      GZ_ASSIGN_OR_RETURN(auto e, c.Exec("SELECT 1 FROM grids WHERE code = ?", {w.grid_codes[i]}));
      if (e.rows.empty())
        return Status::Invalid("grids[" + std::to_string(i) + "]", "no grid with code " + w.grid_codes[i]);
      GZ_ASSIGN_OR_RETURN(auto r, c.Exec("INSERT INTO grid_worker_grids (worker_id, grid_code) VALUES (?, ?)",
                                         {w.id, w.grid_codes[i]}));
    }
    return Status::Ok();
  }

  static Result<std::vector<GridWorker>> WithGrids(sql::Connection& c, const sql::ExecResult& r) {
    std::vector<GridWorker> out;
    for (const auto& row : r.rows) {
      GridWorker w;
      w.id = row.Int(0);
      w.name = row.Text(1);
      w.phone = row.Text(2);
      w.capacity = static_cast<int>(row.Int(3));
      w.active = row.Int(4) != 0;
      w.created_at = row.Int(5);
      out.push_back(std::move(w));
    }
    if (out.empty()) return out;
    // The page's assignments in one query (rows come in id order): the id range of the page, keeping
    // only the workers on it.
    std::map<int64_t, GridWorker*> by_id;
    for (auto& w : out) by_id[w.id] = &w;
    GZ_ASSIGN_OR_RETURN(auto g, c.Exec("SELECT worker_id, grid_code FROM grid_worker_grids WHERE worker_id >= ? AND "
                                       "worker_id <= ? ORDER BY worker_id, grid_code",
                                       {by_id.begin()->first, by_id.rbegin()->first}));
    for (const auto& gr : g.rows)
      if (auto it = by_id.find(gr.Int(0)); it != by_id.end()) it->second->grid_codes.push_back(gr.Text(1));
    return out;
  }

  std::unique_ptr<sql::Pool> pool_;
  const Clock& clock_;
  // The advisory lock servers hold shared and a rebuild exclusively ("gz" + "serv").
  static constexpr int64_t kServeLockKey = 0x677a73657276;
  enum class Claim { kNone, kServing, kRebuild };

  // The lead's session, opened if there is none; false when it cannot be. Under lead_mu_.
  bool LeadSession() {
    if (lead_conn_) return true;
    auto c = lead_factory_();
    if (!c.ok()) return false;
    lead_conn_ = std::move(c).value();
    return true;
  }
  void DropLeadSession() {
    lead_conn_.reset();
    lead_held_ = claim_held_ = false;
  }
  // pg_try_advisory_lock(_shared) on `c`: whether the lock was taken.
  static Result<bool> TryAdvisoryLock(sql::Connection& c, int64_t key, bool shared) {
    auto r = c.Exec(shared ? "SELECT pg_try_advisory_lock_shared(?)" : "SELECT pg_try_advisory_lock(?)", {key});
    if (!r.ok()) return r.status();
    if (r->rows.empty()) return Status::Unavailable("no answer to an advisory lock");
    const std::string v = r->rows[0].Text(0);
    return v == "t" || v == "true" || v == "1";
  }
  // The case writers' connections (PostgreSQL). Once the process has claimed to serve, each one
  // takes the claim too (shared) as it opens, and one that cannot is not opened: the batch waiting
  // for it fails as unavailable, and the next tries again. The lead's session alone would leave a
  // gap: when the database restarts, every session ends, and a rebuild that took the database
  // before this server's next lead check would have its steps crossed by this server's writes.
  static sql::Pool::Factory ClaimingWriter(sql::Pool::Factory writer, std::shared_ptr<std::atomic<bool>> serving) {
    return [writer = std::move(writer), serving = std::move(serving)]() -> Result<std::unique_ptr<sql::Connection>> {
      GZ_ASSIGN_OR_RETURN(auto c, writer());
      if (!serving->load()) return c;
      GZ_ASSIGN_OR_RETURN(const bool got, TryAdvisoryLock(*c, kServeLockKey, /*shared=*/true));
      if (!got)
        return Status::Unavailable("a rebuild of the assessment holds the database: writes resume when it has finished");
      return c;
    };
  }
  // TryAdvisoryLock on the lead's session; taking the serving key notes the claim. A failed
  // statement drops the session (its locks with it). Under lead_mu_.
  Result<bool> TryLock(int64_t key, bool shared) {
    auto got = TryAdvisoryLock(*lead_conn_, key, shared);
    if (!got.ok()) {
      DropLeadSession();
      return got.status();
    }
    if (*got && key == kServeLockKey) claim_held_ = true;
    return *got;
  }
  Result<bool> TakeClaim(Claim kind) {
    std::lock_guard lock(lead_mu_);
    if (claim_ != Claim::kNone && claim_ != kind)
      return Status::Internal("a process claims to serve or to rebuild, not both");
    claim_ = kind;
    if (!lead_factory_) return ClaimFile(kind);
    if (kind == Claim::kServing) serving_->store(true);
    if (claim_held_) return true;
    if (!LeadSession()) return Status::Unavailable("cannot open a session to claim the database");
    return TryLock(kServeLockKey, /*shared=*/kind == Claim::kServing);
  }

  // An embedded database's claim: flock on the file `claim_file_` beside it, shared by servers and
  // exclusive for a rebuild, held by the open descriptor `claim_fd_` until the process ends (the
  // kernel drops it with the process, as PostgreSQL drops a session's advisory lock). Separate
  // opens conflict even within one process. Under lead_mu_.
  Result<bool> ClaimFile(Claim kind) {
    if (claim_file_.empty() || claim_fd_ >= 0) return true;
    const int fd = ::open(claim_file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Unavailable("cannot open " + claim_file_ + ": " + std::strerror(errno));
    if (::flock(fd, (kind == Claim::kServing ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      const int e = errno;
      ::close(fd);
      if (e == EWOULDBLOCK) return false;
      return Status::Unavailable("cannot lock " + claim_file_ + ": " + std::strerror(e));
    }
    claim_fd_ = fd;
    return true;
  }

  sql::Pool::Factory lead_factory_;  // set on PostgreSQL: a connection of its own holds the lead
  const std::string claim_file_;     // an embedded database on a file: where its claim is held
  int claim_fd_ = -1;
  std::mutex lead_mu_;
  std::unique_ptr<sql::Connection> lead_conn_;
  bool lead_held_ = false;
  Claim claim_ = Claim::kNone;  // what this process claimed (a server, a rebuild), held on lead_conn_
  bool claim_held_ = false;     // whether lead_conn_'s session holds it
  // Set once this process claims to serve: its case writers then hold the claim too (ClaimingWriter).
  std::shared_ptr<std::atomic<bool>> serving_ = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<CaseStore> cases_;  // after pool_: destroyed first
};

}  // namespace

bool IsPostgresTarget(const std::string& t) {
  return t.rfind("postgresql://", 0) == 0 || t.rfind("postgres://", 0) == 0 || t.find("host=") != std::string::npos ||
         t.find("dbname=") != std::string::npos;
}

// The database remembers which key sealed its contacts (an id, not the key): another key is
// refused before anything is written with it. Rows written before sealing existed are sealed when
// the key is adopted.
Status AdoptContactKey(sql::Connection& c, const ContactCipher& cipher) {
  sql::Transaction tx(c, true);
  GZ_RETURN_IF_ERROR(tx.Begin());
  const std::string id = cipher.KeyId();
  GZ_ASSIGN_OR_RETURN(
      auto adopted,
      c.Exec("INSERT INTO settings (key, value) VALUES ('contact_key_id', ?) ON CONFLICT (key) DO NOTHING", {id}));
  GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT value FROM settings WHERE key = 'contact_key_id'"));
  if (r.rows.at(0).Text(0) != id) {
    return Status(ErrorCode::kConflict,
                  "the contact key is not the one this database's contacts were sealed with (key id " +
                      r.rows[0].Text(0) + ", given " + id + "); give the right --key-file",
                  "key_file");
  }
  // Plaintext rows can only predate the key (the server always seals): look for them once, when the
  // key is adopted, not by scanning every case at each start.
  if (adopted.affected == 0) return tx.Commit();
  GZ_ASSIGN_OR_RETURN(auto plain, c.Exec("SELECT id, reporter_name, reporter_phone FROM cases WHERE "
                                         "(reporter_name <> '' AND reporter_name NOT LIKE 'enc1:%') OR "
                                         "(reporter_phone <> '' AND reporter_phone NOT LIKE 'enc1:%')"));
  for (const auto& row : plain.rows) {
    auto seal = [&](const std::string& v) { return ContactCipher::IsSealed(v) ? v : cipher.Seal(v); };
    GZ_RETURN_IF_ERROR(c.Exec("UPDATE cases SET reporter_name = ?, reporter_phone = ? WHERE id = ?",
                              {seal(row.Text(1)), seal(row.Text(2)), row.Int(0)})
                           .status());
  }
  return tx.Commit();
}

// The key of the database's tracking codes (app/tracking_code.h), made when the database first
// needs it. It lives in the database beside what it protects: whoever reads the database reads the
// cases anyway, and every node of a shared database derives the same codes. Nodes that start
// together agree through the insert that does nothing on conflict.
Result<TrackingKey> TrackingKeyOf(sql::Connection& c) {
  const TrackingKey fresh = TrackingCodec::NewKey();
  char hex[sizeof(TrackingKey) * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, fresh.data(), fresh.size());
  GZ_RETURN_IF_ERROR(
      c.Exec("INSERT INTO settings (key, value) VALUES ('tracking_key', ?) ON CONFLICT (key) DO NOTHING", {std::string(hex)})
          .status());
  GZ_ASSIGN_OR_RETURN(auto r, c.Exec("SELECT value FROM settings WHERE key = 'tracking_key'"));
  const std::string stored = r.rows.at(0).Text(0);
  TrackingKey key;
  size_t len = 0;
  if (sodium_hex2bin(key.data(), key.size(), stored.data(), stored.size(), nullptr, &len, nullptr) != 0 ||
      len != key.size())
    return Status::Internal("settings.tracking_key is not " + std::to_string(key.size() * 2) + " hex digits");
  return key;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& target, const Clock& clock, size_t pool_size,
                                         std::shared_ptr<const ContactCipher> cipher, size_t reserved,
                                         const sql::MigrationNote& note) {
  sql::Pool::Factory factory;
  const bool shared = IsPostgresTarget(target);
  if (shared) {
    factory = [target] { return sql::OpenPostgres(target); };
  } else {
    factory = [target] { return sql::OpenSqlite(target); };
  }
  auto pool = std::make_unique<sql::Pool>(factory, pool_size, std::chrono::steady_clock::now, reserved);
  TrackingKey tracking_key;
  {
    GZ_ASSIGN_OR_RETURN(auto c, pool->Acquire());
    GZ_RETURN_IF_ERROR(sql::Migrate(*c, note));
    if (cipher) GZ_RETURN_IF_ERROR(AdoptContactKey(*c, *cipher));
    GZ_ASSIGN_OR_RETURN(tracking_key, TrackingKeyOf(*c));
  }
  // An embedded database on a file (not in memory) keeps its claim in TARGET.claim.
  std::string claim_file;
  if (!shared && target != ":memory:" && !target.starts_with("file:")) claim_file = target + ".claim";
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(pool), factory, clock, shared, std::move(cipher),
                                                           tracking_key, std::move(claim_file)));
}

}  // namespace gongzhi
