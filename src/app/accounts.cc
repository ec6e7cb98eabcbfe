#include "app/accounts.h"

#include <sodium.h>

#include <algorithm>

#include "app/audit.h"

namespace gongzhi {
namespace {

constexpr unsigned long long kOpsLimit = 2;                // argon2id t=2,
constexpr size_t kMemLimit = 19 * 1024 * 1024;             // m=19 MiB (OWASP's minimum for argon2id)

std::string RandomToken(const char* prefix) {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(prefix) + hex;
}

std::string HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id: out of memory");
  return out;
}

// Logins are case-insensitive: kept and looked up lower-case.
std::string FoldLogin(std::string login) {
  std::transform(login.begin(), login.end(), login.begin(), [](unsigned char c) { return std::tolower(c); });
  return login;
}

}  // namespace

std::string TokenHash(const std::string& token) { return Sha256Hex(token); }

AccountService::AccountService(Store& store, const Clock& clock, AccountSettings settings)
    : store_(store), clock_(clock), settings_(settings) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Status AccountService::CheckNameAndGrants(const std::string& name, const std::vector<RoleGrant>& grants) {
  if (name.empty() || name.size() > 100) return Status::Invalid("name", "must be 1 to 100 bytes");
  if (grants.empty()) return Status::Invalid("roles", "an account holds at least one role");
  if (grants.size() > 20) return Status::Invalid("roles", "at most 20 roles per account");
  for (size_t i = 0; i < grants.size(); ++i) {
    const auto& g = grants[i];
    const std::string f = "roles[" + std::to_string(i) + "]";
    if (!g.region_code.empty()) {
      GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(g.region_code));
      if (!r) return Status::Invalid(f, "no region with code " + g.region_code);
    }
    if (g.unit_id) {
      GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(g.unit_id));
      if (!u) return Status::Invalid(f, "no unit with id " + std::to_string(g.unit_id));
    }
    if (g.worker_id) {
      GZ_ASSIGN_OR_RETURN(auto w, store_.GetWorker(g.worker_id));
      if (!w) return Status::Invalid(f, "no grid worker with id " + std::to_string(g.worker_id));
    }
  }
  return Status::Ok();
}

Result<std::vector<Account>> AccountService::List(int limit, int offset) {
  if (limit < 1 || limit > 1000) return Status::Invalid("limit", "must be between 1 and 1000");
  return store_.ListAccounts(limit, offset);
}

Result<Account> AccountService::Get(int64_t id) {
  GZ_ASSIGN_OR_RETURN(auto a, store_.GetAccount(id));
  if (!a) return Status::NotFound("no account with id " + std::to_string(id));
  a->password_hash.clear();
  return *a;
}

Result<Account> AccountService::Update(int64_t id, const std::string& name, const std::vector<RoleGrant>& grants,
                                       bool disabled, const std::string& by) {
  GZ_RETURN_IF_ERROR(CheckNameAndGrants(name, grants));
  GZ_ASSIGN_OR_RETURN(Account a, Get(id));
  auto is_admin = [](const Account& x) {
    return !x.disabled && std::any_of(x.grants.begin(), x.grants.end(), [](const RoleGrant& g) { return g.role == Role::kAdmin; });
  };
  a.name = name;
  a.grants = grants;
  a.disabled = disabled;
  if (!is_admin(a)) {  // nobody could manage accounts any more: refused
    GZ_ASSIGN_OR_RETURN(auto all, store_.ListAccounts(100'000, 0));
    if (std::none_of(all.begin(), all.end(), [&](const Account& x) { return x.id != id && is_admin(x); }))
      return Status::Conflict("this is the last enabled administrator; make another one first", "roles");
  }
  GZ_RETURN_IF_ERROR(store_.UpdateAccount(a, by, clock_.Now()));
  return a;
}

Result<std::vector<Store::RoleChange>> AccountService::RoleChanges(int64_t id) {
  GZ_RETURN_IF_ERROR(Get(id).status());
  return store_.ListRoleChanges(id);
}

Result<Account> AccountService::Create(std::string login, const std::string& name, const std::string& password,
                                       const std::vector<RoleGrant>& grants, const std::string& by) {
  login = FoldLogin(std::move(login));
  GZ_RETURN_IF_ERROR(ValidateLogin(login));
  GZ_RETURN_IF_ERROR(ValidatePassword(password));
  GZ_RETURN_IF_ERROR(CheckNameAndGrants(name, grants));
  Account a;
  a.login = std::move(login);
  a.name = name;
  a.password_hash = HashPassword(password);
  a.created_at = clock_.Now();
  a.grants = grants;
  GZ_ASSIGN_OR_RETURN(auto out, store_.InsertAccount(a, by));
  out.password_hash.clear();
  return out;
}

Status AccountService::PruneFailures() {
  return store_.PruneLoginFailures(clock_.Now() - settings_.lockout_minutes * 60'000).status();
}

Result<LoginResult> AccountService::Login(const std::string& login_in, const std::string& password, int role_n,
                                          const std::string& address, int64_t* retry_after) {
  const std::string login = FoldLogin(login_in);
  const InstantMs now = clock_.Now();
  const std::string by_login = "login:" + login, by_address = "addr:" + address;
  // The lockout is kept in the database: every node sees it, a restart does not lift it.
  GZ_ASSIGN_OR_RETURN(InstantMs until, store_.LoginLockedUntil({by_login, by_address}, now));
  if (until > now) {
    const int64_t wait = (until - now + 999) / 1000;
    if (retry_after) *retry_after = wait;
    return Status(ErrorCode::kResourceExhausted, "too many failed logins; try again in " + std::to_string(wait) + " s");
  }
  GZ_ASSIGN_OR_RETURN(auto account, store_.GetAccountByLogin(login));
  // An unknown login costs the same as a wrong password, so answers do not reveal which logins exist.
  static const std::string kDummy = HashPassword("not-a-password-of-anyone");
  const std::string& hash = account ? account->password_hash : kDummy;
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0 && account &&
                  !account->disabled;
  if (!ok) {
    const int64_t window = settings_.lockout_minutes * 60'000;
    GZ_RETURN_IF_ERROR(store_.CountLoginFailure(by_login, now, window, settings_.max_failures));
    GZ_RETURN_IF_ERROR(store_.CountLoginFailure(by_address, now, window, settings_.max_address_failures));
    return Status(ErrorCode::kUnauthenticated, "wrong login or password", "password");
  }
  GZ_RETURN_IF_ERROR(store_.ForgetLoginFailures(by_login));
  if (role_n < 0 || role_n >= static_cast<int>(account->grants.size()))
    return Status::Invalid("role", "the account holds " + std::to_string(account->grants.size()) + " roles");
  LoginResult out;
  out.token = RandomToken("gzs_");
  out.expires_at = now + settings_.session_hours * 3'600'000;
  out.lifetime_s = settings_.session_hours * 3600;
  GZ_RETURN_IF_ERROR(store_.InsertCredential({TokenHash(out.token), account->id, role_n, "session", "", now, out.expires_at}));
  account->password_hash.clear();
  out.principal = Principal{*account, role_n, account->grants[role_n], ActorOfGrant(account->grants[role_n]), "session"};
  return out;
}

Result<std::optional<Principal>> AccountService::Authenticate(const std::string& token) {
  if (token.size() != 68 || !(token.starts_with("gzs_") || token.starts_with("gzt_"))) return std::optional<Principal>();
  GZ_ASSIGN_OR_RETURN(auto in, store_.GetSignedIn(TokenHash(token)));
  if (!in) return std::optional<Principal>();
  const auto& cred = in->credential;
  if ((cred.expires_at && cred.expires_at <= clock_.Now()) || in->account.disabled ||
      cred.role_n >= static_cast<int>(in->account.grants.size()))
    return std::optional<Principal>();
  const RoleGrant g = in->account.grants[cred.role_n];
  return std::optional<Principal>(Principal{std::move(in->account), cred.role_n, g, ActorOfGrant(g), cred.kind});
}

Status AccountService::Logout(const std::string& token) { return store_.DeleteCredential(TokenHash(token)); }

Result<std::string> AccountService::IssueApiToken(int64_t account_id, int role_n, const std::string& name) {
  GZ_ASSIGN_OR_RETURN(auto account, store_.GetAccount(account_id));
  if (!account) return Status::NotFound("no account with id " + std::to_string(account_id));
  if (role_n < 0 || role_n >= static_cast<int>(account->grants.size()))
    return Status::Invalid("role", "the account holds " + std::to_string(account->grants.size()) + " roles");
  if (name.empty() || name.size() > 100) return Status::Invalid("name", "must be 1 to 100 bytes");
  std::string token = RandomToken("gzt_");
  GZ_RETURN_IF_ERROR(store_.InsertCredential({TokenHash(token), account_id, role_n, "api", name, clock_.Now(), 0}));
  return token;
}

Status AccountService::Revoke(const std::string& token) { return store_.DeleteCredential(TokenHash(token)); }

}  // namespace gongzhi
