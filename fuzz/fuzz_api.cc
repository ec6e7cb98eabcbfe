// libFuzzer target: the REST API's request handling (JSON bodies, query strings, paths) on an
// in-memory SQLite store with the demo data. Input: METHOD \n PATH?QUERY \n BODY.
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <string>

#include "app/accounts.h"
#include "app/assessment.h"
#include "app/cases.h"
#include "app/demo.h"
#include "http/api.h"
#include "store/dir_file_store.h"
#include "store/sql_store.h"

namespace {

struct World {
  gongzhi::ManualClock clock{1'795'000'000'000};
  std::unique_ptr<gongzhi::Store> store;
  std::unique_ptr<gongzhi::RegionService> regions;
  std::unique_ptr<gongzhi::GridService> grids;
  std::unique_ptr<gongzhi::FileStore> files;
  std::unique_ptr<gongzhi::CaseService> cases;
  std::unique_ptr<gongzhi::AssessmentService> assessment;
  std::unique_ptr<gongzhi::FeedHub> feed;
  std::unique_ptr<gongzhi::Open311Service> open311;
  std::unique_ptr<gongzhi::AccountService> accounts;
  std::unique_ptr<gongzhi::http::Api> api;
  std::string path = "/tmp/gongzhi-fuzz-api-" + std::to_string(::getpid()) + ".db";
  ~World() {
    api.reset(), accounts.reset(), open311.reset(), feed.reset(), assessment.reset(), cases.reset(), grids.reset(), regions.reset(), store.reset();
    for (const char* ext : {"", "-wal", "-shm"}) std::remove((path + ext).c_str());
    std::filesystem::remove_all(path + ".files");
  }
  World() {
    // A file, not ":memory:": the store's writer and readers are separate connections.
    for (const char* ext : {"", "-wal", "-shm"}) std::remove((path + ext).c_str());
    store = std::move(gongzhi::OpenStore(path, clock, 2).value());
    regions = std::make_unique<gongzhi::RegionService>(*store);
    grids = std::make_unique<gongzhi::GridService>(*store);
    files = std::move(gongzhi::OpenDirFileStore(path + ".files").value());
    cases = std::make_unique<gongzhi::CaseService>(*store, *grids, clock, gongzhi::CaseSettings{}, files.get());
    if (!gongzhi::LoadDemo(*regions, *grids, *store).ok()) __builtin_trap();
    if (!cases->LoadConfig().ok() || !cases->LoadDemoConfig().ok() || !grids->RebuildIndex().ok()) __builtin_trap();
    assessment = std::make_unique<gongzhi::AssessmentService>(*store, clock);
    feed = std::make_unique<gongzhi::FeedHub>(store->cases(), clock);
    open311 = std::make_unique<gongzhi::Open311Service>(*store, *cases, *grids, std::vector<std::string>{"fuzz-key"},
                                                        "130404");
    // Sign-in, cookies, tokens, CSRF and account administration are outside input too. The
    // "@actor" line still acts (the trusted header), as the tests' servers do.
    accounts = std::make_unique<gongzhi::AccountService>(*store, clock);
    gongzhi::http::ApiInfo info{"sqlite", "130404", "", "fuzz"};
    info.trust_actor_header = true;
    info.intake_per_minute = 0;
    api = std::make_unique<gongzhi::http::Api>(
        *regions, *grids, info,
        gongzhi::http::ApiServices{cases.get(), assessment.get(), feed.get(), open311.get(), accounts.get()});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  std::string in(reinterpret_cast<const char*>(data), size);
  gongzhi::http::Request req;
  size_t a = in.find('\n');
  size_t b = a == std::string::npos ? std::string::npos : in.find('\n', a + 1);
  req.method = in.substr(0, a);
  if (req.method.rfind("@", 0) == 0) {  // "@actor" line first: act as someone
    req.actor = req.method.substr(1);
    in = in.substr(a == std::string::npos ? in.size() : a + 1);
    a = in.find('\n');
    b = a == std::string::npos ? std::string::npos : in.find('\n', a + 1);
    req.method = in.substr(0, a);
  }
  std::string target = a == std::string::npos ? "/" : in.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  req.body = b == std::string::npos ? "" : in.substr(b + 1);
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string qs = target.substr(q + 1);
    size_t pos = 0;
    while (pos <= qs.size()) {
      size_t amp = qs.find('&', pos);
      std::string kv = qs.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      size_t eq = kv.find('=');
      req.query.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
  }
  if (req.path.starts_with("/open311/")) req.content_type = "application/x-www-form-urlencoded";
  auto resp = w.api->Handle(req);
  // Bad input is the caller's fault: never a 5xx.
  if (resp.status >= 500) __builtin_trap();
  return 0;
}
