#include "doctor/low_id_diagnosis.hpp"

#include <fmt/format.h>

#include "doctor/ports_to_forward.hpp"
#include "doctor/unreachable_cause.hpp"

namespace mulenet::doctor {
namespace {

constexpr const char* kLowIdLimits =
    "With a Low ID you cannot exchange data with other Low-ID clients (an eD2k limit, no workaround):\n"
    "at least one side needs a High ID.";

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
  const std::uint16_t n = other_port(ev.settings, ev.settings.tcp_port);
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
  if (firewall_verdict(ev, "ed2k-tcp") == firewall::Verdict::blocked)
    fix += "and allow it in the local firewall (the firewall finding shows the rule).\n";
  fix += kLowIdLimits;
  return {f.id_prefix + ".low-id", Severity::problem,
          fmt::format("{}: servers cannot connect back to your TCP port {}", f.subject, port), f.evidence, fix};
}

}  // namespace

Finding low_id_finding(const Evidence& ev, const LowIdFacts& facts)
{
  if (facts.via_proxy) return via_proxy(ev, facts);
  const config::PlannedPort tcp{"ed2k-tcp", config::Protocol::tcp, ev.settings.tcp_port, "", "", "", true, true};
  switch (unreachable_cause(ev, tcp)) {
    case UnreachableCause::double_nat: return double_nat(ev, facts, router_external(ev).value_or(""));
    case UnreachableCause::local_firewall: return local_firewall(ev, facts);
    case UnreachableCause::filtered_upstream: return isp_block(ev, facts);
    case UnreachableCause::not_forwarded: break;
  }
  return not_forwarded(ev, facts);
}

}  // namespace mulenet::doctor
