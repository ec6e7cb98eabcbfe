// The HTTP ceiling of this machine for bench/compare.sh (issue #7): the smallest Boost.Beast
// server that answers every request with a small JSON body, keep-alive, asynchronous, one I/O
// thread per core, as Gongzhi's own server is built. Usage: http_ceiling PORT [THREADS]
// A POST body is read whole (as intake's is) and a JSON object parsed from it, so the ceiling
// includes what any JSON endpoint must do, and nothing more.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void Read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->Answer();
    });
  }

 private:
  void Answer() {
    boost::json::object o{{"ok", true}};
    if (req_.method() == http::verb::post) {
      boost::system::error_code ec;
      auto v = boost::json::parse(req_.body(), ec);
      o["fields"] = !ec && v.is_object() ? v.as_object().size() : 0;
    }
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.keep_alive(req_.keep_alive());
    res_.body() = boost::json::serialize(o);
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || !self->res_.keep_alive()) return;
      self->Read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(s))->Read();
    }
    Accept(acceptor);
  });
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: http_ceiling PORT [THREADS]\n";
    return 2;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  asio::io_context ioc(threads);
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
  Accept(acceptor);
  std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
}
