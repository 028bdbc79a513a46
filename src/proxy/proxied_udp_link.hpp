#pragma once
// Keeps UDP through a SOCKS5 proxy working: opens the association, notices
// when the proxy ends it (its control connection closes), reports that, and
// re-associates with exponential back-off (1 s, 2 s, 4 s ... 60 s). While it
// is down, sends fail with udp_association_lost instead of vanishing silently
// as in aMule.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "proxy/socks5_udp.hpp"

namespace mulenet::proxy {

class ProxiedUdpLink {
 public:
  enum class State { connecting, up, down, stopped };
  struct Event {
    State state = State::connecting;
    std::error_code error;               // why it is down
    std::string detail;
    std::chrono::milliseconds retry_in{0};  // when down: the next attempt
    int attempt = 0;
  };
  struct Backoff {
    std::chrono::milliseconds first{1000};
    std::chrono::milliseconds max{60000};
    // Up this long, the association worked: its loss (a proxy restarted) is
    // made good after `first` again. Shorter lives (a proxy that accepts and
    // drops at once) keep doubling the pause. 10 s, not a minute: a proxy
    // restarted every minute would otherwise leave Kad without UDP 8 s and more.
    std::chrono::milliseconds stable{10000};
  };

  ProxiedUdpLink(boost::asio::any_io_executor executor, ProxySpec proxy, DialTimeouts timeouts,
                 std::function<void(const Event&)> on_event, Backoff backoff);
  ProxiedUdpLink(boost::asio::any_io_executor executor, ProxySpec proxy, DialTimeouts timeouts,
                 std::function<void(const Event&)> on_event);
  ~ProxiedUdpLink();

  void start();
  // Starts with an association already opened (the caller's check that the
  // proxy carries UDP at all): no second one at start.
  void start(std::shared_ptr<Socks5UdpAssociation> first);
  void stop();

  boost::asio::awaitable<std::error_code> send_to(const Target& destination, std::span<const std::uint8_t> payload);
  // nullopt on timeout or while the link is down.
  boost::asio::awaitable<std::optional<Socks5UdpAssociation::Received>> receive(std::chrono::milliseconds timeout);

  [[nodiscard]] State state() const;
  // The relay datagrams go through now (none while down): peers see its address and port.
  [[nodiscard]] std::optional<boost::asio::ip::udp::endpoint> relay() const;
  // Associations the proxy ended so far: a datagram sent or due meanwhile was lost.
  [[nodiscard]] std::uint64_t losses() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

[[nodiscard]] const char* to_string(ProxiedUdpLink::State state);

}  // namespace mulenet::proxy
