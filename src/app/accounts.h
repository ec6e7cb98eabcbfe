// Accounts, logins and credentials (issue #6). Passwords are kept as argon2id hashes; sessions
// (browser cookie) and API tokens (bearer) are random 256-bit tokens of which only the SHA-256 is
// stored. A request authenticated by either acts in one role of its account, whose scope decides
// what it sees (the case engine's actor).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "app/store.h"
#include "core/account.h"
#include "core/clock.h"

namespace gongzhi {

struct Principal {
  Account account;  // password hash cleared
  int role_n = 0;
  RoleGrant grant;
  std::string actor;  // ActorOfGrant(grant); empty for roles that do not act on cases
  std::string kind;   // "session" or "api"
};

struct LoginResult {
  std::string token;  // shown once: the cookie value
  InstantMs expires_at = 0;
  int64_t lifetime_s = 0;
  Principal principal;
};

struct AccountSettings {
  int64_t session_hours = 12;
  int max_failures = 5;            // failed logins per login name ...
  int max_address_failures = 20;   // ... or per address (an office behind one NAT) ...
  int64_t lockout_minutes = 15;    // ... within this window lock that name or address for it
};

class AccountService {
 public:
  AccountService(Store& store, const Clock& clock, AccountSettings settings = {});

  // Creates an account (login lower-cased; kConflict if taken). `by` is recorded with the roles.
  Result<Account> Create(std::string login, const std::string& name, const std::string& password,
                         const std::vector<RoleGrant>& grants, const std::string& by);
  // Checks the password and opens a session acting in role `role_n`. Wrong login and wrong password
  // answer alike (kUnauthenticated); too many failures answer kResourceExhausted with the seconds
  // to wait in `retry_after`.
  Result<LoginResult> Login(const std::string& login, const std::string& password, int role_n,
                            const std::string& address, int64_t* retry_after = nullptr);
  // The principal of a session or API token, or nullopt when unknown, expired or disabled.
  Result<std::optional<Principal>> Authenticate(const std::string& token);
  Status Logout(const std::string& token);
  // Administration (the HTTP layer lets administrators only): accounts by login without password
  // hashes; one account; name, roles and disabled replaced, its sessions and tokens ended, the
  // change recorded by `by` (kConflict when it would leave no enabled administrator); the record.
  Result<std::vector<Account>> List(int limit, int offset);
  Result<Account> Get(int64_t id);
  Result<Account> Update(int64_t id, const std::string& name, const std::vector<RoleGrant>& grants, bool disabled,
                         const std::string& by);
  Result<std::vector<Store::RoleChange>> RoleChanges(int64_t id);
  // A bearer token for machines (Open311 partners, scripts), acting in role `role_n`; until revoked.
  Result<std::string> IssueApiToken(int64_t account_id, int role_n, const std::string& name);
  Status Revoke(const std::string& token);
  // Forgets failed sign-ins whose window has passed (a periodic job of the leading node).
  Status PruneFailures();

 private:
  Status CheckNameAndGrants(const std::string& name, const std::vector<RoleGrant>& grants);

  Store& store_;
  const Clock& clock_;
  AccountSettings settings_;
};

// SHA-256 of a token, hex (what the store keeps).
std::string TokenHash(const std::string& token);

}  // namespace gongzhi
