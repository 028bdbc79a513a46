#include "portmap/upnp/soap_results.hpp"

#include <arpa/inet.h>

#include <array>
#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"

namespace mulenet::portmap::upnp::soap {
namespace {

constexpr std::size_t kMaxTextBytes = 256;

bool is_ip_literal(const std::string& s)
{
  std::array<unsigned char, 16> buf{};
  return s.size() <= 45 &&
         (inet_pton(AF_INET, s.c_str(), buf.data()) == 1 || inet_pton(AF_INET6, s.c_str(), buf.data()) == 1);
}

std::string value_text(std::string_view text) { return ascii::printable(text, kMaxTextBytes); }

// Shared shape of "argument X is missing / is not Y" failures.
template <typename T>
Parsed<T> missing(std::string_view name)
{
  return Parsed<T>::fail(CodecErrc::missing_field, fmt::format("the response has no {}", name));
}

template <typename T>
Parsed<T> bad(std::string_view name, const std::string& value, std::string_view expected)
{
  return Parsed<T>::fail(CodecErrc::malformed,
                         fmt::format("{} is \"{}\", not {}", name, value_text(value), expected));
}

std::optional<std::uint16_t> port_value(const std::string& s)
{
  const auto n = ascii::parse_decimal<unsigned>(s);
  if (!n || *n == 0 || *n > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*n);
}

std::optional<bool> boolean_value(const std::string& s)
{
  if (s == "1" || ascii::iequals(s, "true") || ascii::iequals(s, "yes")) return true;
  if (s == "0" || ascii::iequals(s, "false") || ascii::iequals(s, "no")) return false;
  return std::nullopt;
}

std::optional<config::Protocol> protocol_value(const std::string& s)
{
  if (ascii::iequals(s, "TCP")) return config::Protocol::tcp;
  if (ascii::iequals(s, "UDP")) return config::Protocol::udp;
  return std::nullopt;
}

}  // namespace

Parsed<std::string> external_ip_address(const Response& response)
{
  using R = Parsed<std::string>;
  const std::string* ip = response.argument("NewExternalIPAddress");
  if (!ip) return missing<std::string>("NewExternalIPAddress");
  if (!ip->empty() && !is_ip_literal(*ip)) return bad<std::string>("NewExternalIPAddress", *ip, "an IP address");
  return R::done(*ip);
}

bool StatusInfo::connected() const
{
  return ascii::iequals(connection_status, "Connected") || ascii::iequals(connection_status, "Up");
}

Parsed<StatusInfo> status_info(const Response& response)
{
  using R = Parsed<StatusInfo>;
  const std::string* status = response.argument("NewConnectionStatus");
  if (!status || status->empty()) return missing<StatusInfo>("NewConnectionStatus");
  StatusInfo info;
  info.connection_status = value_text(*status);
  if (const std::string* e = response.argument("NewLastConnectionError")) info.last_connection_error = value_text(*e);
  if (const std::string* up = response.argument("NewUptime")) info.uptime_seconds = ascii::parse_decimal<std::uint32_t>(*up);
  return R::done(std::move(info));
}

Parsed<PortMappingEntry> port_mapping_entry(const Response& response, const PortMappingKey* key)
{
  using R = Parsed<PortMappingEntry>;
  PortMappingEntry e;
  if (key) {
    e.remote_host = key->remote_host;
    e.external_port = key->external_port;
    e.protocol = key->protocol;
  } else {
    if (const std::string* remote = response.argument("NewRemoteHost")) {
      if (!remote->empty() && !is_ip_literal(*remote)) return bad<PortMappingEntry>("NewRemoteHost", *remote, "an IP address");
      e.remote_host = *remote;
    }
    const std::string* ext = response.argument("NewExternalPort");
    if (!ext) return missing<PortMappingEntry>("NewExternalPort");
    const auto ext_port = port_value(*ext);
    if (!ext_port) return bad<PortMappingEntry>("NewExternalPort", *ext, "a port 1..65535");
    e.external_port = *ext_port;
    const std::string* proto = response.argument("NewProtocol");
    if (!proto) return missing<PortMappingEntry>("NewProtocol");
    const auto protocol = protocol_value(*proto);
    if (!protocol) return bad<PortMappingEntry>("NewProtocol", *proto, "TCP or UDP");
    e.protocol = *protocol;
  }
  const std::string* in_port = response.argument("NewInternalPort");
  if (!in_port) return missing<PortMappingEntry>("NewInternalPort");
  const auto internal_port = port_value(*in_port);
  if (!internal_port) return bad<PortMappingEntry>("NewInternalPort", *in_port, "a port 1..65535");
  e.internal_port = *internal_port;
  const std::string* client = response.argument("NewInternalClient");
  if (!client) return missing<PortMappingEntry>("NewInternalClient");
  if (!is_ip_literal(*client)) return bad<PortMappingEntry>("NewInternalClient", *client, "an IP address");
  e.internal_client = *client;
  if (const std::string* enabled = response.argument("NewEnabled")) {
    const auto on = boolean_value(*enabled);
    if (!on) return bad<PortMappingEntry>("NewEnabled", *enabled, "a boolean");
    e.enabled = *on;
  }
  if (const std::string* desc = response.argument("NewPortMappingDescription")) e.description = value_text(*desc);
  if (const std::string* lease = response.argument("NewLeaseDuration")) {
    const auto seconds = ascii::parse_decimal<std::uint32_t>(*lease);
    if (!seconds) return bad<PortMappingEntry>("NewLeaseDuration", *lease, "a number of seconds");
    e.lease_seconds = *seconds;
  }
  return R::done(std::move(e));
}

Parsed<std::uint16_t> reserved_port(const Response& response)
{
  using R = Parsed<std::uint16_t>;
  const std::string* port = response.argument("NewReservedPort");
  if (!port) return missing<std::uint16_t>("NewReservedPort");
  const auto p = port_value(*port);
  if (!p) return bad<std::uint16_t>("NewReservedPort", *port, "a port 1..65535");
  return R::done(*p);
}

}  // namespace mulenet::portmap::upnp::soap
