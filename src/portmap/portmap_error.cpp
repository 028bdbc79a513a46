#include "portmap/portmap_error.hpp"

#include <string>

namespace mulenet::portmap {
namespace {

struct Description {
  std::string_view code;
  std::string_view message;
  std::string_view fix;
};

Description describe(PortmapErrc e) noexcept
{
  switch (e) {
    case PortmapErrc::no_gateway:
      return {"no-gateway", "this host has no IPv4 default gateway: there is no router to ask",
              "Connect this host to the network behind the router (or give the router's address with --gateway)."};
    case PortmapErrc::no_route:
      return {"no-route", "this host has no route to the gateway",
              "Check the network connection and the routing table (ip route); the gateway must be reachable from "
              "this host."};
    case PortmapErrc::bad_address:
      return {"bad-address", "the gateway's address is not an IP address",
              "Give the router's IP address (for example --gateway 192.168.1.1), not a host name."};
    case PortmapErrc::socket_error:
      return {"socket-error", "this host could not open or use a socket toward the router",
              "Check the system's limits on open files and sockets, and that no sandbox or security policy forbids "
              "UDP and TCP to the router."};
    case PortmapErrc::no_randomness:
      return {"no-randomness", "the system's random source failed, so no PCP request can be made",
              "Check that the system's random source (getrandom, /dev/urandom) works in this environment, or map "
              "with --via natpmp or --via upnp."};
    case PortmapErrc::not_built_in:
      return {"not-built-in", "UPnP is not built into this mulenet (built with MULENET_WITH_UPNP=OFF)",
              "Use PCP or NAT-PMP (--via pcp or --via natpmp), or use a mulenet built with UPnP."};
    case PortmapErrc::not_asked:
      return {"not-asked", "this protocol was not asked", "Nothing to do: another protocol was chosen (--via)."};
    case PortmapErrc::no_answer:
      return {"no-answer", "the router did not answer in time",
              "Turn on UPnP, NAT-PMP or PCP in the router's settings; if it is on, allow a longer wait (--timeout) "
              "and check that no firewall on this host drops the router's answers."};
    case PortmapErrc::no_service:
      return {"no-service", "the router refused the connection: it does not run this protocol",
              "Turn on UPnP, NAT-PMP or PCP in the router's settings, or let mulenet choose another protocol (no "
              "--via)."};
    case PortmapErrc::not_supported:
      return {"not-supported", "the router does not support this protocol, its version or this request",
              "Let mulenet choose another protocol (no --via), or update the router's firmware."};
    case PortmapErrc::no_protocol:
      return {"no-protocol", "the router answers none of PCP, NAT-PMP and UPnP IGD",
              "Turn on UPnP (or NAT-PMP/PCP) in the router's settings, or forward aMule's ports by hand there "
              "(mulenet ports lists them)."};
    case PortmapErrc::not_authorized:
      return {"not-authorized", "the router refuses mappings for this host or port",
              "The router refuses mappings: turn on UPnP/NAT-PMP/PCP in its settings, and allow mappings for this "
              "host and ports of 1024 and above."};
    case PortmapErrc::network_failure:
      return {"network-failure", "the router has no working external connection",
              "Wait until the router is online (it has an external address), then map again; mulenet retries on "
              "its own while it runs."};
    case PortmapErrc::out_of_resources:
      return {"out-of-resources", "the router's mapping table is full, or this host used up its quota",
              "Delete stale mappings in the router's UPnP/port-forwarding table, or restart the router."};
    case PortmapErrc::conflict:
      return {"conflict", "another host already holds this external port on the router",
              "Free the port on the other device or in the router's port-forwarding table, or give aMule other "
              "ports (mulenet config set /eMule/Port and /eMule/UDPPort)."};
    case PortmapErrc::address_mismatch:
      return {"address-mismatch", "there is another NAT between this host and the router",
              "Map on the router this host is directly behind, or put that router in bridge mode; a mapping on the "
              "outer router alone does not reach this host."};
    case PortmapErrc::refused:
      return {"refused", "the router refused the request",
              "See the router's own words in the message; restarting the router's UPnP/NAT-PMP/PCP service or "
              "another protocol (--via) may help."};
    case PortmapErrc::bad_answer:
      return {"bad-answer", "the router's answer is malformed or not what was asked",
              "The router's port-mapping service is broken: let mulenet choose another protocol (no --via), or "
              "update the router's firmware."};
    case PortmapErrc::unsafe_url:
      return {"unsafe-url", "the router's UPnP points to an address mulenet refuses to use",
              "mulenet talks only to addresses on the gateway's subnet; check which device answers for UPnP on the "
              "LAN, or use PCP or NAT-PMP (--via)."};
    case PortmapErrc::not_kept:
      return {"not-kept", "the router accepted the mapping but does not keep it",
              "The router's UPnP is unreliable: use PCP or NAT-PMP (--via), or forward the port by hand in the "
              "router's settings."};
    case PortmapErrc::other_port:
      return {"other-port", "the router forwards another external port than the one asked",
              "Free the asked port on the router (another device holds it) or give aMule other ports; Kad works "
              "with the other port, eD2k does not."};
    case PortmapErrc::below_1024:
      return {"below-1024", "ports below 1024 are never mapped",
              "Give aMule ports of 1024 and above (mulenet config set /eMule/Port, /eMule/UDPPort)."};
    case PortmapErrc::nothing_to_map:
      return {"nothing-to-map", "no port of the plan asks to be mapped: UPnP is off in amule.conf",
              "Turn it on: mulenet config set /eMule/UPnPEnabled 1."};
    case PortmapErrc::bad_mapping:
      return {"bad-mapping", "the mapping lacks a valid address, PCP nonce or UPnP control URL",
              "The mapping journal (mulenet-mappings.json next to amule.conf) has a broken entry: remove the "
              "mapping in the router's settings if it is still there, then delete that entry."};
    case PortmapErrc::journal_io:
      return {"journal-io", "the mapping journal cannot be read",
              "Check that the mapping journal (mulenet-mappings.json next to amule.conf) is a readable file of "
              "this user."};
  }
  return {"unknown", "unknown port-mapping error", ""};
}

class PortmapCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mulenet.portmap"; }
  std::string message(int ev) const override { return std::string(describe(static_cast<PortmapErrc>(ev)).message); }
};

}  // namespace

const std::error_category& portmap_category() noexcept
{
  static const PortmapCategory category;  // immutable, as std::generic_category()
  return category;
}

std::error_code make_error_code(PortmapErrc e) noexcept { return {static_cast<int>(e), portmap_category()}; }
std::string_view code_name(PortmapErrc e) noexcept { return describe(e).code; }
std::string_view fix_for(PortmapErrc e) noexcept { return describe(e).fix; }

}  // namespace mulenet::portmap
