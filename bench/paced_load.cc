// An open-loop load at a fixed rate (issue #7), where wrk is closed-loop: wrk's 64 connections
// each send the next request when the last is answered, so its throughput is the server's
// ceiling and its latency is 64 / throughput by construction. This tool offers RATE requests a
// second, whatever the answers, over CONNECTIONS keep-alive connections, and measures each
// request's latency from the instant it was due (not from when a free connection sent it: a
// server that falls behind shows as latency, as wrk2 counts it). It answers "does the server
// sustain RATE with p99 under X?".
//
//   paced_load URL_BASE --rate R [--connections C] [--seconds S] [--warmup S]
//              (--intake | --get PATH_PREFIX --ids N)
//
// The first --warmup seconds (default 1) run at the rate but are not measured: the server's
// first intake loads its duplicate index, and the first reads fill its caches.
//
// --intake posts the bodies of bench/wrk/report.lua's intake_body (16 categories rotating,
// points spread over 复兴区's box) to /api/v1/cases; --get requests PATH_PREFIX + nth_id(n, N)
// with the header X-Gongzhi-Actor: system. The last line is report.lua's
// `RESULT rps=… p50=… p99=… p999=… errors=… requests=…` (latency in ms), plus `offered=R`
// and `unanswered=K`: requests without an answer 2 s after the time was up, counted in the
// percentiles with the time they had waited.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
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
  std::string trace;  // a file for one line per answer: due (ms since the measurement began), latency (ms)
  long ids = 1000;
};

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

class Load;

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& io, Load& load) : stream_(io), load_(load) {}
  void Connect(const tcp::resolver::results_type& at);
  void Send(long n, Clock::time_point due);
  bool idle() const { return idle_; }
  // When the request being answered was due; none while connecting.
  std::optional<Clock::time_point> busy_since() const { return sent_ ? std::optional(due_) : std::nullopt; }

 private:
  beast::tcp_stream stream_;
  Load& load_;
  tcp::resolver::results_type at_;
  bool idle_ = false;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Clock::time_point due_;
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
    Tick();
  }

  // A connection is free: it takes the oldest request that is due and waiting, if any.
  void Idle(Conn& c) {
    if (!waiting_.empty()) {
      auto [n, due] = waiting_.front();
      waiting_.pop_front();
      c.Send(n, due);
    }
  }
  void Done(Clock::time_point due, bool ok) {
    if (due < measured_) return;  // warming up
    latencies_.push_back(Ms(Clock::now() - due));
    if (trace_) std::fprintf(trace_, "%.3f %.3f\n", Ms(due - measured_), latencies_.back());
    if (!ok) ++errors_;
    last_answer_ = Clock::now();
  }
  void Failed() { ++errors_; }

  http::request<http::string_body> Request(long n) const {
    http::request<http::string_body> r;
    r.version(11);
    r.set(http::field::host, o_.host);
    r.keep_alive(true);
    if (o_.intake) {
      r.method(http::verb::post);
      r.target("/api/v1/cases");
      r.set(http::field::content_type, "application/json");
      r.body() = IntakeBody(n);
    } else {
      r.method(http::verb::get);
      r.target(o_.get_prefix + std::to_string(NthId(n, o_.ids)));
      r.set("X-Gongzhi-Actor", "system");
    }
    r.prepare_payload();
    return r;
  }

  int Report() const {
    auto l = latencies_;
    std::sort(l.begin(), l.end());
    auto pct = [&](double p) { return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<size_t>(p / 100 * l.size()))]; };
    const double secs = std::chrono::duration<double>(std::max(last_answer_, end_) - measured_).count();
    std::printf("RESULT rps=%.0f p50=%.2f p99=%.2f p999=%.2f errors=%ld requests=%zu offered=%.0f unanswered=%zu\n",
                (l.size() - unanswered_) / secs, pct(50), pct(99), pct(99.9), errors_, l.size(), o_.rate, unanswered_);
    return 0;
  }

 private:
  // The requests that fell due since the last tick, each to a free connection or to the queue of
  // those waiting for one.
  void Tick() {
    const auto now = Clock::now();
    const auto interval = std::chrono::duration<double>(1.0 / o_.rate);
    while (true) {
      const auto due = start_ + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(next_));
      if (due > now || due >= end_) break;
      const long n = next_++;
      auto free = std::find_if(conns_.begin(), conns_.end(), [](const auto& c) { return c->idle(); });
      if (free != conns_.end()) (*free)->Send(n, due);
      else waiting_.emplace_back(n, due);
    }
    if (now >= end_) {
      // The answers of what was sent get up to 2 s more.
      const bool all_answered =
          waiting_.empty() && std::all_of(conns_.begin(), conns_.end(), [](const auto& c) { return !c->busy_since(); });
      if (all_answered || now >= end_ + std::chrono::seconds(2)) return Stop();
    }
    // Woken when the next request is due (or, past the end, every millisecond to see the answers in).
    const auto next_due = start_ + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(next_));
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
      if (c->busy_since() && *c->busy_since() >= measured_) latencies_.push_back(Ms(now - *c->busy_since())), ++unanswered_;
    for (const auto& w : waiting_)
      if (w.second >= measured_) latencies_.push_back(Ms(now - w.second)), ++unanswered_;
    io_.stop();
  }
  static double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

  asio::io_context& io_;
  Options o_;
  asio::steady_timer timer_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::deque<std::pair<long, Clock::time_point>> waiting_;
  std::vector<double> latencies_;
  Clock::time_point start_, measured_, end_, last_answer_;
  long next_ = 0, errors_ = 0;
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

void Conn::Send(long n, Clock::time_point due) {
  idle_ = false;
  sent_ = true;
  due_ = due;
  req_ = load_.Request(n);
  http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->load_.Done(self->due_, false);
      self->sent_ = false;
      return self->Connect(self->at_);
    }
    self->res_ = {};
    http::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code ec, size_t) {
      const bool ok = !ec && self->res_.result_int() / 100 == 2;
      self->load_.Done(self->due_, ok);
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
               "(--intake | --get PATH_PREFIX --ids N)\n";
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
    else return Usage();
  }
  if (o.rate <= 0 || o.connections < 1 || o.seconds <= 0 || o.warmup < 0 || (!o.intake && o.get_prefix.empty()) || o.ids < 1)
    return Usage();
  asio::io_context io(1);
  Load load(io, o);
  load.Start();
  io.run();
  return load.Report();
}
