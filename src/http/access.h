// Who may call what (issue #6). The API settles who acts (session, API token, or the trusted
// X-Gongzhi-Actor header) into Request::actor; these checks turn it into allowed / 401 / 403.
// Case reads and actions are scoped further by CaseService (a case outside the scope is 404).
#pragma once

#include <string>

#include "app/cases.h"
#include "http/http_types.h"
#include "http/router.h"

namespace gongzhi::http {

// The actor of a request: 401 when nobody is signed in, 403 when the signed-in role does not act
// on cases (resident, volunteer), 400 for an unreadable trusted header.
Result<Actor> ActorOf(const Request& req);

// Configuration and foundation writes, imports: administrators only.
Status RequireAdmin(const Request& req);

// A route handler behind RequireAdmin.
template <typename F>
auto AdminOnly(F fn) {
  return [fn = std::move(fn)](const Request& req, const Params& p) {
    if (Status s = RequireAdmin(req); !s.ok()) return ErrorResponse(s);
    return fn(req, p);
  };
}

// Aggregates (assessment, dashboard, supervision, workload): administrators anywhere; roles held
// at a region (dispatchers, community staff, leaders, ...) inside it. Returns `requested` (a
// region code, empty = everything) narrowed to the caller's region; 403 naming `field` when it
// lies outside, 403 for unit and grid-worker roles.
Result<std::string> ViewableRegion(const Request& req, const std::string& requested, const std::string& field = "region");

}  // namespace gongzhi::http
