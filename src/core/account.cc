#include "core/account.h"

#include "core/region.h"

namespace gongzhi {
namespace {

constexpr const char* kRoleNames[] = {"resident", "grid_worker", "community_staff", "township_dispatcher",
                                      "department_staff", "leader", "party_secretary", "mediator", "volunteer",
                                      "admin"};

}  // namespace

const char* RoleName(Role r) { return kRoleNames[static_cast<int>(r)]; }

std::optional<Role> ParseRole(std::string_view s) {
  for (int i = 0; i < static_cast<int>(std::size(kRoleNames)); ++i)
    if (s == kRoleNames[i]) return static_cast<Role>(i);
  return std::nullopt;
}

Result<RoleGrant> ParseRoleGrant(std::string_view text, const std::string& field) {
  auto at = text.find('@');
  auto role = ParseRole(text.substr(0, at));
  if (!role) return Status::Invalid(field, "unknown role '" + std::string(text.substr(0, at)) + "'");
  RoleGrant g;
  g.role = *role;
  std::string_view place = at == std::string_view::npos ? "" : text.substr(at + 1);
  auto id_after = [&](std::string_view prefix) -> int64_t {
    if (!place.starts_with(prefix)) return 0;
    auto digits = place.substr(prefix.size());
    if (digits.empty() || digits.size() > 15 || !IsDigits(digits)) return 0;
    return std::stoll(std::string(digits));
  };
  switch (g.role) {
    case Role::kAdmin:
    case Role::kResident:
      if (!place.empty()) return Status::Invalid(field, std::string(RoleName(g.role)) + " is not held at a place");
      return g;
    case Role::kDepartmentStaff:
      g.unit_id = id_after("unit:");
      if (!g.unit_id) return Status::Invalid(field, "department_staff is held at a unit: department_staff@unit:ID");
      return g;
    case Role::kGridWorker:
      g.worker_id = id_after("worker:");
      if (!g.worker_id) return Status::Invalid(field, "grid_worker is held as a grid worker: grid_worker@worker:ID");
      return g;
    default:
      if (!LevelOfCode(place))
        return Status::Invalid(field, std::string(RoleName(g.role)) + " is held at a region: " + RoleName(g.role) +
                                          "@REGION_CODE");
      g.region_code = std::string(place);
      return g;
  }
}

std::string RoleGrantText(const RoleGrant& g) {
  std::string out = RoleName(g.role);
  if (!g.region_code.empty()) out += "@" + g.region_code;
  if (g.unit_id) out += "@unit:" + std::to_string(g.unit_id);
  if (g.worker_id) out += "@worker:" + std::to_string(g.worker_id);
  return out;
}

std::string ActorOfGrant(const RoleGrant& g) {
  switch (g.role) {
    case Role::kAdmin: return "system";
    case Role::kGridWorker: return "worker:" + std::to_string(g.worker_id);
    case Role::kDepartmentStaff: return "unit:" + std::to_string(g.unit_id);
    case Role::kCommunityStaff:
    case Role::kTownshipDispatcher:
    case Role::kLeader:
    case Role::kPartySecretary:
    case Role::kMediator: return "dispatcher:" + g.region_code;
    case Role::kResident:
    case Role::kVolunteer: return "";
  }
  return "";
}

Result<std::string> ClampRegion(std::string_view scope, std::string_view requested, const std::string& field) {
  if (requested.starts_with(scope)) return std::string(requested);
  if (scope.starts_with(requested)) return std::string(scope);
  return Status(ErrorCode::kPermissionDenied,
                "region " + std::string(requested) + " is outside the region your role is held at (" +
                    std::string(scope) + ")",
                field);
}

Status ValidateLogin(std::string_view login) {
  if (login.size() < 3 || login.size() > 64) return Status::Invalid("login", "must be 3 to 64 characters");
  for (char c : login)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return Status::Invalid("login", "may hold only a-z, 0-9, '.', '_' and '-'");
  return Status::Ok();
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < 10) return Status::Invalid("password", "must be at least 10 characters");
  if (password.size() > 256) return Status::Invalid("password", "must be at most 256 bytes");
  return Status::Ok();
}

}  // namespace gongzhi
