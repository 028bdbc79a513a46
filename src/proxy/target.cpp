#include "proxy/target.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace mulenet::proxy {

std::optional<Ipv4> parse_ipv4(std::string_view text)
{
  // inet_pton reads a C string: a NUL inside would cut the text short.
  if (text.size() > 15 || text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string s(text);
  Ipv4 a{};
  if (inet_pton(AF_INET, s.c_str(), a.data()) != 1) return std::nullopt;
  return a;
}

std::optional<Ipv6> parse_ipv6(std::string_view text)
{
  if (text.size() > 45 || text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string s(text);
  Ipv6 a{};
  if (inet_pton(AF_INET6, s.c_str(), a.data()) != 1) return std::nullopt;
  return a;
}

bool is_loopback(const Target& target)
{
  if (const auto* v4 = std::get_if<Ipv4>(&target.host)) return (*v4)[0] == 127;
  if (const auto* v6 = std::get_if<Ipv6>(&target.host)) return *v6 == Ipv6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return false;
}

Target make_target(std::string_view host, std::uint16_t port)
{
  if (auto v4 = parse_ipv4(host)) return {*v4, port};
  if (auto v6 = parse_ipv6(host)) return {*v6, port};
  return {std::string(host), port};
}

std::optional<Target> parse_target(std::string_view text)
{
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string_view host, port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    if (!parse_ipv6(host)) return std::nullopt;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) return std::nullopt;
  if (host.empty() || host.size() > 255) return std::nullopt;
  return make_target(host, static_cast<std::uint16_t>(port));
}

std::string Target::host_text() const
{
  if (const auto* name = std::get_if<std::string>(&host)) return *name;
  char buf[INET6_ADDRSTRLEN] = {};
  if (const auto* v4 = std::get_if<Ipv4>(&host)) inet_ntop(AF_INET, v4->data(), buf, sizeof buf);
  if (const auto* v6 = std::get_if<Ipv6>(&host)) inet_ntop(AF_INET6, v6->data(), buf, sizeof buf);
  return buf;
}

std::string Target::str() const
{
  const std::string h = host_text();
  return (std::holds_alternative<Ipv6>(host) ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

}  // namespace mulenet::proxy
