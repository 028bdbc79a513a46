#pragma once
// The server status ping over UDP (reference §1.6): tells whether UDP to the
// server works (the documented "recommended" UDP port, TCP+3). Sent from our
// TCP+3 socket to the server's TCP+4 directly, or through a SOCKS5 UDP
// association when the routing says "via proxy" (only SOCKS5 carries UDP).
// The answer must come from the server's address and carry our challenge.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "ed2k/server_udp_messages.hpp"
#include "proxy/dialer.hpp"

namespace mulenet::ed2k {

struct UdpPingOptions {
  proxy::Ipv4 server_ip{};
  std::uint16_t server_tcp_port = 0;
  std::uint16_t local_port = 0;  // our TCP+3; 0 or busy: any free port (said in `note`)
  proxy::Route route = proxy::Route::direct;  // via_proxy: through `proxy` (SOCKS5)
  std::optional<proxy::ProxySpec> proxy;
  std::chrono::milliseconds timeout{2'000};  // per try
  int tries = 3;
};

struct UdpPingResult {
  bool answered = false;
  std::optional<ServerUdpStatus> status;
  std::string error;  // no answer, refused (strict), cannot bind, proxy failure
  std::string note;   // e.g. "sent from UDP 51234: 4665 is in use"
  std::string path;   // "direct from UDP 4665", "through the SOCKS5 proxy"
  std::chrono::milliseconds rtt{0};
};

boost::asio::awaitable<UdpPingResult> ping_server_udp(UdpPingOptions options);

}  // namespace mulenet::ed2k
