#include "http/access.h"

#include "core/account.h"

namespace gongzhi::http {

Result<Actor> ActorOf(const Request& req) {
  if (req.actor.empty() && !req.credential.empty())
    return Status(ErrorCode::kPermissionDenied,
                  "your role does not act on cases; sign in with a staff role (dispatcher, unit, grid worker, leader)");
  if (req.actor.empty())
    return Status(ErrorCode::kUnauthenticated,
                  "sign in first (POST /api/v1/session) or send Authorization: Bearer TOKEN; an account whose role "
                  "acts on cases is needed");
  return Actor::Parse(req.actor);
}

Status RequireAdmin(const Request& req) {
  GZ_ASSIGN_OR_RETURN(Actor a, ActorOf(req));
  if (a.kind != Actor::Kind::kSystem)
    return Status(ErrorCode::kPermissionDenied, "only an administrator may change configuration or import data");
  return Status::Ok();
}

Result<std::string> ViewableRegion(const Request& req, const std::string& requested, const std::string& field) {
  GZ_ASSIGN_OR_RETURN(Actor a, ActorOf(req));
  switch (a.kind) {
    case Actor::Kind::kSystem: return requested;
    case Actor::Kind::kDispatcher: return ClampRegion(a.region, requested, field);
    default:
      return Status(ErrorCode::kPermissionDenied,
                    "figures across cases are for roles held at a region (dispatchers, leaders) and administrators");
  }
}

}  // namespace gongzhi::http
