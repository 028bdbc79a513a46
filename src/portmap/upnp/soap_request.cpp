#include "portmap/upnp/soap_request.hpp"

#include <fmt/format.h>

#include "portmap/upnp/xml_support.hpp"

namespace mulenet::portmap::upnp::soap {
namespace {

bool is_name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// An XML element name we write: letters, digits, '_' ("NewExternalPort").
bool is_plain_name(std::string_view s)
{
  if (s.empty() || s.size() > 64 || (s.front() >= '0' && s.front() <= '9')) return false;
  for (const char c : s)
    if (!is_name_char(c)) return false;
  return true;
}

// "urn:schemas-upnp-org:service:WANIPConnection:1": goes into an attribute
// and the SOAPAction header, so no quotes, spaces, '#', '<' or controls.
bool is_plain_urn(std::string_view s)
{
  if (s.empty() || s.size() > 256) return false;
  for (const char c : s)
    if (!is_name_char(c) && c != ':' && c != '-' && c != '.') return false;
  return true;
}

std::string port(std::uint16_t p) { return std::to_string(p); }

std::vector<Argument> key_arguments(const PortMappingKey& key)
{
  return {{"NewRemoteHost", key.remote_host},
          {"NewExternalPort", port(key.external_port)},
          {"NewProtocol", std::string(protocol_text(key.protocol))}};
}

std::vector<Argument> mapping_arguments(const PortMapping& m)
{
  return {{"NewRemoteHost", m.remote_host},
          {"NewExternalPort", port(m.external_port)},
          {"NewProtocol", std::string(protocol_text(m.protocol))},
          {"NewInternalPort", port(m.internal_port)},
          {"NewInternalClient", m.internal_client},
          {"NewEnabled", m.enabled ? "1" : "0"},
          {"NewPortMappingDescription", m.description},
          {"NewLeaseDuration", std::to_string(m.lease_seconds)}};
}

}  // namespace

std::string_view protocol_text(config::Protocol protocol)
{
  return protocol == config::Protocol::udp ? "UDP" : "TCP";
}

Action get_external_ip_address() { return {"GetExternalIPAddress", {}}; }
Action get_status_info() { return {"GetStatusInfo", {}}; }
Action add_port_mapping(const PortMapping& mapping) { return {"AddPortMapping", mapping_arguments(mapping)}; }
Action add_any_port_mapping(const PortMapping& mapping) { return {"AddAnyPortMapping", mapping_arguments(mapping)}; }
Action delete_port_mapping(const PortMappingKey& key) { return {"DeletePortMapping", key_arguments(key)}; }
Action get_specific_port_mapping_entry(const PortMappingKey& key)
{
  return {"GetSpecificPortMappingEntry", key_arguments(key)};
}
Action get_generic_port_mapping_entry(std::uint16_t index)
{
  return {"GetGenericPortMappingEntry", {{"NewPortMappingIndex", std::to_string(index)}}};
}

std::optional<std::string> encode_envelope(std::string_view service_type, const Action& action)
{
  if (!is_plain_urn(service_type) || !is_plain_name(action.name)) return std::nullopt;
  std::string args;
  for (const auto& a : action.arguments) {
    if (!is_plain_name(a.name) || !xml::is_valid_text(a.value)) return std::nullopt;
    args += fmt::format("<{0}>{1}</{0}>", a.name, xml::escape(a.value));
  }
  return fmt::format(
      "<?xml version=\"1.0\"?>\r\n"
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
      "<s:Body><u:{0} xmlns:u=\"{1}\">{2}</u:{0}></s:Body></s:Envelope>\r\n",
      action.name, service_type, args);
}

std::optional<Request> encode_request(const HttpUrl& control_url, std::string_view service_type, const Action& action)
{
  auto body = encode_envelope(service_type, action);
  if (!body) return std::nullopt;
  return Request{control_url.target, control_url.authority(), fmt::format("\"{}#{}\"", service_type, action.name),
                 std::move(*body)};
}

std::string Request::to_http() const
{
  return fmt::format(
      "POST {} HTTP/1.1\r\n"
      "Host: {}\r\n"
      "Content-Type: text/xml; charset=\"utf-8\"\r\n"
      "SOAPAction: {}\r\n"
      "Content-Length: {}\r\n"
      "Connection: close\r\n"
      "\r\n"
      "{}",
      target, host, soap_action, body.size(), body);
}

}  // namespace mulenet::portmap::upnp::soap
