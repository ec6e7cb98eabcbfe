#include "http/session_api.h"

#include "app/audit.h"
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
