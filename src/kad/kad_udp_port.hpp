#pragma once
// Where our Kad node's datagrams go in and out: our own UDP socket, or a
// SOCKS5 UDP association when a SOCKS5 proxy is configured (the Proxy page:
// Kad UDP goes through SOCKS5). Through the proxy, peers see the relay's
// address and port, not ours; the association lives as long as its control
// connection, and once it is lost receive() reports the port closed (aMule
// would go on silently sending nothing).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "proxy/proxied_udp_link.hpp"
#include "proxy/socks5_udp.hpp"

namespace mulenet::kad {

class KadUdpPort {
 public:
  struct Incoming {
    boost::asio::ip::udp::endpoint from;
    std::size_t size = 0;  // bytes placed in the buffer
    bool closed = false;   // the port is gone: no more datagrams will come
  };

  static std::unique_ptr<KadUdpPort> bind(boost::asio::any_io_executor executor, const boost::asio::ip::address& address,
                                          std::uint16_t port, std::string& error);
  static std::unique_ptr<KadUdpPort> through(boost::asio::any_io_executor executor,
                                             std::shared_ptr<proxy::Socks5UdpAssociation> association);
  // Through a link that makes the association again when the proxy ends it (the daemon).
  static std::unique_ptr<KadUdpPort> through_link(boost::asio::any_io_executor executor,
                                                  std::shared_ptr<proxy::ProxiedUdpLink> link);
  virtual ~KadUdpPort() = default;

  virtual boost::asio::awaitable<std::error_code> send_to(boost::asio::ip::udp::endpoint to,
                                                          std::span<const std::uint8_t> bytes) = 0;
  // The next datagram (transient errors such as ICMP unreachable are skipped).
  virtual boost::asio::awaitable<Incoming> receive(std::vector<std::uint8_t>& buffer) = 0;
  [[nodiscard]] virtual std::uint16_t local_port() const = 0;
  [[nodiscard]] virtual std::string path() const = 0;  // "direct" or "through the SOCKS5 relay A:P"
  [[nodiscard]] virtual boost::asio::any_io_executor executor() const = 0;
  virtual void close() = 0;
  // Times the way out went away and came back (a proxy's association made
  // again): what was sent or due meanwhile was lost.
  [[nodiscard]] virtual std::uint64_t losses() const { return 0; }
};

}  // namespace mulenet::kad
