// The REST API (/api/v1/..., /healthz): maps HTTP requests onto the use cases and their results
// onto JSON. Thread-safe; called on the server's worker threads.
#pragma once

#include <memory>
#include <string>

#include "app/assessment.h"
#include "app/cases.h"
#include "app/feed.h"
#include "app/grids.h"
#include "app/regions.h"
#include "http/http_types.h"

namespace gongzhi::http {

struct ApiInfo {
  std::string backend;        // "sqlite" or "postgres"
  std::string home_region;    // region the web UI opens at, e.g. "130404"
  std::string tile_url;       // optional map tile URL template for the web UI; empty = none
  std::string version;
};

class Api {
 public:
  // `cases`, `assessment` and `feed` may be null: their endpoints are then absent.
  Api(RegionService& regions, GridService& grids, CaseService* cases, ApiInfo info,
      AssessmentService* assessment = nullptr, FeedHub* feed = nullptr);
  ~Api();
  Response Handle(const Request& req);

 private:
  std::unique_ptr<class Router> routes_;
};

}  // namespace gongzhi::http
