#include "doctor/low_id_diagnosis.hpp"

#include <fmt/format.h>

#include "doctor/ports_to_forward.hpp"

namespace mulenet::doctor {
namespace {

constexpr const char* kLowIdLimits =
    "With a Low ID you cannot exchange data with other Low-ID clients (an eD2k limit, no workaround):\n"
    "at least one side needs a High ID.";

const PortEvidence* port_named(const Evidence& ev, const std::string& name)
{
  for (const PortEvidence& p : ev.ports)
    if (p.port.name == name) return &p;
  return nullptr;
}

// The router says it forwards our TCP port to us (its UPnP table, or our journal).
bool router_forwards_tcp(const Evidence& ev)
{
  const RouterEvidence& r = ev.router;
  if (!r.asked || !r.report.error.empty()) return false;
  if (r.report.upnp_info) {
    for (const auto& e : r.report.upnp_info->table)
      if (e.protocol == config::Protocol::tcp && e.external_port == ev.settings.tcp_port &&
          e.internal_client == r.report.local_address && e.internal_port == ev.settings.tcp_port)
        return true;
  }
  for (const auto& m : r.journal.mappings)
    if (m.protocol == config::Protocol::tcp && m.internal_port == ev.settings.tcp_port &&
        m.external_port == ev.settings.tcp_port && m.internal_client == r.report.local_address)
      return true;
  return false;
}

std::optional<std::string> router_external(const Evidence& ev)
{
  const auto& r = ev.router.report;
  if (!ev.router.asked || !r.error.empty()) return std::nullopt;
  return r.natpmp.external_ip ? r.natpmp.external_ip : r.upnp.external_ip;
}

// A port for the "ISP filters the port" advice: away from the well-known
// P2P ports, its TCP+3 clear of the UDP port.
std::uint16_t other_port(const config::Settings& s)
{
  for (std::uint32_t candidate = 20000u + s.tcp_port % 10000u; candidate < 65500u; candidate += 7) {
    const auto c = static_cast<std::uint16_t>(candidate);
    if (c != s.udp_port && c + 3u != s.udp_port && c != s.ec_port && c != s.web_port) return c;
  }
  return 51000;
}

std::optional<firewall::Verdict> firewall_verdict(const Evidence& ev)
{
  const PortEvidence* tcp = port_named(ev, "ed2k-tcp");
  if (!tcp || !tcp->firewall) return std::nullopt;
  return tcp->firewall->verdict;
}

Finding via_proxy(const Evidence& ev, const LowIdFacts& f)
{
  return {f.id_prefix + ".low-id-proxy", Severity::warning,
          f.subject + ": you log in through a proxy, so servers connect back to it",
          f.evidence + (f.seen_at.empty() ? "" : "; the server saw you at " + f.seen_at + " (the proxy's side)"),
          fmt::format("Incoming connections never go through a proxy: the server tried to connect back to the address "
                      "it saw, the proxy's. Accept a Low ID while using the proxy, or log in to servers directly "
                      "(mulenet config set /Proxy/ProxyEnableProxy 0) with TCP {} forwarded.\n{}",
                      ev.settings.tcp_port, kLowIdLimits)};
}

Finding double_nat(const Evidence& ev, const LowIdFacts& f, const std::string& external)
{
  return {f.id_prefix + ".low-id-double-nat", Severity::problem,
          fmt::format("{}: double NAT (the router's own outside address {} is private)", f.subject, external),
          f.evidence,
          fmt::format("Forwarding on this router alone cannot work: put the modem/ISP box in bridge mode, "
                      "or forward TCP {} on it to this router too; with carrier-grade NAT ask the ISP for "
                      "a public IPv4 address.\n{}",
                      ev.settings.tcp_port, kLowIdLimits)};
}

// Forwarded, but dropped on this host: the firewall, not the router, is the cause.
Finding local_firewall(const Evidence& ev, const LowIdFacts& f)
{
  return {f.id_prefix + ".low-id-local-firewall", Severity::problem,
          fmt::format("{}: the router forwards TCP {}, but the local firewall drops it", f.subject, ev.settings.tcp_port),
          f.evidence + "; the router forwards the port to this computer, and the firewall ruleset blocks it",
          fmt::format("Allow TCP {} in the local firewall (the firewall finding shows the rule), then reconnect to "
                      "the server.\n{}",
                      ev.settings.tcp_port, kLowIdLimits)};
}

Finding isp_block(const Evidence& ev, const LowIdFacts& f)
{
  const std::uint16_t n = other_port(ev.settings);
  return {f.id_prefix + ".low-id-isp-block", Severity::problem,
          fmt::format("{} although TCP {} is forwarded and the local firewall lets it in: your ISP may filter it",
                      f.subject, ev.settings.tcp_port),
          f.evidence + "; the router forwards it to this computer and the firewall allows it, yet nothing arrived",
          fmt::format("Some ISPs block the usual P2P ports. Use another port:\n"
                      "  mulenet config set /eMule/Port {}\n"
                      "then forward it (mulenet map) and restart aMule.\n{}",
                      n, kLowIdLimits)};
}

Finding not_forwarded(const Evidence& ev, const LowIdFacts& f)
{
  const std::uint16_t port = ev.settings.tcp_port;
  std::string fix = fmt::format("Make TCP {} reachable from the internet:\n", port);
  fix += "  mulenet map   (asks the router by UPnP, NAT-PMP or PCP), or forward by hand in the router:\n";
  std::vector<config::PlannedPort> tcp_only;
  for (const auto& p : ports_to_forward(ev))
    if (p.name == "ed2k-tcp") tcp_only.push_back(p);
  fix += forwarding_rules_text(tcp_only, ev.router.report.local_address) + "\n";
  if (firewall_verdict(ev) == firewall::Verdict::blocked)
    fix += "and allow it in the local firewall (the firewall finding shows the rule).\n";
  fix += kLowIdLimits;
  return {f.id_prefix + ".low-id", Severity::problem,
          fmt::format("{}: servers cannot connect back to your TCP port {}", f.subject, port), f.evidence, fix};
}

}  // namespace

Finding low_id_finding(const Evidence& ev, const LowIdFacts& facts)
{
  if (facts.via_proxy) return via_proxy(ev, facts);
  const auto external = router_external(ev);
  if (external && portmap::is_private_or_cgnat(*external)) return double_nat(ev, facts, *external);
  if (router_forwards_tcp(ev)) {
    const auto verdict = firewall_verdict(ev);
    if (verdict == firewall::Verdict::blocked) return local_firewall(ev, facts);
    if (verdict == firewall::Verdict::allowed) return isp_block(ev, facts);
  }
  return not_forwarded(ev, facts);
}

}  // namespace mulenet::doctor
