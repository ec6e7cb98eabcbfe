// The store port: everything the use cases keep. One implementation over SQL serves both the
// SQLite (embedded) and PostgreSQL adapters; the contract test suite runs against both.
// All methods are thread-safe. Each call is one transaction unless it says otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/case_store.h"
#include "core/account.h"
#include "core/model.h"
#include "core/region.h"
#include "core/status.h"

namespace gongzhi {

struct ImportCounts {
  size_t read = 0;       // rows accepted from the source
  size_t written = 0;    // rows inserted or changed
  size_t unchanged = 0;  // rows already present with the same content
};

// Pull source of region rows for a bulk import.
class RegionSource {
 public:
  virtual ~RegionSource() = default;
  // Replaces `batch` with up to `max` rows; false (and an empty batch) at the end.
  virtual bool NextBatch(std::vector<Region>& batch, size_t max) = 0;
  // Non-OK when the source stopped on bad input; the import is then rolled back.
  virtual Status status() const = 0;
};

struct UnitFilter {
  std::string region_code;  // exact region node; empty = any
  std::string under;        // code prefix: units attached anywhere under this region; empty = any
  std::optional<UnitKind> kind;
  int limit = 100;
  int offset = 0;
};

struct WorkerFilter {
  std::string grid_code;  // assigned to this grid; empty = any
  std::string under;      // assigned to a grid under this region code prefix; empty = any
  int limit = 100;
  int offset = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- regions ---
  // Upserts all rows of `source` in one transaction (renamed units are updated, nothing is
  // duplicated); on a source error nothing is written.
  virtual Result<ImportCounts> ImportRegions(RegionSource& source) = 0;
  virtual Result<std::optional<Region>> GetRegion(const std::string& code) = 0;
  // Direct children ordered by code.
  virtual Result<std::vector<Region>> ChildRegions(const std::string& code) = 0;
  // Regions of `level` whose code starts with `prefix`, ordered by code.
  virtual Result<std::vector<Region>> RegionsUnder(const std::string& prefix, RegionLevel level) = 0;
  virtual Result<int64_t> CountRegions() = 0;

  // --- units ---
  // Returns the unit with its new id.
  virtual Result<Unit> InsertUnit(const Unit& unit) = 0;
  virtual Result<std::optional<Unit>> GetUnit(int64_t id) = 0;
  virtual Result<std::vector<Unit>> ListUnits(const UnitFilter& filter) = 0;
  // NotFound when no unit has `unit.id`.
  virtual Status UpdateUnit(const Unit& unit) = 0;
  virtual Status DeleteUnit(int64_t id) = 0;

  // --- grids ---
  // Inserts or replaces (by code) all grids in one transaction and bumps GridsVersion.
  virtual Status UpsertGrids(const std::vector<Grid>& grids) = 0;
  virtual Result<std::optional<Grid>> GetGrid(const std::string& code) = 0;
  // Grids whose code starts with `prefix` ("" = all), ordered by code.
  virtual Result<std::vector<Grid>> ListGrids(const std::string& prefix) = 0;
  // Removes the grid and its worker assignments; NotFound if absent. Bumps GridsVersion.
  virtual Status DeleteGrid(const std::string& code) = 0;
  // A counter that changes whenever any grid changes; lets caches notice writes by other processes.
  virtual Result<int64_t> GridsVersion() = 0;

  // --- grid workers (网格员) ---
  // Grid codes must exist (InvalidArgument naming grids[i] otherwise).
  virtual Result<GridWorker> InsertWorker(const GridWorker& worker) = 0;
  virtual Result<std::optional<GridWorker>> GetWorker(int64_t id) = 0;
  virtual Result<std::vector<GridWorker>> ListWorkers(const WorkerFilter& filter) = 0;
  virtual Status UpdateWorker(const GridWorker& worker) = 0;
  virtual Status DeleteWorker(int64_t id) = 0;

  // --- names ---
  // The names of many regions or categories (keys: codes), units or grid workers (keys: ids as
  // text) at once, for rankings of thousands of rows; keys that name nothing are left out.
  enum class NameKind { kRegion, kUnit, kWorker, kCategory };
  virtual Result<std::unordered_map<std::string, std::string>> NamesOf(NameKind kind,
                                                                      const std::vector<std::string>& keys) = 0;

  // The case engine's part of the store (same database).
  virtual CaseStore& cases() = 0;

  // --- accounts (issue #6) ---
  // Inserts the account with its roles (and a role_changes record by `by_actor`); kConflict when
  // the login is taken. Returns it with its id.
  virtual Result<Account> InsertAccount(const Account& a, const std::string& by_actor) = 0;
  virtual Result<std::optional<Account>> GetAccountByLogin(const std::string& login) = 0;
  virtual Result<std::optional<Account>> GetAccount(int64_t id) = 0;
  virtual Result<int64_t> CountAccounts() = 0;
  // Accounts by login, with their roles, without password hashes.
  virtual Result<std::vector<Account>> ListAccounts(int limit, int offset) = 0;
  // Replaces name, disabled and roles of account `a.id` (NotFound if absent), records the roles
  // after the change by `by_actor` at `at`, and ends every session and token of the account (their
  // role numbers may no longer mean the same role). One transaction.
  virtual Status UpdateAccount(const Account& a, const std::string& by_actor, InstantMs at) = 0;
  struct RoleChange {
    InstantMs at = 0;
    std::string by_actor, roles;  // roles: the grants after the change, comma-separated ("" = disabled)
  };
  virtual Result<std::vector<RoleChange>> ListRoleChanges(int64_t account_id) = 0;
  struct Credential {
    std::string token_hash;  // SHA-256 of the token, hex
    int64_t account_id = 0;
    int role_n = 0;
    std::string kind;  // "session" or "api"
    std::string name;
    int64_t created_at = 0, expires_at = 0;  // expires_at 0: until revoked
  };
  virtual Status InsertCredential(const Credential& c) = 0;
  // A credential with its account and the account's roles (without the password hash), read at
  // once: what every signed-in request asks. Empty when the token or its account is unknown.
  struct SignedIn {
    Credential credential;
    Account account;
  };
  virtual Result<std::optional<SignedIn>> GetSignedIn(const std::string& token_hash) = 0;
  virtual Status DeleteCredential(const std::string& token_hash) = 0;
  // Failed sign-ins, shared by every node: the latest lock among `keys` (0: none in force at `now`);
  // a failure counted in a window of `window_ms` (a new window once it has passed), locking the key
  // for `window_ms` at the `max`-th; a success forgets the key; old rows pruned by the leader.
  virtual Result<InstantMs> LoginLockedUntil(const std::vector<std::string>& keys, InstantMs now) = 0;
  virtual Status CountLoginFailure(const std::string& key, InstantMs now, int64_t window_ms, int max) = 0;
  virtual Status ForgetLoginFailures(const std::string& key) = 0;
  virtual Result<int64_t> PruneLoginFailures(InstantMs before) = 0;

  // Periodic jobs (the deadline sweep, feed pruning) run on one node at a time. True while this
  // process holds the lead: always on an embedded database; on PostgreSQL, while its session holds
  // an advisory lock (released by the server the moment the holder's connection dies, so another
  // node takes over at its next call). Checks the connection on each call; call it every second or two.
  virtual bool HoldsLead() = 0;
  // The other processes serving this database: on PostgreSQL the sessions of gongzhi servers
  // (sql::kServerApplicationName), as "pid N from ADDRESS", one for each server's connection. None
  // on an embedded database, which the caller checks by its file's locks (sql::SqliteOpenedByAnother).
  virtual Result<std::vector<std::string>> ServerSessions() = 0;
  // Servers and a rebuild of the assessment keep apart through one lock: every server holds it
  // shared for its lifetime, a rebuild exclusively. ClaimServing: false while a rebuild holds it
  // (the caller waits and asks again); a server does not lead until it holds it. ClaimRebuild:
  // false while any server holds it. Both hold until the process ends. On PostgreSQL an advisory
  // lock, held on the lead's session and on each of a server's case writers (a server whose
  // sessions were lost claims again with its next HoldsLead, and writes only once a writer has);
  // on an embedded database a lock on the file TARGET.claim (none for a database in memory).
  virtual Result<bool> ClaimServing() = 0;
  virtual Result<bool> ClaimRebuild() = 0;

  // An embedded database rewritten without its free pages (a migration that rebuilt a table left
  // the old one's); its size in bytes before and after. Only with no other process on the file.
  // PostgreSQL reuses free space itself: kInvalidArgument (field "pg").
  struct Sizes {
    int64_t before = 0, after = 0;
  };
  virtual Result<Sizes> Vacuum() = 0;
};

}  // namespace gongzhi
