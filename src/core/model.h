// Records of the foundation: units attached to the region tree, grids, grid workers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace gongzhi {

// Units that are not regions (职能部门, 党组织, 驻区单位, 社会组织), attached at a node of the region tree.
enum class UnitKind { kDepartment, kPartyOrg, kResidentUnit, kSocialOrg };
const char* UnitKindName(UnitKind kind);  // "department", "party_org", "resident_unit", "social_org"
std::optional<UnitKind> ParseUnitKind(std::string_view name);

struct Unit {
  int64_t id = 0;
  UnitKind kind = UnitKind::kDepartment;
  std::string name;
  std::string region_code;  // the region node the unit is attached to
  std::string phone;        // duty phone, may be empty
  InstantMs created_at = 0;
};

// Checks the fields a caller supplies (kind is typed already): name 1..200 bytes of valid UTF-8,
// region code of division-code shape, phone at most 32 characters of digits, spaces, + and -.
Status ValidateUnit(const Unit& u);

struct Grid {
  std::string code;            // 15 digits
  std::string name;
  std::string community_code;  // first 12 digits of code
  std::string geometry;        // GeoJSON geometry object (Polygon or MultiPolygon), as text
  bool synthetic = false;      // generated for a demo, not surveyed
  double min_lng = 0, min_lat = 0, max_lng = 0, max_lat = 0;
};

// 网格员: a person assigned to one or more grids, carrying at most `capacity` open tasks.
struct GridWorker {
  int64_t id = 0;
  std::string name;
  std::string phone;
  int capacity = 10;
  bool active = true;
  std::vector<std::string> grid_codes;
  InstantMs created_at = 0;
};

// name 1..100 bytes, phone ≤ 32 of [0-9 +-], capacity 1..1000, grid codes well-formed and unique.
Status ValidateGridWorker(const GridWorker& w);

// True when `s` is well-formed UTF-8 without NUL or other C0 control characters except tab/newline.
bool IsCleanUtf8(std::string_view s);

}  // namespace gongzhi
