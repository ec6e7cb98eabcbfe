#include "http/session_api.h"

#include "app/audit.h"
#include "http/access.h"
#include "http/json_io.h"

namespace gongzhi::http {
namespace {

constexpr const char* kCookie = "gz_session";

json::object GrantJson(const RoleGrant& g) {
  json::object o{{"role", RoleName(g.role)}, {"text", RoleGrantText(g)}};
  if (!g.region_code.empty()) o["region_code"] = g.region_code;
  if (g.unit_id) o["unit_id"] = g.unit_id;
  if (g.worker_id) o["worker_id"] = g.worker_id;
  return o;
}

json::object PrincipalJson(const Principal& p, const std::string& session_token) {
  json::array roles;
  for (const auto& g : p.account.grants) roles.push_back(GrantJson(g));
  return {{"account", {{"id", p.account.id}, {"login", p.account.login}, {"name", p.account.name}}},
          {"roles", std::move(roles)},
          {"role", p.role_n},
          {"acting_as", GrantJson(p.grant)},
          {"actor", p.actor},
          {"credential", p.kind},
          {"csrf_token", p.kind == "session" ? CsrfTokenOf(session_token) : ""}};
}

json::object AccountJson(const Account& a) {
  json::array roles;
  for (const auto& g : a.grants) roles.push_back(GrantJson(g));
  return {{"id", a.id}, {"login", a.login}, {"name", a.name}, {"disabled", a.disabled},
          {"created_at", a.created_at}, {"roles", std::move(roles)}};
}

// {"roles": ["township_dispatcher@130404001", ...]}: each parsed, its index in the field path.
Result<std::vector<RoleGrant>> GrantsFromJson(const json::object& o) {
  auto v = o.if_contains("roles");
  if (!v || !v->is_array()) return Status::Invalid("roles", "must be an array of roles like \"township_dispatcher@130404001\"");
  std::vector<RoleGrant> out;
  for (size_t i = 0; i < v->get_array().size(); ++i) {
    const auto& x = v->get_array()[i];
    const std::string f = "roles[" + std::to_string(i) + "]";
    if (!x.is_string()) return Status::Invalid(f, "must be a string like \"department_staff@unit:5\"");
    GZ_ASSIGN_OR_RETURN(auto g, ParseRoleGrant(std::string_view(x.get_string()), f));
    out.push_back(std::move(g));
  }
  return out;
}

// Who changes an account: the administrator's login, or the trusted actor of a script.
std::string ByWhom(const Request& req) { return req.account.empty() ? req.actor : req.account; }

std::string CookieHeader(const Request& req, const std::string& value, int64_t max_age_s) {
  return std::string(kCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_s) + (req.secure ? "; Secure" : "");
}

}  // namespace

std::string CsrfTokenOf(const std::string& session_token) {
  return Sha256Hex("gongzhi csrf v1|" + session_token).substr(0, 32);
}

std::string CredentialOf(const Request& req, bool* bearer) {
  if (bearer) *bearer = false;
  if (req.authorization.starts_with("Bearer ")) {
    if (bearer) *bearer = true;
    return req.authorization.substr(7);
  }
  // Cookie: a=b; gz_session=TOKEN; c=d
  std::string_view c = req.cookie;
  while (!c.empty()) {
    size_t semi = c.find(';');
    std::string_view part = c.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with(std::string(kCookie) + "=")) return std::string(part.substr(std::string_view(kCookie).size() + 1));
    if (semi == std::string_view::npos) break;
    c.remove_prefix(semi + 1);
  }
  return "";
}

void AddSessionRoutes(Router& R, AccountService& accounts) {
  // Sign in: {"login", "password", "role": index of the role to act in (default 0)}.
  R.Add("POST", "/api/v1/session", [&accounts](const Request& req, const Params&) {
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    std::string login, password;
    int64_t role = 0;
    Status s = OnlyFields(*o, {"login", "password", "role"});
    if (s.ok()) s = GetString(*o, "login", login, true);
    if (s.ok()) s = GetString(*o, "password", password, true);
    if (s.ok()) s = GetInt(*o, "role", role, false, 0, 100);
    if (!s.ok()) return ErrorResponse(s);
    int64_t retry_after = 0;
    auto r = accounts.Login(login, password, static_cast<int>(role), req.remote_address, &retry_after);
    if (!r.ok()) {
      Response e = ErrorResponse(r.status());
      if (r.status().code() == ErrorCode::kResourceExhausted)
        e.headers.emplace_back("Retry-After", std::to_string(retry_after));
      return e;
    }
    Response out = Json(PrincipalJson(r->principal, r->token), 201);
    out.headers.emplace_back("Set-Cookie", CookieHeader(req, r->token, r->lifetime_s));
    out.headers.emplace_back("Cache-Control", "no-store");
    return out;
  });
  R.Add("GET", "/api/v1/session", [&accounts](const Request& req, const Params&) {
    auto p = accounts.Authenticate(req.credential);
    if (!p.ok()) return ErrorResponse(p.status());
    if (!*p) return ErrorResponse(Status(ErrorCode::kUnauthenticated, "not signed in"));
    return Json(PrincipalJson(**p, req.credential));
  });
  R.Add("DELETE", "/api/v1/session", [&accounts](const Request& req, const Params&) {
    if (!req.credential.empty()) {
      if (Status s = accounts.Logout(req.credential); !s.ok()) return ErrorResponse(s);
    }
    Response out = NoContent();
    out.headers.emplace_back("Set-Cookie", CookieHeader(req, "", 0));
    return out;
  });
  // --- administration of accounts and roles (administrators only; every change recorded) ---
  R.Add("GET", "/api/v1/accounts", AdminOnly([&accounts](const Request& req, const Params&) {
    int limit = 100, offset = 0;
    if (Status s = ParsePaging(req, limit, offset); !s.ok()) return ErrorResponse(s);
    return OrError(accounts.List(limit, offset), [](const std::vector<Account>& as) {
      json::array a;
      for (const auto& x : as) a.push_back(AccountJson(x));
      return Json({{"items", std::move(a)}});
    });
  }));
  R.Add("POST", "/api/v1/accounts", AdminOnly([&accounts](const Request& req, const Params&) {
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    std::string login, name, password;
    Status s = OnlyFields(*o, {"login", "name", "password", "roles"});
    if (s.ok()) s = GetString(*o, "login", login, true);
    if (s.ok()) s = GetString(*o, "name", name, true);
    if (s.ok()) s = GetString(*o, "password", password, true);
    if (!s.ok()) return ErrorResponse(s);
    auto grants = GrantsFromJson(*o);
    if (!grants.ok()) return ErrorResponse(grants.status());
    return OrError(accounts.Create(login, name, password, *grants, ByWhom(req)),
                   [](const Account& a) { return Json(AccountJson(a), 201); });
  }));
  R.Add("GET", "/api/v1/accounts/{}", AdminOnly([&accounts](const Request&, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    auto a = accounts.Get(*id);
    if (!a.ok()) return ErrorResponse(a.status());
    return OrError(accounts.RoleChanges(*id), [&](const std::vector<Store::RoleChange>& cs) {
      json::array changes;
      for (const auto& c : cs) changes.push_back({{"at", c.at}, {"by", c.by_actor}, {"roles", c.roles}});
      json::object o = AccountJson(*a);
      o["role_changes"] = std::move(changes);
      return Json(o);
    });
  }));
  // {"name", "roles", "disabled"}: all three, as the account should be; its sessions end.
  R.Add("PUT", "/api/v1/accounts/{}", AdminOnly([&accounts](const Request& req, const Params& p) {
    auto id = ParseId(p[0], "id");
    if (!id.ok()) return ErrorResponse(id.status());
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    std::string name;
    bool disabled = false;
    Status s = OnlyFields(*o, {"name", "roles", "disabled"});
    if (s.ok()) s = GetString(*o, "name", name, true);
    if (s.ok()) s = GetBool(*o, "disabled", disabled);
    if (!s.ok()) return ErrorResponse(s);
    auto grants = GrantsFromJson(*o);
    if (!grants.ok()) return ErrorResponse(grants.status());
    return OrError(accounts.Update(*id, name, *grants, disabled, ByWhom(req)),
                   [](const Account& a) { return Json(AccountJson(a)); });
  }));

  // An API token of the signed-in account: {"name", "role"}; shown once.
  R.Add("POST", "/api/v1/tokens", [&accounts](const Request& req, const Params&) {
    auto p = accounts.Authenticate(req.credential);
    if (!p.ok()) return ErrorResponse(p.status());
    if (!*p) return ErrorResponse(Status(ErrorCode::kUnauthenticated, "sign in to issue an API token"));
    auto o = ParseObject(req);
    if (!o.ok()) return ErrorResponse(o.status());
    std::string name;
    int64_t role = (*p)->role_n;
    Status s = OnlyFields(*o, {"name", "role"});
    if (s.ok()) s = GetString(*o, "name", name, true);
    if (s.ok()) s = GetInt(*o, "role", role, false, 0, 100);
    if (!s.ok()) return ErrorResponse(s);
    return OrError(accounts.IssueApiToken((*p)->account.id, static_cast<int>(role), name),
                   [](const std::string& t) { return Json({{"token", t}}, 201); });
  });
}

}  // namespace gongzhi::http
