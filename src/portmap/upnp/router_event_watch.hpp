#pragma once
// Watching the router's UPnP events while mappings are kept: listen on
// UPnPTCPPort, subscribe to the WAN service, renew the subscription at half
// its time (subscribe again when the router forgot it: 412), and call back
// when the router reports a change of its mapping table, external address
// or connection status, so that `mulenet map` re-checks at once instead of
// at the next poll. Unsubscribes on stop. Used whatever protocol maps: a
// router that speaks UPnP events reports NAT-PMP/PCP mappings' changes too.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "portmap/upnp/gena_client.hpp"

namespace mulenet::portmap::upnp {

class RouterEventWatch {
 public:
  using ChangeFn = std::function<void(const std::string& what)>;  // "PortMappingNumberOfEntries 3"

  // nullptr and `error` set when events cannot be had (no event URL, the port
  // is taken, the router refuses the subscription): then only polling remains.
  static boost::asio::awaitable<std::shared_ptr<RouterEventWatch>> start(std::string event_url,
                                                                         std::string local_address,
                                                                         std::uint16_t port, std::string gateway,
                                                                         std::chrono::milliseconds wait, ChangeFn fn,
                                                                         std::string& error);
  // Renews the subscription when it is due; "" or what went wrong.
  boost::asio::awaitable<std::string> keep_alive();
  boost::asio::awaitable<void> stop();

  [[nodiscard]] const std::string& sid() const { return sid_; }
  [[nodiscard]] gena::ListenerCounters counters() const;

  RouterEventWatch(HttpUrl event_url, std::shared_ptr<gena::EventListener> listener, std::chrono::milliseconds wait);

 private:
  boost::asio::awaitable<std::string> subscribe_now();

  HttpUrl event_url_;
  std::shared_ptr<gena::EventListener> listener_;
  std::chrono::milliseconds wait_;
  std::string sid_;
  std::chrono::steady_clock::time_point renew_at_{};
};

}  // namespace mulenet::portmap::upnp
