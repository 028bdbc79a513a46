#pragma once
// UDP through a SOCKS5 proxy (RFC 1928 §7, UDP ASSOCIATE). The association
// lives as long as its TCP control connection: we keep that open and watch
// it, so a closed association is noticed at once (alive() turns false, a
// pending receive ends) instead of datagrams silently vanishing. Datagrams
// from anyone but the relay, and fragments, are dropped and counted.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "proxy/dialer.hpp"

namespace mulenet::proxy {

class Socks5UdpAssociation {
 public:
  struct Received {
    Target source;  // the peer that sent it, as the relay reports
    std::vector<std::uint8_t> payload;
  };

  // Connects and logs in to the proxy, asks for UDP ASSOCIATE and opens our
  // UDP socket. Failure codes: those of the dialer, plus udp_not_supported.
  static boost::asio::awaitable<std::pair<std::shared_ptr<Socks5UdpAssociation>, DialResult>> open(
      const ProxySpec& proxy, DialTimeouts timeouts);

  boost::asio::awaitable<std::error_code> send_to(const Target& destination, std::span<const std::uint8_t> payload);
  // The next datagram from the relay; nullopt on timeout or once the association is lost.
  boost::asio::awaitable<std::optional<Received>> receive(std::chrono::milliseconds timeout);

  // Completes when the association is lost (its control connection closed) or closed.
  boost::asio::awaitable<void> wait_until_lost();

  [[nodiscard]] bool alive() const;
  [[nodiscard]] boost::asio::ip::udp::endpoint relay() const;
  [[nodiscard]] std::size_t dropped() const;  // datagrams not from the relay, malformed or fragments
  void close();

  struct State;  // shared with the coroutine that watches the control connection
  explicit Socks5UdpAssociation(std::shared_ptr<State> state);
  ~Socks5UdpAssociation();

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mulenet::proxy
