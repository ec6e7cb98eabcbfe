// Accounts and roles (issue #6). Every role is held at a node of the region tree, at a unit, or
// (grid workers) as a grid worker record; what a request may see and do follows from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gongzhi {

enum class Role {
  kResident, kGridWorker, kCommunityStaff, kTownshipDispatcher, kDepartmentStaff, kLeader, kPartySecretary,
  kMediator, kVolunteer, kAdmin
};
const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

// One role of an account, with where it is held.
struct RoleGrant {
  Role role = Role::kResident;
  std::string region_code;  // region roles: the node (and everything under it)
  int64_t unit_id = 0;      // department_staff: the unit
  int64_t worker_id = 0;    // grid_worker: the grid worker record

  bool operator==(const RoleGrant&) const = default;
};

// "township_dispatcher@130404001", "department_staff@unit:5", "grid_worker@worker:3", "admin".
// InvalidArgument naming `field` when the role or its place does not fit.
Result<RoleGrant> ParseRoleGrant(std::string_view text, const std::string& field);
std::string RoleGrantText(const RoleGrant& g);

// The case engine's actor for a role ("dispatcher:REGION", "unit:ID", "worker:ID", "system"), or
// empty for roles that do not act on cases (resident, volunteer).
std::string ActorOfGrant(const RoleGrant& g);

// The region a viewer whose role is held at `scope` may read when it asks for `requested` (empty:
// its whole scope): the narrower of the two when one contains the other; PermissionDenied naming
// `field` when they do not overlap. An empty `scope` is the whole country (administrators).
Result<std::string> ClampRegion(std::string_view scope, std::string_view requested, const std::string& field);

struct Account {
  int64_t id = 0;
  std::string login, name;
  std::string password_hash;  // argon2id, libsodium's string form
  bool disabled = false;
  int64_t created_at = 0;
  std::vector<RoleGrant> grants;
};

// Login names: 3–64 of [a-z0-9._-] (case-insensitive, kept lower-case). Passwords: 10–256 bytes.
Status ValidateLogin(std::string_view login);
Status ValidatePassword(std::string_view password);

}  // namespace gongzhi
