// The REST API (/api/v1/..., /healthz): maps HTTP requests onto the use cases and their results
// onto JSON. Thread-safe; called on the server's worker threads (quick routes: on its I/O threads).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "app/assessment.h"
#include "app/cases.h"
#include "app/accounts.h"
#include "app/feed.h"
#include "app/open311.h"
#include "app/grids.h"
#include "app/regions.h"
#include "core/rate_limit.h"
#include "http/http_types.h"

namespace gongzhi::http {

struct ApiInfo {
  std::string backend;        // "sqlite" or "postgres"
  std::string home_region;    // region the web UI opens at, e.g. "130404"
  std::string tile_url;       // optional map tile URL template for the web UI; empty = none
  std::string version;
  const std::atomic<bool>* leading = nullptr;  // whether this node runs the periodic jobs (/healthz)
  // Whether X-Gongzhi-Actor is believed from requests without a credential (tests, scripts on a
  // trusted host). Off: only sessions and API tokens say who acts.
  bool trust_actor_header = false;
  // Reports and uploads from people without an account (POST /api/v1/cases, /api/v1/track/...),
  // per client address: tokens per minute and burst; 0 per minute turns the limit off.
  double intake_per_minute = 60, intake_burst = 120;
  // Peers whose X-Forwarded-For names the client (the nginx of deploy/); others are the client.
  std::vector<std::string> trusted_proxies;
};

// The optional parts of the API: the endpoints of a null one are absent.
struct ApiServices {
  CaseService* cases = nullptr;
  AssessmentService* assessment = nullptr;
  FeedHub* feed = nullptr;
  Open311Service* open311 = nullptr;
  AccountService* accounts = nullptr;  // null: no sign-in; the actor header is then believed
};

class Api {
 public:
  Api(RegionService& regions, GridService& grids, ApiInfo info, ApiServices parts = {});
  ~Api();
  Response Handle(const Request& req);
  // Whether the request is a cheap read (a case, a tracking code, /healthz) or an intake, which
  // hands its insert to the store's writer: see ServerOptions::quick.
  bool IsQuick(const Request& req) const;
  // The client's address: the peer, or the last X-Forwarded-For entry a trusted proxy added;
  // IPv6 addresses cut to their /64 (one household or phone holds a whole /64).
  std::string ClientAddress(const Request& req) const;

 private:
  std::unique_ptr<class Router> routes_;
  AccountService* accounts_ = nullptr;
  bool trust_actor_header_ = false;
  std::vector<std::string> trusted_proxies_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<TokenBuckets> intake_limit_;  // null: off
};

}  // namespace gongzhi::http
