#include "core/model.h"

#include <set>

#include "core/grid.h"
#include "core/region.h"

namespace gongzhi {

const char* UnitKindName(UnitKind kind) {
  switch (kind) {
    case UnitKind::kDepartment: return "department";
    case UnitKind::kPartyOrg: return "party_org";
    case UnitKind::kResidentUnit: return "resident_unit";
    case UnitKind::kSocialOrg: return "social_org";
  }
  return "department";
}

std::optional<UnitKind> ParseUnitKind(std::string_view n) {
  if (n == "department") return UnitKind::kDepartment;
  if (n == "party_org") return UnitKind::kPartyOrg;
  if (n == "resident_unit") return UnitKind::kResidentUnit;
  if (n == "social_org") return UnitKind::kSocialOrg;
  return std::nullopt;
}

bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

namespace {

Status CheckText(const std::string& v, const char* field, size_t max, bool required) {
  if (required && v.empty()) return Status::Invalid(field, "must not be empty");
  if (v.size() > max) return Status::Invalid(field, "longer than " + std::to_string(max) + " bytes");
  if (!IsCleanUtf8(v)) return Status::Invalid(field, "must be valid UTF-8 text without control characters");
  return Status::Ok();
}

Status CheckPhone(const std::string& v) {
  if (v.size() > 32) return Status::Invalid("phone", "longer than 32 characters");
  for (char c : v)
    if (!((c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '-'))
      return Status::Invalid("phone", "may hold only digits, spaces, '+' and '-'");
  return Status::Ok();
}

}  // namespace

Status ValidateUnit(const Unit& u) {
  GZ_RETURN_IF_ERROR(CheckText(u.name, "name", 200, true));
  if (!LevelOfCode(u.region_code))
    return Status::Invalid("region_code", "'" + u.region_code + "' is not a division code of 2, 4, 6, 9 or 12 digits");
  return CheckPhone(u.phone);
}

Status ValidateGridWorker(const GridWorker& w) {
  GZ_RETURN_IF_ERROR(CheckText(w.name, "name", 100, true));
  GZ_RETURN_IF_ERROR(CheckPhone(w.phone));
  if (w.capacity < 1 || w.capacity > 1000) return Status::Invalid("capacity", "must be between 1 and 1000");
  std::set<std::string> seen;
  for (size_t i = 0; i < w.grid_codes.size(); ++i) {
    std::string f = "grids[" + std::to_string(i) + "]";
    GZ_RETURN_IF_ERROR(ValidateGridCode(w.grid_codes[i], f));
    if (!seen.insert(w.grid_codes[i]).second) return Status::Invalid(f, "grid listed twice");
  }
  return Status::Ok();
}

}  // namespace gongzhi
