#pragma once
// The IPv4 default gateway, from the kernel's routing table (/proc/net/route).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::net {

struct DefaultGateway {
  std::string interface;  // "eth0"
  std::string address;    // dotted quad, "192.168.1.1"
};

// The route with destination 0.0.0.0/0 and the lowest metric.
[[nodiscard]] std::optional<DefaultGateway> parse_default_gateway(std::string_view proc_net_route);
[[nodiscard]] std::optional<DefaultGateway> default_gateway(const std::filesystem::path& proc_root = "/proc");

}  // namespace mulenet::net
