#pragma once
// Prints the host firewall rules that let aMule's ports in, as a snippet the
// user pastes into a root shell (or into /etc/pf.conf for pf).
#include <cstdint>
#include <string>

#include "config/port_plan.hpp"
#include "firewall/firewall_kind.hpp"

namespace mulenet::firewall {

struct RenderOptions {
  bool upnp = false;                     // aMule's UPnP client is on: it needs inbound traffic too
  std::uint16_t upnp_control_port = 50000;
  std::string router_address;            // the router's IP literal; empty = unknown
};

// One rule per active port of the plan (the UPnP control port is handled by
// opts, not by the plan's "upnp-control-tcp" entry), each preceded by a
// comment naming it; plus, with opts.upnp, the two rules UPnP needs. A pure
// function: it only builds text.
[[nodiscard]] std::string render_firewall_rules(FirewallKind kind, const config::PortPlan& plan,
                                                const RenderOptions& opts);

}  // namespace mulenet::firewall
