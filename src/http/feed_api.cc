#include "http/feed_api.h"

#include <charconv>

#include "app/cases.h"
#include "http/json_io.h"

namespace gongzhi::http {
namespace {

json::object EntryJson(const FeedEntry& e) {
  json::array units;
  for (int64_t u : e.units) units.push_back(u);
  json::object o{{"id", e.id},
                 {"case_id", e.case_id},
                 {"seq", e.seq},
                 {"at", e.at},
                 {"action", e.action},
                 {"from_state", e.from_state},
                 {"to_state", e.to_state},
                 {"region_code", e.region_code},
                 {"category_code", e.category_code},
                 {"unit_id", e.unit_id ? json::value(*e.unit_id) : json::value(nullptr)},
                 {"worker_id", e.worker_id ? json::value(*e.worker_id) : json::value(nullptr)},
                 {"units", std::move(units)}};
  return o;
}

// Whose events: the acting dispatcher's region, unit or grid worker (from X-Gongzhi-Actor, or the
// `actor` parameter, since browsers' EventSource cannot set headers; accounts replace both, #6).
Result<FeedScope> ScopeOf(const Request& req) {
  std::string text = req.actor;
  const char* field = "X-Gongzhi-Actor";
  if (text.empty()) {
    text = req.Param("actor").value_or("");
    field = "actor";
  }
  if (text.empty() && !req.credential.empty())
    return Status(ErrorCode::kPermissionDenied, "your role does not act on cases, so it has no case feed");
  if (text.empty())
    return Status(ErrorCode::kUnauthenticated, "sign in first: the feed shows the events your role may see");
  auto actor = Actor::Parse(text);
  if (!actor.ok()) return Status::Invalid(field, actor.status().message());
  FeedScope scope;
  switch (actor->kind) {
    case Actor::Kind::kDispatcher: scope.region_prefix = actor->region; break;
    case Actor::Kind::kUnit: scope.unit_id = actor->id; break;
    case Actor::Kind::kWorker: scope.worker_id = actor->id; break;
    case Actor::Kind::kSystem: break;
    case Actor::Kind::kReporter:
      return Status(ErrorCode::kPermissionDenied, "residents follow their case by its tracking code", field);
  }
  return scope;
}

Result<int64_t> NonNegative(const std::string& v, const char* field) {
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || x < 0)
    return Status::Invalid(field, "must be a non-negative integer (an event id)");
  return x;
}

// Formats entries as SSE messages onto an open response.
class SseSink : public FeedSink {
 public:
  explicit SseSink(std::shared_ptr<Stream> out) : out_(std::move(out)) {}
  bool Deliver(const FeedEntry& e, int64_t resume_id) override {
    return out_->Write("id: " + std::to_string(resume_id) + "\nevent: case\ndata: " + JsonText(EntryJson(e)) +
                       "\n\n");
  }
  bool Reset(int64_t resume_id) override {
    json::object o{{"resume_id", resume_id},
                   {"reason", "the events missed are too many or no longer kept: reload the lists"}};
    return out_->Write("id: " + std::to_string(resume_id) + "\nevent: reset\ndata: " + JsonText(o) + "\n\n");
  }
  bool Heartbeat() override { return out_->Write(": ping\n\n"); }

 private:
  std::shared_ptr<Stream> out_;
};

}  // namespace

void AddFeedRoutes(Router& router, FeedHub& hub) {
  // Entries after `after` (0: from the oldest kept), for polling clients; `through` is where the
  // next page starts.
  router.Add("GET", "/api/v1/feed", [&hub](const Request& req, const Params&) {
    auto scope = ScopeOf(req);
    if (!scope.ok()) return ErrorResponse(scope.status());
    int limit = 100, offset = 0;
    if (Status s = ParsePaging(req, limit, offset); !s.ok()) return ErrorResponse(s);
    int64_t after = 0;
    if (auto v = req.Param("after")) {
      auto a = NonNegative(*v, "after");
      if (!a.ok()) return ErrorResponse(a.status());
      after = *a;
    }
    return OrError(hub.Since(*scope, after, limit), [](const FeedPage& page) {
      json::array entries;
      for (const auto& e : page.entries) entries.push_back(EntryJson(e));
      return Json(json::object{{"entries", std::move(entries)}, {"through", page.through}});
    });
  });

  // text/event-stream: `event: case` per entry (data = the entry as JSON, id = where to resume),
  // `event: reset` when the client must reload, a comment line as heartbeat.
  router.Add("GET", "/api/v1/feed/stream", [&hub](const Request& req, const Params&) {
    auto scope = ScopeOf(req);
    if (!scope.ok()) return ErrorResponse(scope.status());
    std::optional<int64_t> last;
    const char* field = "Last-Event-ID";
    std::string text = req.last_event_id;
    if (text.empty() && req.Param("last_event_id")) {
      text = *req.Param("last_event_id");
      field = "last_event_id";
    }
    if (!text.empty()) {
      auto v = NonNegative(text, field);
      if (!v.ok()) return ErrorResponse(v.status());
      last = *v;
    }
    Response r;
    r.content_type = "text/event-stream; charset=utf-8";
    r.stream = [&hub, scope = *scope, last](std::shared_ptr<Stream> out) {
      out->Write("retry: 2000\n: connected\n\n");
      auto sink = std::make_shared<SseSink>(out);
      if (Status s = hub.Subscribe(scope, last, sink); !s.ok()) {
        json::object err{{"error", s.message()}};
        out->Write("event: error\ndata: " + JsonText(err) + "\n\n");  // the client retries
        out->Close();
      }
    };
    return r;
  });
}

}  // namespace gongzhi::http
