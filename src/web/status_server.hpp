#pragma once
// The daemon's status page and JSON API (Beast, on the Engine's io_context):
//   GET  /             the page a person reads (src/web/page/index.html, compiled in)
//   GET  /api/status   the status JSON (docs/EMBEDDING.md)
//   GET  /api/events   Server-Sent Events: "status" first, then one per event
//   POST /api/check-kad  (with the page's token) asks Kad nodes again
// Every request passes web/request_guard first. Bounded: connections,
// request sizes, the time a request may take, SSE clients and their queues.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

namespace mulenet::web {

struct StatusServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 4715;  // 0: any free port (tests)
  std::string password_md5;   // needed (HTTP Basic, aMule's web password) when address is not loopback
};

class StatusServer {
 public:
  struct State;
  explicit StatusServer(std::shared_ptr<State> state);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Listens; nullptr and `error` (naming the holder of a busy port, or the
  // missing password off loopback) when it cannot.
  static std::unique_ptr<StatusServer> start(boost::asio::any_io_executor executor, StatusServerOptions options,
                                             std::string& error);

  // What the page and API show: the current status JSON; every event (its
  // JSON name and JSON) to the SSE clients.
  void publish_status(std::string status_json);
  void publish_event(std::string_view name, std::string event_json);
  // The page's "Check Kad now" (a POST with the token).
  void on_check_kad(std::function<void()> fn);

  [[nodiscard]] std::uint16_t port() const;
  // Closes the listener and every connection; nothing runs after it.
  void stop();

 private:
  std::shared_ptr<State> state_;
};

// The page, compiled in from src/web/page/index.html (generated/status_page.cpp).
[[nodiscard]] std::string_view status_page_html();

}  // namespace mulenet::web
