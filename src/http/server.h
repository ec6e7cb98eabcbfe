// The HTTP server (Boost.Beast). Beast stays inside server.cc: this header is all others see.
// I/O runs on its own threads (`io_threads`); handlers run on a worker pool so blocking
// database calls never stall I/O, except the requests the `quick` option names (cheap reads and
// intakes on an embedded database), which the I/O thread handles itself to save thread hand-offs.
// SIGTERM/SIGINT stop accepting, finish the requests in flight, then return.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/http_types.h"

namespace gongzhi::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                       // 0 = any free port
  size_t body_limit = 1 << 20;                // bytes; larger bodies get 413
  size_t import_body_limit = 64 << 20;        // for POST .../import endpoints (GeoJSON uploads)
  size_t header_limit = 16 << 10;             // bytes of request line + headers; larger get 431
  std::chrono::seconds io_timeout{30};        // a client that stalls a read or write longer is dropped
  std::chrono::seconds drain_timeout{10};     // how long shutdown waits for requests in flight
  int worker_threads = 4;
  int io_threads = 1;                         // threads that read and write connections (at least 1)
  // Requests answered on the I/O thread that read them, without the hand-off to a worker and back:
  // only what takes microseconds and never waits on the network, a lock or a long query (a case
  // read on SQLite; an intake, which hands its insert to the store's writer and is answered from
  // the commit's completion). Unset: every request goes to a worker.
  std::function<bool(const Request&)> quick;
  // Runs on each I/O thread before it serves (e.g. to give it database connections of its own).
  std::function<void()> io_thread_start;
};

class Server {
 public:
  // `api` serves /api/... and /healthz; `files` serves every other GET (the web UI).
  Server(ServerOptions options, Handler api, Handler files);
  ~Server();

  // Binds and listens; returns the base URL ("http://127.0.0.1:8080"), with the real port when 0.
  Result<std::string> Listen();
  // Runs `task` on a worker thread every `period` while the server runs.
  void Every(std::chrono::milliseconds period, std::function<void()> task);
  // Serves until SIGTERM or SIGINT, then drains and returns.
  void Run();

  struct Impl;  // public only so server.cc's sessions can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gongzhi::http
