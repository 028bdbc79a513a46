#pragma once
// Where a connection goes: an IPv4 or IPv6 address, or a host name for the
// proxy to resolve, and a port.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mulenet::proxy {

using Ipv4 = std::array<std::uint8_t, 4>;   // network order
using Ipv6 = std::array<std::uint8_t, 16>;  // network order

struct Target {
  std::variant<Ipv4, Ipv6, std::string> host;  // string: a name
  std::uint16_t port = 0;

  [[nodiscard]] bool is_name() const { return std::holds_alternative<std::string>(host); }
  [[nodiscard]] std::string host_text() const;  // "1.2.3.4", "2001:db8::1", "name"
  [[nodiscard]] std::string str() const;        // "1.2.3.4:80", "[2001:db8::1]:80", "name:80"
};

// "1.2.3.4:80", "[2001:db8::1]:80", "host.example:80". nullopt when it is not
// HOST:PORT with a port 1..65535 and a non-empty host of at most 255 bytes.
[[nodiscard]] std::optional<Target> parse_target(std::string_view text);
// An address literal, or else a name.
[[nodiscard]] Target make_target(std::string_view host, std::uint16_t port);

// 127.0.0.0/8 or ::1 (a name, even "localhost", is not: it could resolve anywhere).
[[nodiscard]] bool is_loopback(const Target& target);

[[nodiscard]] std::optional<Ipv4> parse_ipv4(std::string_view text);
[[nodiscard]] std::optional<Ipv6> parse_ipv6(std::string_view text);

}  // namespace mulenet::proxy
