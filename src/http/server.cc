#include "http/server.h"

#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <csignal>
#include <deque>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <spdlog/spdlog.h>

namespace gongzhi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl {
  ServerOptions opts;
  Handler api, files;
  asio::io_context ioc;
  asio::thread_pool workers;
  tcp::acceptor acceptor{ioc};
  std::atomic<int> inflight{0};
  std::atomic<bool> draining{false};
  struct Periodic {
    Periodic(asio::io_context& ioc, std::chrono::milliseconds p, std::function<void()> t)
        : timer(ioc), period(p), task(std::move(t)) {}
    asio::steady_timer timer;
    std::chrono::milliseconds period;
    std::function<void()> task;
  };
  std::vector<std::unique_ptr<Periodic>> periodics;

  void Arm(Periodic* p) {
    p->timer.expires_after(p->period);
    p->timer.async_wait([this, p](boost::system::error_code ec) {
      if (ec || draining) return;
      asio::post(workers, p->task);
      Arm(p);
    });
  }

  Impl(ServerOptions o, Handler a, Handler f)
      : opts(std::move(o)),
        api(std::move(a)),
        files(std::move(f)),
        ioc(IoThreads(opts.io_threads)),
        workers(std::max(1, opts.worker_threads)) {}

  static int IoThreads(int configured) { return std::max(1, configured); }

  void Accept();
  Response Dispatch(const Request& req) {
    bool is_api = req.path == "/healthz" || req.path.starts_with("/api/") || req.path.starts_with("/open311/");
    if (is_api) return api(req);
    if (req.method != "GET" && req.method != "HEAD") {
      Response r = ErrorResponse(Status(ErrorCode::kInvalidArgument, "method not allowed"));
      r.status = 405;
      return r;
    }
    return files(req);
  }
};

namespace {

// One request's way back: the connection and what the answer needs from the request. Shared by
// the answer function a handler may keep (Request::reply) and the server; answered once.
struct Pending;

// A connection. Everything it does runs on its strand. Its deadline is a time, not a timer per
// operation: reading or writing sets it, handling a request lifts it, and one timer per connection
// wakes at the deadline (or later, when it moved) to drop a client that stalled.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& srv) : socket_(std::move(socket)), timer_(socket_.get_executor()), srv_(srv) {}

  void Start() {
    beast::error_code ec;
    auto peer = socket_.remote_endpoint(ec);
    if (!ec) remote_address_ = peer.address().to_string();
    ArmTimer(srv_.opts.io_timeout);
    ReadHeader();
  }

  // Sends an answer; on the strand.
  void Answer(Response r, bool keep_alive, bool head) {
    Write(std::move(r), keep_alive, head);
    srv_.inflight--;
  }

 private:
  using Clock = std::chrono::steady_clock;

  void SetDeadline(std::chrono::steady_clock::duration d) { deadline_ = Clock::now() + d; }
  void NoDeadline() { deadline_ = Clock::time_point::max(); }

  void ArmTimer(std::chrono::steady_clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      auto now = Clock::now();
      if (now >= self->deadline_) {
        // Pending reads and writes end with operation_aborted, which closes quietly.
        beast::error_code ignored;
        self->socket_.close(ignored);
        self->closed_ = true;
        return;
      }
      // Wakes again at the deadline, or after a whole timeout while a request is being handled.
      self->ArmTimer(self->deadline_ == Clock::time_point::max() ? Clock::duration(self->srv_.opts.io_timeout)
                                                                 : self->deadline_ - now);
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_.opts.header_limit));
    // Beast refuses a Content-Length above the body limit while it parses the header, before the
    // target is known: the header is read under the larger of the two limits, and OnHeader applies
    // the request's own (a 2 MB photo had been refused as if it were any other request).
    parser_->body_limit(std::max(srv_.opts.body_limit, srv_.opts.import_body_limit));
    SetDeadline(srv_.opts.io_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return FailRead(ec);
    // A request without a body (a GET) is complete with its header.
    if (parser_->is_done()) return OnRead(ec);
    auto target = parser_->get().target();
    // Uploads (GeoJSON imports, photos) may be larger; their handlers apply their own limits.
    bool import = parser_->get().method() == bhttp::verb::post &&
                  (target.find("/import") != std::string_view::npos || target.find("/photos") != std::string_view::npos);
    const uint64_t limit = import ? srv_.opts.import_body_limit : srv_.opts.body_limit;
    if (auto length = parser_->content_length(); length && *length > limit) return FailRead(bhttp::error::body_limit);
    parser_->body_limit(limit);  // a chunked body: counted as it comes
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void FailRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || closed_)
      return Close();
    if (ec == bhttp::error::body_limit)
      return SendError(413, Status(ErrorCode::kPayloadTooLarge, "the request body is larger than the limit"));
    if (ec == bhttp::error::header_limit)
      return SendError(431, Status(ErrorCode::kInvalidArgument, "the request headers are larger than the limit"));
    return SendError(400, Status::Invalid("", "malformed HTTP request: " + ec.message()));
  }

  // Answers a request that could not be read in full and closes; the unread rest of the request
  // is drained for a moment first so the client is not reset before it reads the answer.
  void SendError(int status, const Status& s) {
    Response r = ErrorResponse(s);
    r.status = status;
    linger_ = true;
    Write(std::move(r), false, false);
  }

  void OnRead(beast::error_code ec);

  template <typename Answer>
  void Handle(const Request& req, Answer& answer) {
    Response resp;
    try {
      resp = srv_.Dispatch(req);
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
      resp = ErrorResponse(Status::Internal("internal error"));
    }
    const bool large = resp.body.size() >= kLargeAnswer;
    if (!resp.deferred) answer(std::move(resp));
    // A large answer (a ranking of every community of a city, its hotspots) is built from many
    // small blocks, freed by now into this thread's malloc arena, which keeps them: each of the
    // handler threads' arenas held the peak of the largest request it had served (on a 1M city,
    // twelve rankings of its communities took the process from 96 to 469 MB). Handed back here.
    if (large) malloc_trim(0);
  }
  static constexpr size_t kLargeAnswer = 1 << 20;

  // The status line, the server's own headers and the response's, for an answer with a length and
  // for a stream alike. Written by hand (one buffer, no per-field allocation); header values lose
  // any CR or LF, so no value can start a header of its own.
  static void AppendHeadStart(std::string& out, const Response& r) {
    out += "HTTP/1.1 ";
    out += std::to_string(r.status);
    out += ' ';
    out += bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    out += "\r\nServer: gongzhi\r\n";
    if (!r.content_type.empty()) AppendField(out, "Content-Type", r.content_type);
    out += "X-Content-Type-Options: nosniff\r\n";
    for (const auto& [k, v] : r.headers) AppendField(out, k, v);
  }

  static void AppendField(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    for (char ch : value) out += (ch == '\r' || ch == '\n') ? ' ' : ch;
    out += "\r\n";
  }

  void Write(Response r, bool keep_alive, bool head) {
    if (r.stream && !head) return StartStream(std::move(r));
    keep_alive = keep_alive && !srv_.draining;
    head_.clear();
    AppendHeadStart(head_, r);
    if (r.chunks) return StartChunks(std::move(r.chunks), keep_alive, head);
    head_ += "Content-Length: ";
    head_ += std::to_string(r.body.size());
    head_ += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    body_ = head ? std::string() : std::move(r.body);
    SetDeadline(srv_.opts.io_timeout);
    std::array<asio::const_buffer, 2> out{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(socket_, out, [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      self->body_ = std::string();  // an export's megabytes are not kept for the connection's life
      if (ec || !keep_alive) return self->Close();
      self->ReadHeader();
    });
  }

  // A body in pieces: the head (already in head_), then each piece the producer makes on a worker
  // thread, written before the next is asked for, so a slow client slows the producer instead of
  // filling memory. The request counts as in flight until the last piece is sent (a drain waits).
  void StartChunks(std::function<Result<bool>(std::string&)> chunks, bool keep_alive, bool head) {
    head_ += "Transfer-Encoding: chunked\r\n";
    head_ += keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
    chunks_ = std::move(chunks);
    srv_.inflight++;
    SetDeadline(srv_.opts.io_timeout);
    asio::async_write(socket_, asio::buffer(head_), [self = shared_from_this(), keep_alive, head](beast::error_code ec,
                                                                                                   size_t) {
      if (ec || head) return self->EndChunks(!ec && keep_alive);  // HEAD: the head alone
      self->NextChunk(keep_alive);
    });
  }

  void NextChunk(bool keep_alive) {
    asio::post(srv_.workers, [self = shared_from_this(), keep_alive] {
      std::string piece;
      Result<bool> more = false;
      try {
        more = self->chunks_(piece);
      } catch (const std::exception& e) {
        more = Status::Internal(e.what());
      }
      asio::post(self->socket_.get_executor(), [self, keep_alive, piece = std::move(piece), more = std::move(more)] {
        self->WriteChunk(piece, more, keep_alive);
      });
    });
  }

  void WriteChunk(const std::string& piece, const Result<bool>& more, bool keep_alive) {
    if (!more.ok()) {
      spdlog::error("a response in pieces stopped midway: {}", more.status().ToString());
      return EndChunks(false);  // no last chunk: the client knows the answer is cut
    }
    body_.clear();
    if (!piece.empty()) {
      char size[20];
      body_.append(size, static_cast<size_t>(std::snprintf(size, sizeof size, "%zx\r\n", piece.size())));
      body_ += piece;
      body_ += "\r\n";
    }
    if (!*more) body_ += "0\r\n\r\n";
    SetDeadline(srv_.opts.io_timeout);
    asio::async_write(socket_, asio::buffer(body_), [self = shared_from_this(), last = !*more,
                                                     keep_alive](beast::error_code ec, size_t) {
      if (ec) return self->EndChunks(false);
      if (!last) return self->NextChunk(keep_alive);
      self->EndChunks(keep_alive);
    });
  }

  void EndChunks(bool keep_alive) {
    chunks_ = nullptr;
    body_ = std::string();
    srv_.inflight--;
    if (!keep_alive) return Close();
    ReadHeader();
  }

  // A streamed response: the head by hand (no length, the connection closes at the end), then
  // whatever the handler writes, in order, until either side closes. A client that stops reading
  // is dropped once 1 MiB waits for it; it reconnects and resumes.
  class BodyStream : public Stream {
   public:
    explicit BodyStream(std::shared_ptr<Session> s) : s_(std::move(s)) {}
    bool Write(std::string data) override {
      if (!s_->stream_open_->load()) return false;
      asio::post(s_->socket_.get_executor(), [s = s_, data = std::move(data)]() mutable { s->Enqueue(std::move(data)); });
      return true;
    }
    void Close() override {
      asio::post(s_->socket_.get_executor(), [s = s_] {
        if (s->out_.empty()) return s->EndStream();
        s->closing_ = true;
      });
    }

   private:
    std::shared_ptr<Session> s_;
  };

  void StartStream(Response r) {
    std::string head;
    AppendHeadStart(head, r);
    head += "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
    NoDeadline();
    stream_open_->store(true);
    Enqueue(std::move(head));
    // Reading anything more (or the end) means the client is done with this connection.
    socket_.async_read_some(asio::buffer(drain_buf_), [self = shared_from_this()](beast::error_code, size_t) {
      self->EndStream();
    });
    r.stream(std::make_shared<BodyStream>(shared_from_this()));
  }

  void Enqueue(std::string data) {
    if (!stream_open_->load()) return;
    queued_bytes_ += data.size();
    out_.push_back(std::move(data));
    if (queued_bytes_ > (1u << 20)) return EndStream();
    if (out_.size() == 1) WriteNext();
  }

  void WriteNext() {
    asio::async_write(socket_, asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || self->out_.empty()) return self->EndStream();
      self->queued_bytes_ -= self->out_.front().size();
      self->out_.pop_front();
      if (!self->out_.empty()) self->WriteNext();
      else if (self->closing_) self->EndStream();
    });
  }

  void EndStream() {
    if (!stream_open_->exchange(false)) return;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    CloseNow();
  }

  void Close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (!linger_ || closed_) return CloseNow();
    linger_ = false;
    SetDeadline(std::chrono::seconds(2));
    ArmTimer(std::chrono::seconds(2));  // sooner than the timer's next wake
    Drain();
  }

  void CloseNow() {
    beast::error_code ec;
    socket_.close(ec);
    closed_ = true;
    timer_.cancel();
  }

  void Drain() {
    socket_.async_read_some(asio::buffer(drain_buf_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->CloseNow();
      self->Drain();
    });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool closed_ = false;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_, body_;  // the answer being written
  Server::Impl& srv_;
  bool linger_ = false;
  std::array<char, 16384> drain_buf_;
  std::shared_ptr<std::atomic<bool>> stream_open_ = std::make_shared<std::atomic<bool>>(false);
  std::function<Result<bool>(std::string&)> chunks_;  // the producer of a body in pieces
  std::deque<std::string> out_;
  size_t queued_bytes_ = 0;
  bool closing_ = false;
};

struct Pending {
  std::shared_ptr<Session> session;
  bool keep_alive, head;
  std::string method, path;
  std::atomic<bool> answered{false};
};

void Session::OnRead(beast::error_code ec) {
  if (ec) return FailRead(ec);
  auto& msg = parser_->get();
  Request req;
  req.method = std::string(msg.method_string());
  auto url = boost::urls::parse_origin_form(msg.target());
  if (!url) return SendError(400, Status::Invalid("", "malformed request target"));
  req.path = url->path();
  if (req.path.empty()) req.path = "/";
  for (auto p : url->params()) req.query.emplace_back(p.key, p.has_value ? p.value : std::string());
  req.body = std::move(msg.body());
  req.content_type = std::string(msg[bhttp::field::content_type]);
  req.actor = std::string(msg["X-Gongzhi-Actor"]);
  req.last_event_id = std::string(msg["Last-Event-ID"]);
  req.cookie = std::string(msg[bhttp::field::cookie]);
  req.authorization = std::string(msg[bhttp::field::authorization]);
  req.csrf_token = std::string(msg["X-CSRF-Token"]);
  req.secure = msg["X-Forwarded-Proto"] == "https";
  req.forwarded_for = std::string(msg["X-Forwarded-For"]);
  req.remote_address = remote_address_;
  auto pending = std::make_shared<Pending>();
  pending->session = shared_from_this();
  pending->keep_alive = msg.keep_alive();
  pending->head = msg.method() == bhttp::verb::head;
  pending->method = req.method;
  pending->path = req.path;
  srv_.inflight++;
  NoDeadline();  // however long the handler takes; the answer's write sets a deadline again
  // Answers on the connection's strand, from whichever thread the answer is ready on (a handler
  // thread, or the store's writer for requests answered after their commit). Exactly one answer
  // per request, even if a handler that deferred its answer also returned one.
  auto answer = [pending](Response resp) {
    if (pending->answered.exchange(true)) return;
    if (resp.status >= 500) spdlog::warn("{} {} -> {}", pending->method, pending->path, resp.status);
    // Runs at once when already on the connection's strand (a quick request), else is queued there.
    asio::dispatch(pending->session->socket_.get_executor(), [pending, resp = std::move(resp)]() mutable {
      pending->session->Answer(std::move(resp), pending->keep_alive, pending->head);
    });
  };
  req.reply = answer;
  if (srv_.opts.quick && srv_.opts.quick(req)) return Handle(req, answer);
  asio::post(srv_.workers, [this, req = std::move(req), answer = std::move(answer)]() mutable { Handle(req, answer); });
}

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

Server::Server(ServerOptions options, Handler api, Handler files)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(api), std::move(files))) {}

Server::~Server() {
  impl_->workers.join();
}

Result<std::string> Server::Listen() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->opts.host, ec);
  if (ec) return Status::Invalid("listen", "'" + impl_->opts.host + "' is not an IP address");
  tcp::endpoint ep(addr, impl_->opts.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(1024, ec);
  if (ec) return Status::Unavailable("cannot listen on " + impl_->opts.host + ":" + std::to_string(impl_->opts.port) +
                                     ": " + ec.message());
  auto local = a.local_endpoint();
  std::string host = local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
  return "http://" + host + ":" + std::to_string(local.port());
}

void Server::Every(std::chrono::milliseconds period, std::function<void()> task) {
  impl_->periodics.push_back(std::make_unique<Impl::Periodic>(impl_->ioc, period, std::move(task)));
  impl_->Arm(impl_->periodics.back().get());
}

void Server::Run() {
  auto& im = *impl_;
  asio::signal_set signals(im.ioc, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(im.ioc);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void(beast::error_code)> poll = [&](beast::error_code) {
    if (im.inflight == 0 || std::chrono::steady_clock::now() >= *deadline) {
      if (im.inflight) spdlog::warn("stopping with {} requests still in flight", im.inflight.load());
      im.ioc.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait(poll);
  };
  signals.async_wait([&](beast::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: draining {} requests in flight", sig, im.inflight.load());
    im.draining = true;
    beast::error_code ignored;
    im.acceptor.close(ignored);
    for (auto& p : im.periodics) p->timer.cancel();
    *deadline = std::chrono::steady_clock::now() + im.opts.drain_timeout;
    poll({});
  });
  im.Accept();
  // This thread is one of the I/O threads.
  std::vector<std::thread> io;
  for (int i = 1; i < Impl::IoThreads(im.opts.io_threads); ++i)
    io.emplace_back([&im] {
      pthread_setname_np(pthread_self(), "gz-io");  // this thread keeps the process's name
      if (im.opts.io_thread_start) im.opts.io_thread_start();
      im.ioc.run();
    });
  if (im.opts.io_thread_start) im.opts.io_thread_start();
  im.ioc.run();
  for (auto& t : io) t.join();
  im.workers.join();
  spdlog::info("stopped");
}

}  // namespace gongzhi::http
