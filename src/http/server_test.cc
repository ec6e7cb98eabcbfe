#include "http/server.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

namespace gongzhi::http {
namespace {

namespace asio = boost::asio;

// GET `path` on a fresh connection; the body of the answer (empty when none came).
std::string Get(uint16_t port, const std::string& path) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string out;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(out), ec);
  auto body = out.find("\r\n\r\n");
  return body == std::string::npos ? "" : out.substr(body + 4);
}

uint16_t PortOf(const std::string& url) { return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

// A quick request (a case read on SQLite) is answered by the I/O thread that read it, so it does
// not queue behind handlers that hold every worker; the others still go to the workers.
TEST(ServerTest, QuickRequestsAreAnsweredWhileEveryWorkerIsBusy) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> slow_started{0};
  ServerOptions so;
  so.port = 0;
  so.worker_threads = 1;
  so.io_threads = 2;
  so.quick = [](const Request& r) { return r.path == "/api/fast"; };
  std::atomic<int> io_thread_starts{0};
  so.io_thread_start = [&] { ++io_thread_starts; };
  Server server(
      so,
      [&](const Request& r) {
        if (r.path == "/api/slow") {
          ++slow_started;
          released.wait();
        }
        Response resp;
        resp.content_type = "text/plain";
        resp.body = r.path;
        return resp;
      },
      [](const Request&) { return Response{}; });
  auto url = server.Listen();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const uint16_t port = PortOf(*url);
  std::thread run([&] { server.Run(); });
  std::future<std::string> slow, other, fast;  // outlive `stop`: their requests end when the server does
  // Whatever the outcome, the worker is let go and the server stopped (a failure must not hang).
  std::once_flag once;
  auto let_go = [&] { std::call_once(once, [&] { release.set_value(); }); };
  struct Stop {
    std::function<void()> fn;
    ~Stop() { fn(); }
  } stop{[&] {
    let_go();
    ::kill(::getpid(), SIGTERM);  // Run drains and returns
    run.join();
  }};

  slow = std::async(std::launch::async, [&] { return Get(port, "/api/slow"); });
  for (int i = 0; i < 1000 && slow_started == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(slow_started, 1) << "the slow request never reached the worker";
  other = std::async(std::launch::async, [&] { return Get(port, "/api/other"); });
  fast = std::async(std::launch::async, [&] { return Get(port, "/api/fast"); });
  ASSERT_EQ(fast.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "the quick request waited for the busy worker";
  EXPECT_EQ(fast.get(), "/api/fast");
  // An ordinary request waits for the worker.
  EXPECT_EQ(other.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  let_go();
  EXPECT_EQ(other.get(), "/api/other");
  EXPECT_EQ(slow.get(), "/api/slow");
  EXPECT_EQ(io_thread_starts, 2);
}


// A server on a free port, running on its own thread until the test ends.
class Running {
 public:
  Running(ServerOptions so, Handler api) : server_(SetPort(std::move(so)), std::move(api), [](const Request&) { return Response{}; }) {
    auto url = server_.Listen();
    if (!url.ok()) throw std::runtime_error(url.status().ToString());
    port_ = PortOf(*url);
    run_ = std::thread([this] { server_.Run(); });
  }
  ~Running() {
    ::kill(::getpid(), SIGTERM);  // Run drains and returns
    run_.join();
  }
  uint16_t port() const { return port_; }

 private:
  static ServerOptions SetPort(ServerOptions so) {
    so.port = 0;
    return so;
  }
  Server server_;
  uint16_t port_ = 0;
  std::thread run_;
};

// Everything the server sends on a connection after `request` until it closes, waiting at most
// `limit` for the close (a server that never closes leaves `closed` false).
std::string Exchange(uint16_t port, const std::string& request, std::chrono::seconds limit, bool* closed) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  timeval tv{static_cast<time_t>(limit.count()), 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  asio::write(s, asio::buffer(request));
  std::string out;
  char buf[4096];
  *closed = false;
  for (;;) {
    ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
    if (n == 0) {
      *closed = true;
      break;
    }
    if (n < 0) break;  // the wait ran out
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// A client that stops in the middle of its request, or stays silent after an answer, is dropped
// after the I/O timeout instead of holding its connection for ever.
TEST(ServerTest, StalledClientsAreDroppedAfterTheTimeout) {
  ServerOptions so;
  so.io_timeout = std::chrono::seconds(1);
  Running r(so, [](const Request&) { return Response{}; });
  bool closed = false;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Exchange(r.port(), "GET /api/x HTTP/1.1\r\nHo", std::chrono::seconds(8), &closed), "");
  EXPECT_TRUE(closed) << "a half-sent request kept its connection";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::string out = Exchange(r.port(), "GET /api/x HTTP/1.1\r\nHost: t\r\n\r\n", std::chrono::seconds(8), &closed);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n")) << out;
  EXPECT_TRUE(closed) << "an idle keep-alive connection was never dropped";
}

// The timeout is for the client's reads and writes: a handler slower than it still answers.
TEST(ServerTest, AHandlerSlowerThanTheTimeoutStillAnswers) {
  ServerOptions so;
  so.io_timeout = std::chrono::seconds(1);
  Running r(so, [](const Request& req) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));
    Response resp;
    resp.content_type = "text/plain";
    resp.body = req.path;
    return resp;
  });
  EXPECT_EQ(Get(r.port(), "/api/slow"), "/api/slow");
}

// Answers are written by hand: status, length, keep-alive or close, HEAD without its body, and a
// header value cannot smuggle in a header of its own.
TEST(ServerTest, AnswersCarryTheirHeadAndLength) {
  Running r(ServerOptions{}, [](const Request& req) {
    Response resp;
    resp.status = req.path == "/api/missing" ? 404 : 200;
    resp.body = "{\"path\":\"" + req.path + "\"}";
    resp.headers.emplace_back("X-Note", "a\r\nSet-Cookie: evil=1");
    return resp;
  });
  bool closed = false;
  std::string two = Exchange(r.port(),
                             "GET /api/a HTTP/1.1\r\nHost: t\r\n\r\nGET /api/missing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                             std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(two,
            "HTTP/1.1 200 OK\r\nServer: gongzhi\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            "X-Note: a  Set-Cookie: evil=1\r\nContent-Length: 17\r\n\r\n{\"path\":\"/api/a\"}"
            "HTTP/1.1 404 Not Found\r\nServer: gongzhi\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            "X-Note: a  Set-Cookie: evil=1\r\nContent-Length: 23\r\nConnection: close\r\n\r\n{\"path\":\"/api/missing\"}");
  std::string head = Exchange(r.port(), "HEAD /api/h HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                              std::chrono::seconds(5), &closed);
  EXPECT_TRUE(head.ends_with("Content-Length: 17\r\nConnection: close\r\n\r\n")) << head;
}

// Uploads (imports, photos) may be as large as their own limit, other requests only as large as
// the body limit; with a Content-Length (checked before the body is read) or chunked (counted as it
// comes). Beast checks a Content-Length while it parses the header: the uploads' larger limit,
// set only after it, had come too late, and a 2 MB photo was refused.
TEST(ServerTest, UploadsHaveTheirOwnBodyLimit) {
  ServerOptions so;
  so.body_limit = 1024;
  so.import_body_limit = 64 << 10;
  Running r(so, [](const Request& req) {
    Response resp;
    resp.body = std::to_string(req.body.size());
    return resp;
  });
  auto post = [&](const std::string& path, size_t bytes, bool chunked) {
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
    if (chunked) {
      req += "Transfer-Encoding: chunked\r\n\r\n";
      for (size_t sent = 0; sent < bytes; sent += 500) req += "1f4\r\n" + std::string(500, 'x') + "\r\n";
      req += "0\r\n\r\n";
    } else {
      req += "Content-Length: " + std::to_string(bytes) + "\r\n\r\n" + std::string(bytes, 'x');
    }
    bool closed = false;
    std::string out = Exchange(r.port(), req, std::chrono::seconds(5), &closed);
    return out.substr(0, out.find("\r\n")) + " " + (out.find("\r\n\r\n") == std::string::npos ? "" : out.substr(out.find("\r\n\r\n") + 4));
  };
  EXPECT_EQ(post("/api/v1/track/X/photos", 10'000, false), "HTTP/1.1 200 OK 10000");
  EXPECT_EQ(post("/api/v1/cases/import", 60'000, true), "HTTP/1.1 200 OK 60000");
  EXPECT_EQ(post("/api/v1/units", 1'000, false), "HTTP/1.1 200 OK 1000");
  for (auto [path, bytes, chunked] : {std::tuple{"/api/v1/units", 10'000, false}, std::tuple{"/api/v1/units", 2'000, true},
                                      std::tuple{"/api/v1/cases/import", 100'000, false},
                                      std::tuple{"/api/v1/grids/import", 100'000, true}}) {
    std::string got = post(path, bytes, chunked);
    EXPECT_TRUE(got.starts_with("HTTP/1.1 413 ")) << path << " " << bytes << " " << got.substr(0, 200);
    EXPECT_NE(got.find("payload_too_large"), std::string::npos) << got.substr(0, 200);
  }
}

// A body in pieces goes out chunked, each piece asked for after the one before was sent; the
// connection then serves the next request. A producer that fails midway leaves the answer without
// its last chunk (the client sees it cut); HEAD gets the head alone.
TEST(ServerTest, BodiesInPiecesAreChunkedAndAFailureCutsThem) {
  Running r(ServerOptions{}, [](const Request& req) {
    Response resp;
    resp.content_type = "text/csv";
    auto n = std::make_shared<int>(0);
    const bool fail = req.path == "/api/fail";
    resp.chunks = [n, fail](std::string& piece) -> Result<bool> {
      ++*n;
      if (fail && *n == 2) return Status::Internal("the database went away");
      piece = std::string(static_cast<size_t>(*n) * 10, static_cast<char>('a' + *n - 1));
      return *n < 3;
    };
    if (req.path == "/api/empty") resp.chunks = [](std::string&) -> Result<bool> { return false; };
    return resp;
  });
  const std::string head =
      "HTTP/1.1 200 OK\r\nServer: gongzhi\r\nContent-Type: text/csv\r\nX-Content-Type-Options: nosniff\r\n"
      "Transfer-Encoding: chunked\r\n";
  bool closed = false;
  std::string two = Exchange(r.port(),
                             "GET /api/pieces HTTP/1.1\r\nHost: t\r\n\r\nGET /api/empty HTTP/1.1\r\nHost: t\r\n"
                             "Connection: close\r\n\r\n",
                             std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(two, head + "\r\na\r\n" + std::string(10, 'a') + "\r\n14\r\n" + std::string(20, 'b') + "\r\n1e\r\n" +
                     std::string(30, 'c') + "\r\n0\r\n\r\n" + head + "Connection: close\r\n\r\n0\r\n\r\n");
  std::string cut = Exchange(r.port(), "GET /api/fail HTTP/1.1\r\nHost: t\r\n\r\n", std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);  // closed although the client asked to keep the connection
  EXPECT_EQ(cut, head + "\r\na\r\n" + std::string(10, 'a') + "\r\n");
  std::string only_head =
      Exchange(r.port(), "HEAD /api/pieces HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", std::chrono::seconds(5), &closed);
  EXPECT_EQ(only_head, head + "Connection: close\r\n\r\n");
}

}  // namespace
}  // namespace gongzhi::http
