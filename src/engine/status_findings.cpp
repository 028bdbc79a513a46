#include "engine/status_findings.hpp"

#include <fmt/format.h>

namespace mulenet::engine {
namespace {

using doctor::Finding;
using doctor::Severity;

std::string label(const PortStatus& p) { return fmt::format("{}/{} ({})", p.port, to_string(p.protocol), p.name); }

const PortStatus* port_named(const Status& s, std::string_view name)
{
  for (const PortStatus& p : s.ports)
    if (p.name == name) return &p;
  return nullptr;
}

void port_findings(const PortStatus& p, std::vector<Finding>& out)
{
  if (!p.selected) return;
  if (p.state == PortState::closed) {
    out.push_back({"port.closed." + p.name, Severity::problem,
                   fmt::format("{} is closed: a peer outside could not reach it", label(p)), p.evidence,
                   "Something between the internet and this computer drops it: the local firewall (sudo mulenet "
                   "doctor reads its rules) or a router that forwards it elsewhere."});
  } else if (p.state == PortState::degraded) {
    out.push_back({"port.degraded." + p.name, Severity::warning,
                   fmt::format("{} is forwarded, but at another external port or behind a second NAT", label(p)),
                   p.evidence,
                   "Peers learn our port from what we announce: with another external port or a second router in "
                   "front they cannot reach it. mulenet doctor explains which and what to do."});
  } else if (p.state == PortState::unknown && p.problem) {
    out.push_back({"port.not-forwarded." + p.name, Severity::warning,
                   fmt::format("The router did not forward {} ({})", label(p), *p.problem), p.evidence,
                   "Forward it by hand in the router (TCP/UDP to this computer's address), or see why with "
                   "mulenet map."});
  }
}

void ed2k_findings(const Status& s, std::vector<Finding>& out)
{
  if (s.ed2k.state != Ed2kState::low_id) return;
  const std::string server = s.ed2k.server_name.value_or(s.ed2k.server.value_or("the server"));
  const std::string evidence = fmt::format("{} gave ID {}", server, s.ed2k.id.value_or(0));
  const PortStatus* tcp = port_named(s, "ed2k-tcp");
  if (tcp && tcp->state == PortState::verified_open) {
    out.push_back({"ed2k.server-low-id", Severity::warning, "Low ID from " + server + ", although the TCP port is open",
                   evidence + "; " + tcp->evidence,
                   "That server is overloaded or misconfigured: the daemon moves on to the next server of server.met "
                   "(it keeps the last one, or any ID when no other answers)."});
    return;
  }
  if (tcp && tcp->state == PortState::mapped) {
    // The router says it forwards the port, yet this server could not connect back.
    out.push_back({"ed2k.low-id-forwarded", Severity::problem,
                   "Low ID from " + server + ", although the router forwards the TCP port", evidence + "; " +
                   label(*tcp) + ": " + tcp->evidence,
                   "Either the server is overloaded (the daemon moves on to the next server of server.met), or "
                   "something drops the port after the router: the local firewall, or a second NAT in front. "
                   "mulenet doctor reads the firewall rules and tells which."});
    return;
  }
  out.push_back({"ed2k.low-id", Severity::problem, "Low ID from " + server + ": it could not connect back",
                 evidence + (tcp ? "; " + label(*tcp) + ": " + tcp->evidence : ""),
                 "Make the TCP port reachable: let the router forward it (UPnP on, or by hand) and allow it in the "
                 "local firewall; mulenet doctor names the cause. With a Low ID you cannot reach other Low-ID "
                 "clients."});
}

void kad_findings(const Status& s, std::vector<Finding>& out)
{
  if (s.kad.state != KadState::connected) return;
  const bool tcp = s.kad.tcp == Reachability::firewalled, udp = s.kad.udp == Reachability::firewalled;
  if (!tcp && !udp) return;
  const std::string which = tcp && udp ? "TCP and UDP" : tcp ? "TCP" : "UDP";
  std::string evidence;
  if (tcp && s.kad.tcp_reason) evidence += "TCP: " + *s.kad.tcp_reason;
  if (udp && s.kad.udp_reason) evidence += (evidence.empty() ? "" : "; ") + std::string("UDP: ") + *s.kad.udp_reason;
  std::string fix = "Forward the port(s) to this computer and allow them in the local firewall.";
  if (udp && s.kad.udp_remapped.value_or(false))
    fix = "The router remaps the UDP source port: the documented workaround is another TCP port n (80 < n < "
          "65530) with UDP n+3 and the Kad port forwarded (mulenet doctor gives the exact commands).";
  out.push_back({"kad.firewalled", Severity::warning, "Kad " + which + " firewalled", evidence,
                 fix + " Until then other nodes reach us only through a buddy."});
}

// Some evidence that could have shown a problem: without it, "nothing wrong" would be a guess.
bool something_measured(const Status& s)
{
  for (const PortStatus& p : s.ports)
    if (p.selected && p.state == PortState::verified_open) return true;  // a mapping alone cannot show a firewall
  return s.ed2k.state == Ed2kState::high_id || s.kad.tcp == Reachability::open || s.kad.udp == Reachability::open;
}

}  // namespace

std::vector<Finding> status_findings(const Status& s)
{
  std::vector<Finding> out;
  if (s.router.double_nat.value_or(false))
    out.push_back({"router.double-nat", Severity::problem,
                   fmt::format("Double NAT: the router's own external address {} is private",
                               s.router.external_ip.value_or("?")),
                   "the router reports it as its external address",
                   "Forwarding on this router alone cannot work: put the modem/ISP box in bridge mode or forward the "
                   "ports on it too; with carrier-grade NAT ask the ISP for a public IPv4 address."});
  for (const PortStatus& p : s.ports) port_findings(p, out);
  ed2k_findings(s, out);
  kad_findings(s, out);
  if (out.empty() && something_measured(s))
    out.push_back({"daemon.nothing-wrong", Severity::ok, "Nothing wrong that the daemon can see",
                   "its ports, the eD2k ID and the Kad verdicts as shown", ""});
  else if (out.empty())
    out.push_back({"daemon.nothing-measured", Severity::info, "Nothing measured yet that could tell",
                   "no port mapped or seen from outside, no eD2k ID, no Kad verdict (yet)",
                   "Wait a few seconds after the start; if it stays so, run mulenet doctor."});
  doctor::rank(out);
  return out;
}

}  // namespace mulenet::engine
