#pragma once
// A port mapping on the router: what we asked for and what we got, by which
// protocol. Shared by the three clients (UPnP IGD, NAT-PMP, PCP), the mapper
// and the journal.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/port_plan.hpp"

namespace mulenet::portmap {

enum class Via { upnp, natpmp, pcp };
[[nodiscard]] const char* to_string(Via via);
[[nodiscard]] std::optional<Via> parse_via(std::string_view text);

// One mapping as the router holds it; enough to renew or delete it later,
// even from another process after a crash (the journal stores exactly this).
struct Mapping {
  Via via = Via::upnp;
  config::Protocol protocol = config::Protocol::tcp;
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;
  std::string internal_client;  // our LAN address the router forwards to
  std::string gateway;          // the router's LAN address
  std::uint32_t lease_seconds = 0;
  std::string name;             // the port plan's entry: ed2k-tcp, kad-udp, ...
  // Per protocol: what a renewal or delete must repeat.
  std::string pcp_nonce_hex;       // PCP: the MAP nonce (RFC 6887 §11.1)
  std::string upnp_control_url;    // UPnP: the WAN service's control URL
  std::string upnp_service_type;   // UPnP: urn:schemas-upnp-org:service:WANIPConnection:2, ...
};

[[nodiscard]] bool same_mapping(const Mapping& a, const Mapping& b);

}  // namespace mulenet::portmap
