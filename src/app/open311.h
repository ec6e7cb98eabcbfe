// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): other systems exchange cases with
// ours. Services are our categories; a service request is a case (its id is the case id; the
// reporter's tracking code is the Open311 token). What GET returns is public: never the
// reporter's name, phone or email. The wire formats (JSON, XML) are the HTTP layer's.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/cases.h"
#include "app/grids.h"
#include "app/store.h"

namespace gongzhi {

struct Open311Submission {
  std::string service_code, description;
  std::optional<double> lat, lng;
  std::string address_string;
  std::string first_name, last_name, phone, email, media_url;
};

// A case as the public sees it.
struct PublicRequest {
  CaseRecord record;
  std::string service_name, agency, address, status_notes;
  bool closed = false;
};

struct Open311Query {
  std::vector<int64_t> ids;                 // when given, the other filters are ignored
  std::vector<std::string> service_codes;   // any of them
  std::optional<bool> closed;               // status=open / closed
  InstantMs from = 0, to = 0;               // requested between [from, to)
  int limit = 1000;
};

struct RequestUpdate {
  int64_t update_id = 0, case_id = 0;
  bool closed = false;
  InstantMs at = 0;
  std::string description;
};

class Open311Service {
 public:
  // `api_keys`: the keys allowed to POST (issue #6 moves them to hashed tokens of accounts).
  // `home_region`: where address strings are looked up (names of townships and communities).
  Open311Service(Store& store, CaseService& cases, GridService& grids, std::vector<std::string> api_keys,
                 std::string home_region);

  bool KeyAllowed(std::string_view key) const;
  // Active categories; with a point, only those a responsibility rule routes to a unit there
  // (none outside every grid).
  Result<std::vector<Category>> Services(std::optional<std::pair<double, double>> lng_lat);
  Result<std::optional<Category>> Service(const std::string& code);
  // A new case from channel "api". An address without a point is matched to the township or
  // community whose name it contains. `done` as CaseService::ReportAsync.
  void Submit(const Open311Submission& s, std::function<void(Result<IntakeResult>)> done);
  Result<std::vector<PublicRequest>> Requests(const Open311Query& q);
  Result<std::optional<int64_t>> IdOfToken(const std::string& token);
  // State changes in [from, to), oldest first (from the live feed: as far back as it is kept).
  Result<std::vector<RequestUpdate>> Updates(InstantMs from, InstantMs to, int limit);
  InstantMs Now() const { return cases_.clock().Now(); }

 private:
  // Names looked up once per listing, not once per request in it.
  struct Names {
    std::map<std::string, std::string> categories, regions;
    std::map<int64_t, std::string> units;
  };
  Result<PublicRequest> Public(const CaseRecord& c, Names& names);
  Result<std::string> RegionOfAddress(const std::string& address);

  Store& store_;
  CaseService& cases_;
  GridService& grids_;
  std::vector<std::string> key_hashes_;
  std::string home_region_;
};

// Whether a case in this state counts as closed for Open311 (closed, rejected, merged).
bool Open311Closed(CaseState s);

}  // namespace gongzhi
