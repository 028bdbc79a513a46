#pragma once
// Which way our Kad UDP goes, by the Proxy page's table (proxy/routing): no
// proxy → our own socket; SOCKS5 → a UDP association with it (opened here);
// SOCKS4/4a/HTTP → our own socket, said as a leak; strict mode with a proxy
// that cannot carry UDP → refused.
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "proxy/socks5_udp.hpp"

namespace mulenet::kad {

struct KadUdpRoute {
  std::shared_ptr<proxy::Socks5UdpAssociation> relay;  // set: through the SOCKS5 proxy
  std::string error;                                    // set: Kad cannot run (strict mode, no association)
  std::error_code code;                                 // with error: its KadErrc (kad_error.hpp)
  std::string note;                                     // what the user should know (a direct route beside a proxy)
};

boost::asio::awaitable<KadUdpRoute> open_kad_udp_route(const config::Settings& settings);

}  // namespace mulenet::kad
