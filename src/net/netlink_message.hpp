#pragma once
// Reading rtnetlink datagrams as far as the netlink watch needs: whether one
// says an address, a route or a link changed. Pure; fuzzed (fuzz_netlink).
#include <cstdint>
#include <span>

namespace mulenet::net {

// Malformed or truncated datagrams give false.
[[nodiscard]] bool is_network_change(std::span<const std::uint8_t> datagram);

}  // namespace mulenet::net
