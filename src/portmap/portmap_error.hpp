#pragma once
// Why a port mapping could not be made, kept or removed, as stable codes the
// Engine (and later the web API) can match, each with a message naming the
// cause and the fix. The error strings next to these codes stay: they carry
// the router's own words (result code names, UPnP fault texts, holders).
//
// How the protocols' own results map onto these codes is beside each of
// them: natpmp::error_for (natpmp_result.hpp), pcp::error_for
// (pcp_result.hpp), upnp::error_for (upnp/upnp_error.hpp).
#include <string_view>
#include <system_error>

namespace mulenet::portmap {

enum class PortmapErrc {
  // This host and its network.
  no_gateway = 1,   // no IPv4 default gateway: there is no router to ask
  no_route,         // no route (no local address) toward the gateway
  bad_address,      // the gateway address (--gateway, or the one found) is not an IP address
  socket_error,     // this host could not open or use a socket toward the router
  no_randomness,    // the system's random source failed (PCP nonce)
  not_built_in,     // UPnP asked for, but built with MULENET_WITH_UPNP=OFF
  // Whether the router speaks the protocol.
  not_asked,        // the protocol was not asked (another one was chosen)
  no_answer,        // no answer in time (UDP retransmissions, HTTP, SSDP)
  no_service,       // the router refused the connection: nothing listens for that protocol
  not_supported,    // the router does not support the protocol, its version or the request
  no_protocol,      // the router answers none of PCP, NAT-PMP and UPnP IGD
  // The router answered, and said no.
  not_authorized,   // mapping turned off, or not allowed for this client or port
  network_failure,  // the router has no working external connection
  out_of_resources, // the router's mapping table is full, or this host's quota is used up
  conflict,         // another host holds the external port
  address_mismatch, // PCP: the request came from another address than it names (a NAT in between)
  refused,          // another refusal (the text has the router's code and words)
  // The router answered something unusable.
  bad_answer,       // malformed or unexpected answer (HTTP, SOAP, XML, device description)
  unsafe_url,       // the router's UPnP names a URL mulenet refuses to fetch (see upnp/url_guard.hpp)
  not_kept,         // the router accepted the mapping but does not list it
  // The mapper's own verdicts.
  other_port,       // mapped, but at another external port (eD2k cannot announce it)
  below_1024,       // ports below 1024 are never mapped
  nothing_to_map,   // no port of the plan asks for a mapping (UPnP off in amule.conf)
  bad_mapping,      // a mapping (from the journal) lacks a valid address, nonce or control URL
  journal_io,       // the mapping journal cannot be read
};

[[nodiscard]] const std::error_category& portmap_category() noexcept;
[[nodiscard]] std::error_code make_error_code(PortmapErrc e) noexcept;

// "not-authorized", ...: the stable code of the public contract (JSON "code").
[[nodiscard]] std::string_view code_name(PortmapErrc e) noexcept;
// What to do about it, in plain words, naming the settings involved.
[[nodiscard]] std::string_view fix_for(PortmapErrc e) noexcept;

}  // namespace mulenet::portmap

template <>
struct std::is_error_code_enum<mulenet::portmap::PortmapErrc> : std::true_type {};
