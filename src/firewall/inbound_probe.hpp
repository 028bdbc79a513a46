#pragma once
// The packet whose fate we predict: the first packet (conntrack state NEW)
// of a connection from somewhere on the internet to a local port, arriving
// over IPv4 on a non-loopback interface, addressed to one of our own
// unicast addresses and not redirected by NAT.
#include <cstdint>

#include "config/port_plan.hpp"

namespace mulenet::firewall::detail {

struct InboundProbe {
  config::Protocol protocol = config::Protocol::tcp;
  std::uint16_t port = 0;
};

// The IP protocol number, as rules may spell it.
[[nodiscard]] constexpr std::int64_t ip_protocol_number(config::Protocol protocol)
{
  return protocol == config::Protocol::udp ? 17 : 6;
}

}  // namespace mulenet::firewall::detail
