#pragma once
// SOAP control requests to a WANIPConnection / WANPPPConnection service (UDA
// §3.2.1, WANIPConnection:1 and :2 service templates): one function per
// action, as miniupnpc's upnpcommands.c has, each returning the action with
// its in-arguments in the order of the service's SCPD (some routers read
// them by position), and one encoder that makes the HTTP POST.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/port_plan.hpp"
#include "portmap/upnp/url_guard.hpp"

namespace mulenet::portmap::upnp::soap {

struct Argument {
  std::string name;
  std::string value;
  bool operator==(const Argument&) const = default;
};

struct Action {
  std::string name;                 // "AddPortMapping"
  std::vector<Argument> arguments;  // in-arguments, SCPD order
};

// What identifies a mapping on the router.
struct PortMappingKey {
  std::string remote_host;  // "" = any remote host (what everyone uses)
  std::uint16_t external_port = 0;
  config::Protocol protocol = config::Protocol::tcp;
};

struct PortMapping {
  std::string remote_host;  // "" = any remote host
  std::uint16_t external_port = 0;
  config::Protocol protocol = config::Protocol::tcp;
  std::uint16_t internal_port = 0;
  std::string internal_client;  // this host's LAN address (secure-mode routers insist)
  bool enabled = true;
  std::string description;      // shown in the router's UPnP table
  std::uint32_t lease_seconds = 0;  // 0 = permanent (IGDv2 routers clamp it to 604800)
};

// NewProtocol is always upper case: TP-Link ER605 rejects "udp".
[[nodiscard]] std::string_view protocol_text(config::Protocol protocol);

[[nodiscard]] Action get_external_ip_address();
[[nodiscard]] Action get_status_info();
[[nodiscard]] Action add_port_mapping(const PortMapping& mapping);
// IGDv2 only: the router may grant another external port, returned in
// NewReservedPort (an IGDv1 router answers 401 Invalid Action).
[[nodiscard]] Action add_any_port_mapping(const PortMapping& mapping);
[[nodiscard]] Action delete_port_mapping(const PortMappingKey& key);
[[nodiscard]] Action get_specific_port_mapping_entry(const PortMappingKey& key);
// Walk index 0, 1, ... until error 713 (SpecifiedArrayIndexInvalid).
[[nodiscard]] Action get_generic_port_mapping_entry(std::uint16_t index);

struct Request {
  std::string target;       // "/ctl/IPConn": the request line's target
  std::string host;         // "192.168.1.1:5000": the Host header
  std::string soap_action;  // "\"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\"", quotes included
  std::string body;         // the SOAP envelope

  // The whole HTTP/1.1 POST: Host, Content-Type: text/xml; charset="utf-8",
  // SOAPAction, Content-Length, Connection: close, then the body.
  [[nodiscard]] std::string to_http() const;
};

// The envelope: <s:Envelope ...><s:Body><u:ACTION xmlns:u="SERVICE_TYPE">
// <ARG>escaped value</ARG>...</u:ACTION></s:Body></s:Envelope>.
// nullopt when the service type (it comes from the router's description) or
// a name is not a plain URN / XML name, or a value has a character XML
// cannot carry (a C0 control).
[[nodiscard]] std::optional<std::string> encode_envelope(std::string_view service_type, const Action& action);

// The request for `action` at the service's control URL (resolved and
// checked with url_guard). nullopt as for encode_envelope.
[[nodiscard]] std::optional<Request> encode_request(const HttpUrl& control_url, std::string_view service_type,
                                                    const Action& action);

}  // namespace mulenet::portmap::upnp::soap
