#pragma once
// "What does the router speak?": asks it over NAT-PMP, PCP and UPnP IGD at
// the same time and reports what answered, each with its external address.
// Answers are taken as they arrive; the slowest protocol only costs its own
// timeout, not the others'.
#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/port_plan.hpp"
#include "net/default_gateway.hpp"
#include "portmap/router_memory.hpp"

namespace mulenet::portmap {

struct ProtocolAnswer {
  bool answered = false;
  std::string error;                       // why not (no answer, refused, ...)
  std::error_code code;                    // with error: its PortmapErrc (portmap_error.hpp)
  std::chrono::microseconds elapsed{0};
  std::optional<std::string> external_ip;  // as the router reports it
  std::optional<std::uint32_t> epoch;      // NAT-PMP/PCP: seconds since the router's epoch
  std::string detail;                      // e.g. result code names
};

// One entry of the router's UPnP port-mapping table (GetGenericPortMappingEntry).
struct RouterTableEntry {
  config::Protocol protocol = config::Protocol::tcp;
  std::uint16_t external_port = 0;
  std::string internal_client;
  std::uint16_t internal_port = 0;
  std::string description;
  bool enabled = true;
  std::uint32_t lease_seconds = 0;  // remaining; 0 = permanent
  std::string remote_host;          // "" = any
};

// What UPnP discovery found, when it found something.
struct UpnpInfo {
  std::string location;        // the description URL
  bool location_remembered = false;  // from the last run's memory (no SSDP search this time)
  std::string server;          // the SSDP SERVER header ("... MiniUPnPd/2.3.1")
  std::string friendly_name;   // of the root device
  std::string service_type;    // the WAN service chosen
  std::string control_url;
  std::string event_url;          // the WAN service's eventSubURL (GENA), "" when refused or absent
  std::string connection_status;  // GetStatusInfo: "Connected", ...
  std::vector<std::string> refused;  // SSDP answers ignored, and why
  // The router's mapping table, when asked for (ProbeOptions::list_mappings).
  bool table_read = false;
  std::vector<RouterTableEntry> table;
  bool table_truncated = false;
  std::string table_error;
};

struct GatewayReport {
  std::optional<net::DefaultGateway> gateway;
  std::string local_address;  // ours, toward the gateway
  std::string error;          // no gateway, no route
  std::error_code code;       // with error: no_gateway, no_route, bad_address
  ProtocolAnswer natpmp;
  ProtocolAnswer pcp;
  ProtocolAnswer upnp;
  std::optional<UpnpInfo> upnp_info;
};

struct ProbeOptions {
  std::chrono::milliseconds timeout{3000};
  // Which protocols to ask (a user who chose one does not wait for the others).
  bool ask_natpmp = true;
  bool ask_pcp = true;
  bool ask_upnp = true;
  bool list_mappings = false;  // UPnP: also read the router's whole mapping table
  // UPnP: also ask GetStatusInfo (for the report; a mapper does not need it,
  // and each request is one more the router serves in turn).
  bool ask_connection_status = true;
  std::optional<std::string> gateway_override;  // tests / odd setups: ask this address instead
  // The last run's router memory: UPnP first tries its description URL (when
  // the gateway is the same), and discovers by SSDP when that fails.
  std::optional<RouterMemory> remembered;
};

boost::asio::awaitable<GatewayReport> probe_gateway(ProbeOptions options);

// False when mulenet was built with MULENET_WITH_UPNP=OFF: UPnP is then
// never asked and reported as "not built in".
[[nodiscard]] bool upnp_built_in();

// Private (RFC 1918), CGNAT (100.64/10), loopback or link-local: behind
// another NAT, so a mapping on this router alone does not make us reachable.
[[nodiscard]] bool is_private_or_cgnat(const std::string& ipv4);

}  // namespace mulenet::portmap
