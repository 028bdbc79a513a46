#pragma once
// GENA over the network (UDA §4): SUBSCRIBE / renew / UNSUBSCRIBE at the WAN
// service's event URL, and the callback listener the router NOTIFYs. The
// listener is bound to our LAN address at UPnPTCPPort (the control point's
// port, aMule's 50000), takes NOTIFY only from the gateway, for our SID,
// with a size- and time-limited request, and answers 200 (412 for another
// SID, 400 for anything malformed).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "portmap/upnp/gena.hpp"

namespace mulenet::portmap::upnp::gena {

struct SubscribeResult {
  std::optional<Subscription> subscription;
  std::string error;
};
boost::asio::awaitable<SubscribeResult> subscribe(HttpUrl event_url, HttpUrl callback, std::uint32_t timeout_seconds,
                                                  std::chrono::milliseconds wait);
boost::asio::awaitable<SubscribeResult> renew(HttpUrl event_url, std::string sid, std::uint32_t timeout_seconds,
                                              std::chrono::milliseconds wait);
boost::asio::awaitable<void> unsubscribe(HttpUrl event_url, std::string sid, std::chrono::milliseconds wait);

struct ListenerCounters {
  std::size_t events = 0;   // accepted NOTIFYs
  std::size_t refused = 0;  // from elsewhere, another SID, malformed, too large, too slow
};

class EventListener {
 public:
  using EventFn = std::function<void(const Event&, std::uint32_t seq)>;
  // Binds local_address:port. nullptr and `error` set when it cannot.
  static std::shared_ptr<EventListener> start(boost::asio::any_io_executor executor, const std::string& local_address,
                                              std::uint16_t port, std::string gateway_address, std::string& error);
  void expect_sid(std::string sid);  // NOTIFYs for another SID get 412
  void on_event(EventFn fn);
  [[nodiscard]] HttpUrl callback_url() const;  // http://local:port/mulenet/events
  [[nodiscard]] ListenerCounters counters() const;
  void stop();

  struct State;
  explicit EventListener(std::shared_ptr<State> state);
  ~EventListener();

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mulenet::portmap::upnp::gena
