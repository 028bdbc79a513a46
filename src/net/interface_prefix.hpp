#pragma once
// The prefix length of the subnet a local address is on (192.168.1.23 on a
// /24 -> 24), from the host's interfaces: the router must be on that subnet.
#include <optional>
#include <string>

namespace mulenet::net {

[[nodiscard]] std::optional<unsigned> prefix_length_of(const std::string& local_address);

}  // namespace mulenet::net
