#include "config/port_plan.hpp"

namespace mulenet::config {

const char* to_string(Protocol protocol) { return protocol == Protocol::tcp ? "tcp" : "udp"; }

PortPlan make_port_plan(const Settings& s)
{
  PortPlan plan;
  auto add = [&plan](PlannedPort p) { plan.ports.push_back(std::move(p)); };

  // The three eD2k/Kad ports: all mapped by the master switch alone.
  add({"ed2k-tcp", Protocol::tcp, s.tcp_port, "incoming+outgoing",
       "eD2k client connections (transfers, Hello), must be reachable for a High ID", "/eMule/Port",
       s.upnp_enabled, true});
  // The server UDP socket is always TCP+3: it follows /eMule/Port.
  if (s.server_udp_port() <= 65535) {
    add({"server-udp", Protocol::udp, static_cast<std::uint16_t>(s.server_udp_port()), "incoming+outgoing",
         "eD2k server UDP (TCP port + 3): global searches and source queries, recommended", "/eMule/Port",
         s.upnp_enabled, true});
  }
  if (s.udp_enabled) {
    add({"kad-udp", Protocol::udp, s.udp_port, "incoming+outgoing",
         "Kademlia and extended eMule UDP, must be reachable for Kad to be open", "/eMule/UDPPort", s.upnp_enabled,
         true});
  }
  // EC is forwarded only when both the master switch and its own toggle are on.
  add({"ec-tcp", Protocol::tcp, s.ec_port, "incoming", "External Connections (amulecmd, amulegui)",
       "/ExternalConnect/ECPort", s.upnp_enabled && s.upnp_ec_enabled, s.ec_enabled});
  // The web server maps its port on its own toggle, independently of the master switch.
  add({"web-tcp", Protocol::tcp, s.web_port, "incoming", "amuleweb web interface", "/WebServer/Port",
       s.upnp_web_enabled, s.web_enabled});
  // The control point's own port: the router's event callbacks arrive here; never forwarded.
  add({"upnp-control-tcp", Protocol::tcp, s.upnp_tcp_port, "incoming from the router",
       "UPnP control point (event callbacks from the router), never forwarded", "/eMule/UPnPTCPPort", false,
       s.upnp_enabled || s.upnp_web_enabled});
  return plan;
}

}  // namespace mulenet::config
