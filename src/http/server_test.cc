#include "http/server.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

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

}  // namespace
}  // namespace gongzhi::http
