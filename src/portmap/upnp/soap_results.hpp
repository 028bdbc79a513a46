#pragma once
// Typed out-arguments of the actions in soap_request.hpp, taken from a
// parsed (non-fault) soap::Response. Values are checked, never trusted:
// numbers in range, protocols TCP/UDP, addresses literal, texts printable.
#include <cstdint>
#include <optional>
#include <string>

#include "config/port_plan.hpp"
#include "portmap/upnp/codec_result.hpp"
#include "portmap/upnp/soap_response.hpp"

namespace mulenet::portmap::upnp::soap {

// GetExternalIPAddress: NewExternalIPAddress, an IPv4 or IPv6 literal. An
// empty value (a router that has no WAN address yet) gives "" (ok).
// miniupnpd and others say "0.0.0.0" for the same: also returned as is
// (the mapper treats unspecified like unknown).
[[nodiscard]] Parsed<std::string> external_ip_address(const Response& response);

struct StatusInfo {
  std::string connection_status;      // "Connected", "Disconnected", "Connecting", ...
  std::string last_connection_error;  // "ERROR_NONE"
  std::optional<std::uint32_t> uptime_seconds;
  [[nodiscard]] bool connected() const;  // "Connected" (or "Up", a TR-064 spelling)
};
// GetStatusInfo: NewConnectionStatus is required.
[[nodiscard]] Parsed<StatusInfo> status_info(const Response& response);

struct PortMappingEntry {
  std::string remote_host;  // "" = any
  std::uint16_t external_port = 0;
  config::Protocol protocol = config::Protocol::tcp;
  std::uint16_t internal_port = 0;
  std::string internal_client;
  bool enabled = true;
  std::string description;  // printable, at most 256 bytes
  std::uint32_t lease_seconds = 0;  // remaining; 0 = permanent
};
// GetGenericPortMappingEntry (every field from the response), or
// GetSpecificPortMappingEntry when `key` is the key that was asked for
// (that response carries only the other fields).
[[nodiscard]] Parsed<PortMappingEntry> port_mapping_entry(const Response& response,
                                                          const PortMappingKey* key = nullptr);

// AddAnyPortMapping: NewReservedPort, the external port granted (1..65535).
[[nodiscard]] Parsed<std::uint16_t> reserved_port(const Response& response);

}  // namespace mulenet::portmap::upnp::soap
