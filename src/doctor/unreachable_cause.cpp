#include "doctor/unreachable_cause.hpp"

#include "portmap/gateway_probe.hpp"

namespace mulenet::doctor {

bool router_forwards(const Evidence& ev, config::Protocol protocol, std::uint16_t port)
{
  const RouterEvidence& r = ev.router;
  if (!r.asked || !r.report.error.empty()) return false;
  if (r.report.upnp_info) {
    for (const auto& e : r.report.upnp_info->table)
      if (e.protocol == protocol && e.external_port == port && e.internal_client == r.report.local_address &&
          e.internal_port == port)
        return true;
  }
  for (const auto& m : r.journal.mappings)
    if (m.protocol == protocol && m.internal_port == port && m.external_port == port &&
        m.internal_client == r.report.local_address)
      return true;
  return false;
}

std::optional<std::string> router_external(const Evidence& ev)
{
  const auto& r = ev.router.report;
  if (!ev.router.asked || !r.error.empty()) return std::nullopt;
  return r.natpmp.external_ip ? r.natpmp.external_ip : r.upnp.external_ip;
}

std::optional<firewall::Verdict> firewall_verdict(const Evidence& ev, const std::string& port_name)
{
  for (const PortEvidence& p : ev.ports)
    if (p.port.name == port_name && p.firewall) return p.firewall->verdict;
  return std::nullopt;
}

UnreachableCause unreachable_cause(const Evidence& ev, const config::PlannedPort& port)
{
  const auto external = router_external(ev);
  if (external && portmap::is_private_or_cgnat(*external)) return UnreachableCause::double_nat;
  if (router_forwards(ev, port.protocol, port.port)) {
    const auto verdict = firewall_verdict(ev, port.name);
    if (verdict == firewall::Verdict::blocked) return UnreachableCause::local_firewall;
    if (verdict == firewall::Verdict::allowed) return UnreachableCause::filtered_upstream;
  }
  return UnreachableCause::not_forwarded;
}

std::uint16_t other_port(const config::Settings& s, std::uint16_t base)
{
  for (std::uint32_t candidate = 20000u + base % 10000u; candidate < 65500u; candidate += 7) {
    const auto c = static_cast<std::uint16_t>(candidate);
    const bool clear = c != s.tcp_port && c != s.udp_port && c != s.tcp_port + 3u && c + 3u != s.udp_port &&
                       c != s.ec_port && c != s.web_port;
    if (clear) return c;
  }
  return 51000;
}

}  // namespace mulenet::doctor
