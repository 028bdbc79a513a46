// Kad: open or firewalled, TCP and UDP separately, and why (Network
// Connectivity: "Kademlia firewalled despite High ID" -> UDP not forwarded,
// or forwarded but the NAT remaps the UDP source port, or gives each node
// another port (unstable), with the documented workaround; the extended UDP
// port disabled -> Kad cannot be open; through a SOCKS5 proxy the nodes see
// the proxy and connect back to it, which no forwarding of ours changes).
#include <fmt/format.h>

#include "doctor/check.hpp"
#include "doctor/ports_to_forward.hpp"
#include "doctor/unreachable_cause.hpp"

namespace mulenet::doctor {
namespace {

using kad::Verdict;

bool both_open(const kad::KadCheckReport& r) { return r.tcp == Verdict::open && r.udp == Verdict::open; }

bool ed2k_high_id(const Evidence& ev)
{
  for (const auto& s : ev.ed2k.report.servers)
    if (s.login.high_id()) return true;
  return false;
}

std::string evidence_text(const kad::KadCheckReport& r)
{
  std::string text = fmt::format(
      "{} Kad contacts asked in {:.1f} s; TCP: {} of {} answering node(s) reached our port ({} ACK(s) so far)",
      r.contacts, static_cast<double>(r.elapsed.count()) / 1000.0, r.tcp_reached, r.tcp_answers, r.tcp_acks);
  if (r.external_udp_port) text += fmt::format("; the nodes see our UDP port as {}", *r.external_udp_port);
  if (r.udp_port_unstable) text += "; the nodes saw different UDP ports";
  if (r.udp_working_port) text += fmt::format("; a UDP test reached port {}", *r.udp_working_port);
  return text;
}

// A port for the remap workaround: 80 < n < 65530, n, n+3 and the Kad port all distinct.
std::uint16_t workaround_port(const config::Settings& s)
{
  for (const std::uint16_t n : {std::uint16_t{4811}, std::uint16_t{9870}, std::uint16_t{14662}, std::uint16_t{24811}}) {
    if (n != s.tcp_port && n != s.udp_port && n + 3u != s.udp_port) return n;
  }
  return 31337;
}

constexpr const char* kUntilThen = "Until then other nodes reach you only through a buddy.";

// A port the nodes could not reach, explained by the cause the rest of the
// evidence shows (unreachable_cause.hpp), with the fix for that cause only:
// forwarding is offered only when the router does not forward the port yet.
Finding firewalled_by_cause(const Evidence& ev, const std::string& port_name, const std::string& symptom,
                            const std::string& evidence)
{
  config::PlannedPort port;
  for (const auto& p : ev.plan.ports)
    if (p.name == port_name) port = p;
  const std::string proto = port.protocol == config::Protocol::udp ? "UDP" : "TCP";
  const std::string id = port.protocol == config::Protocol::udp ? "kad.udp-firewalled" : "kad.tcp-firewalled";
  const std::string key = port.protocol == config::Protocol::udp ? "/eMule/UDPPort" : "/eMule/Port";
  switch (unreachable_cause(ev, port)) {
    case UnreachableCause::double_nat:
      return {id + "-double-nat", Severity::warning,
              fmt::format("{}: double NAT (the router's own outside address {} is private)", symptom,
                          router_external(ev).value_or("")),
              evidence,
              fmt::format("Forwarding on this router alone cannot work: put the modem/ISP box in bridge mode, or "
                          "forward {} {} on it to this router too; with carrier-grade NAT ask the ISP for a public "
                          "IPv4 address. {}",
                          proto, port.port, kUntilThen)};
    case UnreachableCause::local_firewall:
      return {id + "-local-firewall", Severity::warning,
              fmt::format("{}: the router forwards {} {}, but the local firewall drops it", symptom, proto, port.port),
              evidence + "; the router forwards the port to this computer, and the firewall ruleset blocks it",
              fmt::format("Allow {} {} in the local firewall (the firewall finding shows the rule). {}", proto,
                          port.port, kUntilThen)};
    case UnreachableCause::filtered_upstream:
      return {id + "-filtered", Severity::warning,
              fmt::format("{} although {} {} is forwarded and the local firewall lets it in: something upstream "
                          "(the ISP) may filter it",
                          symptom, proto, port.port),
              evidence + "; the router forwards it to this computer and the firewall allows it, yet nothing arrived",
              fmt::format("Some ISPs block the usual P2P ports. Use another port:\n  mulenet config set {} {}\nthen "
                          "forward it (mulenet map) and restart aMule. {}",
                          key, other_port(ev.settings, port.port), kUntilThen)};
    case UnreachableCause::not_forwarded: break;
  }
  std::vector<config::PlannedPort> to_forward;
  for (const auto& p : ports_to_forward(ev))
    if (p.name == port_name) to_forward.push_back(p);
  return {id, Severity::warning, fmt::format("{}: {} {} is not forwarded", symptom, proto, port.port), evidence,
          "Forward it: mulenet map, or in the router:\n" +
              forwarding_rules_text(to_forward, ev.router.report.local_address) +
              "\nand let it through the local firewall. " + kUntilThen};
}

}  // namespace

std::vector<Finding> check_kad_status(const Evidence& ev)
{
  const config::Settings& s = ev.settings;
  if (!s.udp_enabled) {
    return {{"kad.udp-disabled", Severity::problem, "Kad cannot be open: the extended UDP port is disabled",
             "/eMule/UDPEnable is 0 in amule.conf, so there is no Kad UDP port",
             "Enable it: mulenet config set /eMule/UDPEnable 1 (and forward UDP " + std::to_string(s.udp_port) +
                 ")"}};
  }
  const KadEvidence& k = ev.kad;
  if (!k.asked) return {};
  if (!k.no_nodes.empty()) {
    return {{"kad.not-checked", Severity::info, "Kad open/firewalled not checked: no Kad node to ask", k.no_nodes,
             "Name one: mulenet doctor --kad-bootstrap IP:PORT (or mulenet kad check --bootstrap IP:PORT)."}};
  }
  const kad::KadCheckReport& r = k.report;
  if (!r.error.empty()) {
    return {{"kad.no-verdict", Severity::warning, "Kad could not be checked", r.error,
             "Stop aMule while checking (it holds the Kad port), or give working nodes: --kad-bootstrap IP:PORT."}};
  }
  std::vector<Finding> out;
  const std::string evidence = evidence_text(r);
  if (r.udp_via_proxy) {
    // Forwarding our router's ports changes nothing here: the nodes see the proxy.
    const std::string seen = r.public_ip ? *r.public_ip : std::string("the proxy's address");
    out.push_back({"kad.via-proxy", both_open(r) ? Severity::ok : Severity::warning,
                   fmt::format("Kad through the SOCKS5 proxy: TCP {}, UDP {} (the nodes see {})", kad::to_string(r.tcp),
                               kad::to_string(r.udp), seen),
                   evidence + "; Kad UDP went " + r.udp_path,
                   "The nodes answer through the proxy but connect back to the proxy's address, not to you, so Kad\n"
                   "stays firewalled behind a proxy (on eD2k the same gives a Low ID): you still download, through\n"
                   "buddies. For privacy with open ports, prefer a VPN that forwards a port; otherwise accept it."});
    return out;
  }
  const std::uint16_t n = workaround_port(s);
  const std::string workaround =
      fmt::format("The documented workaround: use another TCP port n (80 < n < 65530), e.g. {}:\n"
                  "  mulenet config set /eMule/Port {}\n"
                  "then forward TCP {}, UDP {} and UDP {} (mulenet map does all three), restart aMule,\n"
                  "update the Kad node list and wait some 5 minutes; if it stays firewalled, try another n.",
                  n, n, n, n + 3, s.udp_port);
  if (r.udp_port_unstable && r.udp != Verdict::firewalled) {
    // Not (yet) harmful, but the cause the workaround is for.
    out.push_back({"kad.udp-port-unstable", Severity::info,
                   "The router gives each Kad node another UDP source port (an unstable external port)", evidence,
                   "Nodes that learn our port from our packets learn different ones. If Kad UDP shows firewalled:\n" +
                       workaround});
  }
  if (both_open(r)) {
    out.push_back({"kad.open", Severity::ok, "Kad: TCP open, UDP open", evidence, ""});
    if (r.udp_remapped)
      out.push_back({"kad.remapped-but-open", Severity::info,
                     fmt::format("The NAT remaps the UDP source port ({} -> {}), but the forwarded port {} is reachable",
                                 s.udp_port, *r.external_udp_port, s.udp_port),
                     evidence, ""});
    return out;
  }
  const std::string where = ed2k_high_id(ev)           ? " despite a High ID on eD2k"
                            : r.tcp == Verdict::open ? " although TCP is open"
                                                     : "";
  if (r.udp == Verdict::firewalled) {
    if (r.udp_port_unstable) {
      out.push_back({"kad.udp-port-unstable", Severity::warning,
                     "Kad UDP firewalled" + where +
                         ": the router gives each node another UDP source port (an unstable external port)",
                     evidence, workaround});
    } else if (r.udp_remapped) {
      out.push_back({"kad.udp-remapped", Severity::warning,
                     "Kad UDP firewalled" + where + ": the router remaps the UDP source port", evidence, workaround});
    } else {
      out.push_back(firewalled_by_cause(ev, "kad-udp", "Kad UDP firewalled" + where, evidence));
    }
  }
  if (r.tcp == Verdict::firewalled)
    out.push_back(firewalled_by_cause(ev, "ed2k-tcp", "Kad TCP firewalled: the nodes could not connect", evidence));
  if (r.tcp == Verdict::unknown || r.udp == Verdict::unknown) {
    std::string why;
    if (r.tcp == Verdict::unknown) why += "TCP unknown: " + r.tcp_reason + ". ";
    if (r.udp == Verdict::unknown) why += "UDP unknown: " + r.udp_reason + ". ";
    const std::string again =
        r.retry_after_s
            ? fmt::format("Check again in {} s: mulenet kad check (by then enough Kad nodes can tell; a node that\n"
                          "talked to us or checked us a moment ago cannot).",
                          *r.retry_after_s)
            : "Check again: mulenet kad check (with more nodes: --bootstrap IP:PORT).";
    out.push_back({"kad.partly-unknown", Severity::info,
                   fmt::format("Kad: TCP {}, UDP {} (not every test could decide)", kad::to_string(r.tcp),
                               kad::to_string(r.udp)),
                   why + evidence, again});
  }
  return out;
}

}  // namespace mulenet::doctor
