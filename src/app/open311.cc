#include "app/open311.h"

#include <algorithm>

#include <sodium.h>

#include "app/audit.h"
#include "core/routing.h"

namespace gongzhi {
namespace {

// Status notes in words (zh-CN, as the platform's residents read them).
const char* StatusNote(CaseState s) {
  switch (s) {
    case CaseState::kReported: return "已上报，等待受理";
    case CaseState::kAccepted: return "已立案，等待派遣";
    case CaseState::kRejected: return "不予受理";
    case CaseState::kMerged: return "与同一问题的案件合并办理";
    case CaseState::kDispatched: return "已派遣，等待签收";
    case CaseState::kReturned: return "已退回，重新派遣中";
    case CaseState::kHandling: return "处置中";
    case CaseState::kResolved: return "已办结，等待核查";
    case CaseState::kVerified: return "核查通过，等待评价";
    case CaseState::kClosed: return "已结案";
    case CaseState::kParked: return "挂账，定期复核";
  }
  return "";
}

}  // namespace

bool Open311Closed(CaseState s) {
  return s == CaseState::kClosed || s == CaseState::kRejected || s == CaseState::kMerged;
}

Open311Service::Open311Service(Store& store, CaseService& cases, GridService& grids, std::vector<std::string> api_keys,
                               std::string home_region)
    : store_(store), cases_(cases), grids_(grids), home_region_(std::move(home_region)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  for (const auto& k : api_keys) key_hashes_.push_back(Sha256Hex(k));
}

bool Open311Service::KeyAllowed(std::string_view key) const {
  if (key.empty()) return false;
  std::string h = Sha256Hex(key);
  bool ok = false;
  for (const auto& k : key_hashes_)  // constant time per key (64 hex characters)
    ok |= crypto_verify_64(reinterpret_cast<const unsigned char*>(h.data()),
                           reinterpret_cast<const unsigned char*>(k.data())) == 0;
  return ok;
}

Result<std::vector<Category>> Open311Service::Services(std::optional<std::pair<double, double>> lng_lat) {
  GZ_ASSIGN_OR_RETURN(auto all, cases_.Categories());
  std::erase_if(all, [](const Category& c) { return !c.active; });
  if (!lng_lat) return all;
  auto loc = grids_.Locate(lng_lat->first, lng_lat->second);
  if (!loc.ok()) {
    if (loc.status().code() == ErrorCode::kNotFound) return std::vector<Category>{};
    return loc.status();
  }
  std::string region = loc->community.code.empty() ? loc->township.code : loc->community.code;
  GZ_ASSIGN_OR_RETURN(auto rules, cases_.Rules());
  std::erase_if(all, [&](const Category& c) { return !Route(rules, c.code, region).unit_id; });
  return all;
}

Result<std::optional<Category>> Open311Service::Service(const std::string& code) {
  GZ_ASSIGN_OR_RETURN(auto all, cases_.Categories());
  for (auto& c : all)
    if (c.code == code && c.active) return std::optional<Category>(std::move(c));
  return std::optional<Category>();
}

Result<std::string> Open311Service::RegionOfAddress(const std::string& address) {
  // The most specific region whose name the address contains: a community before its township.
  for (RegionLevel level : {RegionLevel::kVillage, RegionLevel::kTownship}) {
    GZ_ASSIGN_OR_RETURN(auto regions, store_.RegionsUnder(home_region_, level));
    const Region* best = nullptr;
    for (const auto& r : regions)
      if (r.name.size() >= 6 && address.find(r.name) != std::string::npos && (!best || r.name.size() > best->name.size()))
        best = &r;
    if (best) return best->code;
  }
  return Status::Invalid("address_string",
                         "names no township or community of this jurisdiction; give lat and long instead");
}

void Open311Service::Submit(const Open311Submission& s, std::function<void(Result<IntakeResult>)> done) {
  if (s.service_code.empty()) return done(Status::Invalid("service_code", "is required"));
  auto svc = Service(s.service_code);
  if (!svc.ok()) return done(svc.status());
  if (!*svc) return done(Status::NotFound("no service with code " + s.service_code));
  IntakeRequest req;
  req.category_code = s.service_code;
  req.description = s.description;
  req.channel = Channel::kApi;
  req.reporter_name = s.last_name + s.first_name;  // Chinese order: family name first
  req.reporter_phone = s.phone;
  if (s.lat || s.lng) {
    if (!s.lat || !s.lng) return done(Status::Invalid(s.lat ? "long" : "lat", "lat and long go together"));
    req.lat = s.lat;
    req.lng = s.lng;
  } else if (!s.address_string.empty()) {
    auto region = RegionOfAddress(s.address_string);
    if (!region.ok()) return done(region.status());
    req.region_code = *region;
  } else {
    return done(Status::Invalid("lat", "give lat and long, or address_string"));
  }
  if (!s.address_string.empty() && !req.description.empty()) req.description += "\n地址：" + s.address_string;
  cases_.ReportAsync(req, std::move(done));
}

Result<PublicRequest> Open311Service::Public(const CaseRecord& c, Names& names) {
  PublicRequest p;
  p.record = c;
  p.closed = Open311Closed(c.facts.state);
  p.status_notes = StatusNote(c.facts.state);
  p.service_name = names.categories[c.category_code];
  if (c.unit_id) {
    auto [it, fresh] = names.units.try_emplace(*c.unit_id);
    if (fresh) {
      GZ_ASSIGN_OR_RETURN(auto u, store_.GetUnit(*c.unit_id));
      if (u) it->second = u->name;
    }
    p.agency = it->second;
  }
  auto region = [&](const std::string& code) -> Result<std::string> {
    auto [it, fresh] = names.regions.try_emplace(code);
    if (fresh) {
      GZ_ASSIGN_OR_RETURN(auto r, store_.GetRegion(code));
      if (r) it->second = r->name;
    }
    return it->second;
  };
  GZ_ASSIGN_OR_RETURN(p.address, region(c.township_code));
  if (c.region_code != c.township_code) {
    GZ_ASSIGN_OR_RETURN(auto community, region(c.region_code));
    p.address += community;
  }
  return p;
}

Result<std::vector<PublicRequest>> Open311Service::Requests(const Open311Query& q) {
  const Actor everyone{Actor::Kind::kSystem};
  std::vector<CaseRecord> found;
  if (!q.ids.empty()) {
    for (int64_t id : q.ids) {
      auto v = cases_.Get(id, everyone);
      if (v.ok()) found.push_back(v->record);
      else if (v.status().code() != ErrorCode::kNotFound) return v.status();
    }
  } else {
    std::vector<std::string> codes = q.service_codes;
    if (codes.empty()) codes.push_back("");
    for (const auto& code : codes) {
      CaseFilter f;
      f.category = code;
      f.open_only = q.closed == false;
      f.closed_only = q.closed == true;
      f.created_from = q.from;
      f.created_to = q.to;
      // Pages of 500 until `limit` cases of exactly this code (a prefix filter also matches
      // sub-categories, which Open311 lists under their own code).
      for (int got = 0; got < q.limit;) {
        f.limit = 500;
        GZ_ASSIGN_OR_RETURN(auto page, cases_.List(f, everyone));
        for (auto& c : page)
          if ((code.empty() || c.category_code == code) && got < q.limit) found.push_back(std::move(c)), ++got;
        if (page.size() < 500) break;
        f.after_id = page.back().id;
      }
    }
    std::sort(found.begin(), found.end(), [](const CaseRecord& a, const CaseRecord& b) { return a.id > b.id; });
    if (static_cast<int>(found.size()) > q.limit) found.resize(q.limit);
  }
  Names names;
  GZ_ASSIGN_OR_RETURN(auto categories, cases_.Categories());
  for (const auto& c : categories)
    if (c.active) names.categories[c.code] = c.name;
  std::vector<PublicRequest> out;
  for (const auto& c : found) {
    GZ_ASSIGN_OR_RETURN(auto p, Public(c, names));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<int64_t>> Open311Service::IdOfToken(const std::string& token) {
  GZ_ASSIGN_OR_RETURN(auto c, store_.cases().GetCaseByTracking(token));
  return c ? std::optional<int64_t>(c->id) : std::nullopt;
}

Result<std::vector<RequestUpdate>> Open311Service::Updates(InstantMs from, InstantMs to, int limit) {
  // Most entries are state changes; reading a few times `limit` finds `limit` of them.
  GZ_ASSIGN_OR_RETURN(auto rows, store_.cases().ReadFeedAt(from, to, limit * 4));
  std::vector<RequestUpdate> out;
  for (const auto& e : rows) {
    if (e.from_state.empty() || e.from_state == e.to_state) continue;  // the report itself, or no change
    auto st = ParseCaseState(e.to_state);
    if (!st) continue;
    out.push_back({e.id, e.case_id, Open311Closed(*st), e.at, StatusNote(*st)});
    if (static_cast<int>(out.size()) == limit) break;
  }
  return out;
}

}  // namespace gongzhi
