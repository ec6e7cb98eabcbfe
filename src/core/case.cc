#include "core/case.h"

#include <cmath>

#include "core/model.h"

namespace gongzhi {

const char* UrgencyName(Urgency u) {
  switch (u) {
    case Urgency::kNormal: return "normal";
    case Urgency::kUrgent: return "urgent";
    case Urgency::kEmergency: return "emergency";
  }
  return "normal";
}

std::optional<Urgency> ParseUrgency(std::string_view s) {
  if (s == "normal") return Urgency::kNormal;
  if (s == "urgent") return Urgency::kUrgent;
  if (s == "emergency") return Urgency::kEmergency;
  return std::nullopt;
}

const char* ChannelName(Channel c) {
  switch (c) {
    case Channel::kResident: return "resident";
    case Channel::kGridWorker: return "grid_worker";
    case Channel::kHotline: return "hotline";
    case Channel::kApi: return "api";
  }
  return "api";
}

std::optional<Channel> ParseChannel(std::string_view s) {
  if (s == "resident") return Channel::kResident;
  if (s == "grid_worker") return Channel::kGridWorker;
  if (s == "hotline") return Channel::kHotline;
  if (s == "api") return Channel::kApi;
  return std::nullopt;
}

const char* SatisfactionName(Satisfaction s) {
  switch (s) {
    case Satisfaction::kSatisfied: return "satisfied";
    case Satisfaction::kBasicallySatisfied: return "basically_satisfied";
    case Satisfaction::kUnsatisfied: return "unsatisfied";
  }
  return "satisfied";
}

std::optional<Satisfaction> ParseSatisfaction(std::string_view s) {
  if (s == "satisfied") return Satisfaction::kSatisfied;
  if (s == "basically_satisfied") return Satisfaction::kBasicallySatisfied;
  if (s == "unsatisfied") return Satisfaction::kUnsatisfied;
  return std::nullopt;
}

const char* DeadlineLightName(DeadlineLight l) {
  switch (l) {
    case DeadlineLight::kNone: return "none";
    case DeadlineLight::kGreen: return "green";
    case DeadlineLight::kYellow: return "yellow";
    case DeadlineLight::kRed: return "red";
  }
  return "none";
}

Status ValidateCategory(const Category& c) {
  if (c.code.size() < 2 || c.code.size() > 8) return Status::Invalid("code", "must have 2 to 8 letters or digits");
  for (char ch : c.code)
    if (!std::isalnum(static_cast<unsigned char>(ch))) return Status::Invalid("code", "must have 2 to 8 letters or digits");
  if (c.name.empty() || c.name.size() > 100 || !IsCleanUtf8(c.name))
    return Status::Invalid("name", "must be 1 to 100 bytes of plain text");
  if (!c.parent_code.empty() &&
      (c.parent_code.size() >= c.code.size() || !c.code.starts_with(c.parent_code)))
    return Status::Invalid("parent_code", "a 小类's code must start with its 大类's code " + c.parent_code);
  constexpr int64_t kMax = 365LL * 24 * 60;
  if (c.response_minutes < 1 || c.response_minutes > kMax)
    return Status::Invalid("response_minutes", "must be between 1 and " + std::to_string(kMax));
  if (c.handling_minutes < 1 || c.handling_minutes > kMax)
    return Status::Invalid("handling_minutes", "must be between 1 and " + std::to_string(kMax));
  if (c.response_minutes > c.handling_minutes)
    return Status::Invalid("response_minutes", "the response limit cannot exceed the handling limit");
  return Status::Ok();
}

namespace {

InstantMs AddLimit(const Category& c, const WorkCalendar& cal, InstantMs from, int64_t minutes) {
  if (c.urgency == Urgency::kEmergency) return from + minutes * 60'000;
  return cal.AddWorkingMinutes(from, minutes);
}

}  // namespace

Deadlines ComputeDeadlines(const Category& c, const WorkCalendar& cal, InstantMs from) {
  Deadlines d;
  // 80% rounded up to whole minutes, so the light never turns yellow before 80% has passed.
  d.response_warn = AddLimit(c, cal, from, (c.response_minutes * 4 + 4) / 5);
  d.response_due = AddLimit(c, cal, from, c.response_minutes);
  d.handling_warn = AddLimit(c, cal, from, (c.handling_minutes * 4 + 4) / 5);
  d.handling_due = AddLimit(c, cal, from, c.handling_minutes);
  return d;
}

Deadlines ExtendHandling(const Deadlines& d, const Category& c, const WorkCalendar& cal, int64_t extra) {
  Deadlines out = d;
  out.handling_due = AddLimit(c, cal, d.handling_due, extra);
  // The warning moves with the deadline: 80% of the extension past the old due time.
  out.handling_warn = AddLimit(c, cal, d.handling_due, (extra * 4 + 4) / 5);
  return out;
}

DeadlineLight LightAt(InstantMs warn, InstantMs due, InstantMs now) {
  if (due == 0) return DeadlineLight::kNone;
  if (now >= due) return DeadlineLight::kRed;
  if (now >= warn) return DeadlineLight::kYellow;
  return DeadlineLight::kGreen;
}

namespace {
constexpr double kCellsPerDegree = 500;
int64_t CellIndex(double deg) { return static_cast<int64_t>(std::floor(deg * kCellsPerDegree)) + 100000; }
}  // namespace

int64_t GeoCell(double lng, double lat) { return CellIndex(lat) * 1000000 + CellIndex(lng); }

DegreeBox BoxAround(double lat, double radius_m) {
  // 111,000 m per degree of latitude: less than the true ~111,195, so the box errs on the wide side.
  const double dlat = radius_m / 111000.0;
  return {dlat, dlat / std::max(0.01, std::cos(lat * M_PI / 180))};
}

std::vector<int64_t> GeoCellsAround(double lng, double lat, double radius_m) {
  const auto [dlat, dlng] = BoxAround(lat, radius_m);
  std::vector<int64_t> out;
  for (int64_t y = CellIndex(lat - dlat); y <= CellIndex(lat + dlat); ++y)
    for (int64_t x = CellIndex(lng - dlng); x <= CellIndex(lng + dlng); ++x) out.push_back(y * 1000000 + x);
  return out;
}

double DistanceM(double lng1, double lat1, double lng2, double lat2) {
  constexpr double kR = 6371000, kRad = M_PI / 180;
  double dlat = (lat2 - lat1) * kRad, dlng = (lng2 - lng1) * kRad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(a)));
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status ValidateIntake(const CaseRecord& c) {
  if (c.description.empty()) return Status::Invalid("description", "must not be empty");
  if (!IsCleanUtf8(c.description)) return Status::Invalid("description", "must be plain UTF-8 text");
  if (Utf8Length(c.description) > 4000) return Status::Invalid("description", "longer than 4,000 characters");
  if (c.lng.has_value() != c.lat.has_value()) return Status::Invalid(c.lng ? "lat" : "lng", "give both lng and lat, or neither");
  if (c.lng && (!std::isfinite(*c.lng) || *c.lng < -180 || *c.lng > 180))
    return Status::Invalid("lng", "must be between -180 and 180");
  if (c.lat && (!std::isfinite(*c.lat) || *c.lat < -90 || *c.lat > 90)) return Status::Invalid("lat", "must be between -90 and 90");
  if (c.reporter_name.size() > 50 || !IsCleanUtf8(c.reporter_name))
    return Status::Invalid("reporter.name", "must be at most 50 bytes of plain text");
  if (c.reporter_phone.size() > 20) return Status::Invalid("reporter.phone", "longer than 20 characters");
  for (char ch : c.reporter_phone)
    if (!((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == ' '))
      return Status::Invalid("reporter.phone", "may hold only digits, spaces, '+' and '-'");
  return Status::Ok();
}

}  // namespace gongzhi
