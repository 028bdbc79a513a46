#pragma once
// This host's own IPv4 addresses (every interface), as Kad-order integers
// (a << 24 | b << 16 | c << 8 | d): a node list that names one of them names
// us, and we never ask ourselves to check our ports.
#include <cstdint>
#include <vector>

namespace mulenet::net {

[[nodiscard]] std::vector<std::uint32_t> interface_ipv4_addresses();

}  // namespace mulenet::net
