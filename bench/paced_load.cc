// An open-loop load at a fixed rate (issue #7), where wrk is closed-loop: wrk's 64 connections
// each send the next request when the last is answered, so its throughput is the server's
// ceiling and its latency is 64 / throughput by construction. This tool offers RATE requests a
// second, whatever the answers, over CONNECTIONS keep-alive connections, and measures each
// request's latency from the instant it was due (not from when a free connection sent it: a
// server that falls behind shows as latency, as wrk2 counts it). It answers "does the server
// sustain RATE with p99 under X?".
//
//   paced_load URL_BASE --rate R [--connections C] [--seconds S] [--warmup S]
//              (--intake | --get PATH_PREFIX (--ids N | --codes FILE) | --day --ids N --codes FILE [--burst B])
//
// The first --warmup seconds (default 1) run at the rate but are not measured: the server's
// first intake loads its duplicate index, and the first reads fill its caches.
//
// --intake posts the bodies of bench/wrk/report.lua's intake_body (16 categories rotating,
// points spread over 复兴区's box) to /api/v1/cases; --get requests PATH_PREFIX + nth_id(n, N)
// with the header X-Gongzhi-Actor: system, or PATH_PREFIX + one of the codes in FILE with --codes.
// The last line is report.lua's `RESULT rps=… p50=… p99=… p999=… errors=… requests=…` (latency
// in ms), plus `offered=R` and `unanswered=K`: requests without an answer 2 s after the time was
// up, counted in the percentiles with the time they had waited.
//
// --day offers a working day compressed into the run, at R a second: of every 100 requests 56
// case reads (ids 1..N), 12 public tracking reads (GET /api/v1/track/CODE, codes from FILE, one a
// line: bench/codes.sh), 15 console lists, 12 intakes, 3 Open311 POSTs (the API key of
// compare.sh's configuration) and 2 rankings of the month. Then the morning: from 20% to 40% of
// the run, reports come in B times faster (default 4: intake at 4 × 12% of R, the whole load at
// 1.36 R). Besides RESULT, a `KIND name …` line for each kind, and `KIND morning …` for every
// request that fell due in the morning window: do reads stay fast while reports pour in?
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1", port = "8080";
  double rate = 1000;
  int connections = 64;
  double seconds = 10;
  double warmup = 1;  // seconds at the rate before the measured ones (first-use loads, caches)
  bool intake = false;
  std::string get_prefix;
  std::string trace;  // a file for one line per answer: due (ms since the measurement began), latency (ms), kind
  long ids = 1000;
  bool day = false;
  std::vector<std::string> codes;  // tracking codes (--day)
  double burst = 4;                // the morning's intake rate over the day's (--day)
};

// What a request of the day asks (--intake and --get are one kind each).
enum Kind { kRead, kTrack, kList, kIntake, kOpen311, kRanking, kKinds };
const char* const kKindNames[kKinds] = {"read", "track", "list", "intake", "open311", "ranking"};

// The day's mix: the kind of the n-th steady request, of every 100 (see the header). The kinds are
// interleaved (37 is prime to 100): in blocks, the lists' and intakes' bursts of CPU would always
// fall on the reads that follow them, and never on the tracking reads before them.
Kind DayKind(long n) {
  const long k = n * 37 % 100;
  return k < 56 ? kRead : k < 68 ? kTrack : k < 83 ? kList : k < 95 ? kIntake : k < 98 ? kOpen311 : kRanking;
}

// report.lua's nth_id, nth_point and intake_body, so both tools load the server alike.
long NthId(long n, long count) { return (n * 7919) % count + 1; }

std::string IntakeBody(long n) {
  static const char* kCategories[] = {"0101", "0102", "0103", "0201", "0301", "0302", "0401", "0402",
                                      "0501", "0502", "0601", "0602", "22",   "23",   "24",   "25"};
  const double lng = 114.30 + (n * 7919 % 1700) / 10000.0, lat = 36.58 + (n * 104729 % 700) / 10000.0;
  char buf[256];
  std::snprintf(buf, sizeof buf, R"({"category_code":"%s","description":"paced %ld: 垃圾堆放","lng":%.5f,"lat":%.5f})",
                kCategories[n % 16], n, lng, lat);
  return buf;
}

// report.lua's open311_body for category 0101.
std::string Open311Body(long n) {
  const double lng = 114.30 + (n * 7919 % 1700) / 10000.0, lat = 36.58 + (n * 104729 % 700) / 10000.0;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "api_key=bench-open311-key-0001&service_code=0101&lat=%.5f&long=%.5f&description=paced+day+%ld", lat, lng, n);
  return buf;
}

// mixed_day.lua's console lists.
const char* const kLists[] = {"/api/v1/cases?limit=50&region=130404001", "/api/v1/cases?limit=50&open=1",
                              "/api/v1/cases?limit=50&category=0401&region=130404002", "/api/v1/cases?limit=50&overdue=1"};

class Load;

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& io, Load& load) : stream_(io), load_(load) {}
  void Connect(const tcp::resolver::results_type& at);
  void Send(long n, Kind kind, Clock::time_point due);
  bool idle() const { return idle_; }
  // When the request being answered was due; none while connecting.
  std::optional<Clock::time_point> busy_since() const { return sent_ ? std::optional(due_) : std::nullopt; }
  Kind kind() const { return kind_; }

 private:
  beast::tcp_stream stream_;
  Load& load_;
  tcp::resolver::results_type at_;
  bool idle_ = false;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Clock::time_point due_;
  Kind kind_ = kRead;
  bool sent_ = false;
};

class Load {
 public:
  Load(asio::io_context& io, Options o) : io_(io), o_(std::move(o)), timer_(io) {
    if (!o_.trace.empty()) trace_ = std::fopen(o_.trace.c_str(), "w");
  }
  ~Load() {
    if (trace_) std::fclose(trace_);
  }

  void Start() {
    tcp::resolver resolver(io_);
    auto at = resolver.resolve(o_.host, o_.port);
    for (int i = 0; i < o_.connections; ++i) {
      conns_.push_back(std::make_shared<Conn>(io_, *this));
      conns_.back()->Connect(at);
    }
    start_ = Clock::now() + std::chrono::milliseconds(200);  // the connections are up by then
    measured_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.warmup));
    end_ = measured_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
    morning_from_ = measured_ + Seconds(0.2 * o_.seconds);
    morning_to_ = measured_ + Seconds(0.4 * o_.seconds);
    char month[16];
    const std::time_t t = std::time(nullptr);
    std::strftime(month, sizeof month, "%Y-%m", std::localtime(&t));
    month_ = month;
    Tick();
  }

  // A connection is free: it takes the oldest request that is due and waiting, if any.
  void Idle(Conn& c) {
    if (!waiting_.empty()) {
      auto [n, kind, due] = waiting_.front();
      waiting_.pop_front();
      c.Send(n, kind, due);
    }
  }
  void Done(Kind kind, Clock::time_point due, bool ok) {
    if (due < measured_) return;  // warming up
    Count(kind, due, Ms(Clock::now() - due), ok);
    if (trace_) std::fprintf(trace_, "%.3f %.3f %s\n", Ms(due - measured_), all_.back(), kKindNames[kind]);
    last_answer_ = Clock::now();
  }
  void Failed() { ++errors_; }

  http::request<http::string_body> Request(long n, Kind kind) const {
    http::request<http::string_body> r;
    r.version(11);
    r.set(http::field::host, o_.host);
    r.keep_alive(true);
    switch (kind) {
      case kIntake:
        r.method(http::verb::post);
        r.target("/api/v1/cases");
        r.set(http::field::content_type, "application/json");
        r.body() = IntakeBody(n);
        break;
      case kOpen311:
        r.method(http::verb::post);
        r.target("/open311/v2/requests.json");
        r.set(http::field::content_type, "application/x-www-form-urlencoded");
        r.body() = Open311Body(n);
        break;
      case kTrack:  // a resident: no sign-in
        r.method(http::verb::get);
        r.target("/api/v1/track/" + o_.codes[NthId(n, static_cast<long>(o_.codes.size())) - 1]);
        break;
      case kList:
        r.method(http::verb::get);
        r.target(kLists[n % 4]);
        r.set("X-Gongzhi-Actor", "system");
        break;
      case kRanking:
        r.method(http::verb::get);
        r.target("/api/v1/assessment/ranking?group=township&period=" + month_);
        r.set("X-Gongzhi-Actor", "system");
        break;
      default:  // kRead: a case by id (--day, --get), or PATH_PREFIX + a code (--get with --codes)
        r.method(http::verb::get);
        if (!o_.day && !o_.codes.empty())
          r.target(o_.get_prefix + o_.codes[NthId(n, static_cast<long>(o_.codes.size())) - 1]);
        else
          r.target((o_.day ? std::string("/api/v1/cases/") : o_.get_prefix) + std::to_string(NthId(n, o_.ids)));
        r.set("X-Gongzhi-Actor", "system");
    }
    r.prepare_payload();
    return r;
  }

  int Report() {
    const double secs = std::chrono::duration<double>(std::max(last_answer_, end_) - measured_).count();
    std::printf("RESULT rps=%.0f p50=%.2f p99=%.2f p999=%.2f errors=%ld requests=%zu offered=%.0f unanswered=%zu\n",
                (all_.size() - unanswered_) / secs, Pct(all_, 50), Pct(all_, 99), Pct(all_, 99.9), errors_, all_.size(),
                o_.day ? o_.rate * (1 + 0.12 * (o_.burst - 1) * 0.2) : o_.rate, unanswered_);
    if (!o_.day) return 0;
    for (int k = 0; k < kKinds; ++k)
      std::printf("KIND %s requests=%zu p50=%.2f p99=%.2f p999=%.2f errors=%ld\n", kKindNames[k], kind_[k].size(),
                  Pct(kind_[k], 50), Pct(kind_[k], 99), Pct(kind_[k], 99.9), kind_errors_[k]);
    std::printf("KIND morning requests=%zu p50=%.2f p99=%.2f p999=%.2f errors=%ld\n", morning_.size(), Pct(morning_, 50),
                Pct(morning_, 99), Pct(morning_, 99.9), morning_errors_);
    return 0;
  }

 private:
  // The requests that fell due since the last tick, each to a free connection or to the queue of
  // those waiting for one.
  void Tick() {
    const auto now = Clock::now();
    // The steady requests, then (--day) the morning's extra reports, each in the order they fall due.
    for (;;) {
      const Clock::time_point steady = SteadyDue(next_);
      const std::optional<Clock::time_point> extra = ExtraDue(extra_next_);
      const bool take_extra = extra && *extra < steady;
      const auto due = take_extra ? *extra : steady;
      if (due > now || due >= end_) break;
      // The extras' numbers start far above the steady ones, so no two reports have one body.
      const long n = take_extra ? 1'000'000'000 + extra_next_++ : next_++;
      const Kind kind = take_extra ? kIntake : o_.day ? DayKind(n) : o_.intake ? kIntake : kRead;
      auto free = std::find_if(conns_.begin(), conns_.end(), [](const auto& c) { return c->idle(); });
      if (free != conns_.end()) (*free)->Send(n, kind, due);
      else waiting_.emplace_back(n, kind, due);
    }
    if (now >= end_) {
      // The answers of what was sent get up to 2 s more.
      const bool all_answered =
          waiting_.empty() && std::all_of(conns_.begin(), conns_.end(), [](const auto& c) { return !c->busy_since(); });
      if (all_answered || now >= end_ + std::chrono::seconds(2)) return Stop();
    }
    // Woken when the next request is due (or, past the end, every millisecond to see the answers in).
    auto next_due = SteadyDue(next_);
    if (auto extra = ExtraDue(extra_next_)) next_due = std::min(next_due, *extra);
    timer_.expires_at(now >= end_ ? now + std::chrono::milliseconds(1) : next_due);
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) Tick();
    });
  }

  // Requests still unanswered count with the time they have waited so far (a lower bound), so a
  // server that stalls cannot hide them from the percentiles.
  void Stop() {
    const auto now = Clock::now();
    for (const auto& c : conns_)
      if (c->busy_since() && *c->busy_since() >= measured_)
        Count(c->kind(), *c->busy_since(), Ms(now - *c->busy_since()), true), ++unanswered_;
    for (const auto& [n, kind, due] : waiting_)
      if (due >= measured_) Count(kind, due, Ms(now - due), true), ++unanswered_;
    io_.stop();
  }
  static double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
  static Clock::duration Seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  // When the i-th steady request is due.
  Clock::time_point SteadyDue(long i) const { return start_ + Seconds(i / o_.rate); }
  // When the i-th of the morning's extra reports is due (--day), if it falls in the morning.
  std::optional<Clock::time_point> ExtraDue(long i) const {
    if (!o_.day || o_.burst <= 1) return std::nullopt;
    const auto due = morning_from_ + Seconds(i / (o_.rate * 0.12 * (o_.burst - 1)));
    return due < morning_to_ ? std::optional(due) : std::nullopt;
  }
  // An answer's latency (ms) under its kind, and under the morning's when it fell due then.
  void Count(Kind kind, Clock::time_point due, double ms, bool ok) {
    all_.push_back(ms);
    kind_[kind].push_back(ms);
    const bool morning = due >= morning_from_ && due < morning_to_;
    if (morning) morning_.push_back(ms);
    if (!ok) ++errors_, ++kind_errors_[kind], morning_errors_ += morning;
  }
  static double Pct(std::vector<double>& l, double p) {
    if (l.empty()) return 0.0;
    std::sort(l.begin(), l.end());
    return l[std::min(l.size() - 1, static_cast<size_t>(p / 100 * l.size()))];
  }

  asio::io_context& io_;
  Options o_;
  asio::steady_timer timer_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::deque<std::tuple<long, Kind, Clock::time_point>> waiting_;
  std::vector<double> all_, morning_;
  std::vector<double> kind_[kKinds];
  long kind_errors_[kKinds] = {}, morning_errors_ = 0;
  std::string month_;  // this month, YYYY-MM, for the rankings
  Clock::time_point start_, measured_, end_, last_answer_, morning_from_, morning_to_;
  long next_ = 0, extra_next_ = 0, errors_ = 0;
  size_t unanswered_ = 0;
  std::FILE* trace_ = nullptr;
};

void Conn::Connect(const tcp::resolver::results_type& at) {
  at_ = at;
  stream_.async_connect(at, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      self->load_.Failed();
      return;
    }
    self->stream_.socket().set_option(tcp::no_delay(true));
    self->idle_ = true;
    self->load_.Idle(*self);
  });
}

void Conn::Send(long n, Kind kind, Clock::time_point due) {
  idle_ = false;
  sent_ = true;
  due_ = due;
  kind_ = kind;
  req_ = load_.Request(n, kind);
  http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->load_.Done(self->kind_, self->due_, false);
      self->sent_ = false;
      return self->Connect(self->at_);
    }
    self->res_ = {};
    http::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code ec, size_t) {
      const bool ok = !ec && self->res_.result_int() / 100 == 2;
      self->load_.Done(self->kind_, self->due_, ok);
      self->sent_ = false;
      if (ec || !self->res_.keep_alive()) {
        self->stream_.socket().close();
        self->buf_.clear();
        return self->Connect(self->at_);
      }
      self->idle_ = true;
      self->load_.Idle(*self);
    });
  });
}

int Usage() {
  std::cerr << "usage: paced_load http://HOST:PORT --rate R [--connections C] [--seconds S] [--warmup S] [--trace FILE] "
               "(--intake | --get PATH_PREFIX (--ids N | --codes FILE) | --day --ids N --codes FILE [--burst B])\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  Options o;
  std::string url = argv[1];
  if (url.rfind("http://", 0) != 0) return Usage();
  url = url.substr(7);
  if (auto slash = url.find('/'); slash != std::string::npos) url.resize(slash);
  if (auto colon = url.find(':'); colon != std::string::npos) o.host = url.substr(0, colon), o.port = url.substr(colon + 1);
  else o.host = url;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--rate") o.rate = std::atof(next().c_str());
    else if (a == "--connections") o.connections = std::atoi(next().c_str());
    else if (a == "--seconds") o.seconds = std::atof(next().c_str());
    else if (a == "--warmup") o.warmup = std::atof(next().c_str());
    else if (a == "--intake") o.intake = true;
    else if (a == "--get") o.get_prefix = next();
    else if (a == "--ids") o.ids = std::atol(next().c_str());
    else if (a == "--trace") o.trace = next();
    else if (a == "--day") o.day = true;
    else if (a == "--burst") o.burst = std::atof(next().c_str());
    else if (a == "--codes") {
      std::ifstream in(next());
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) o.codes.push_back(line);
      if (o.codes.empty()) {
        std::cerr << "paced_load: no tracking codes in " << argv[i] << "\n";
        return 2;
      }
    } else return Usage();
  }
  if (o.rate <= 0 || o.connections < 1 || o.seconds <= 0 || o.warmup < 0 || o.ids < 1 || o.burst < 1 ||
      (!o.intake && !o.day && o.get_prefix.empty()) || (o.day && o.codes.empty()))
    return Usage();
  asio::io_context io(1);
  Load load(io, o);
  load.Start();
  io.run();
  return load.Report();
}
