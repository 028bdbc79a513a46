// eD2k: High ID or Low ID, and why, from what the servers did (Network
// Connectivity, "Troubleshooting"): a Low ID although the port is reachable
// (another server got through, or the connect-back reached us) means that
// server is overloaded or misconfigured; a Low ID through a proxy is
// expected (the server connects back to the proxy); a Low ID while the
// router forwards the port and the local firewall lets it in, yet nothing
// arrives, points at the ISP; double NAT; otherwise the port is closed.
#include <algorithm>

#include <fmt/format.h>

#include "doctor/check.hpp"
#include "doctor/ports_to_forward.hpp"

namespace mulenet::doctor {
namespace {

constexpr const char* kLowIdLimits =
    "With a Low ID you cannot exchange data with other Low-ID clients (an eD2k limit, no workaround):\n"
    "at least one side needs a High ID.";

std::string server_label(const ed2k::ServerCheck& s)
{
  return s.login.name.empty() ? s.login.server.str() : fmt::format("{} ({})", s.login.server.str(), s.login.name);
}

std::string server_words(const ed2k::ServerCheck& s)
{
  std::string words;
  for (const std::string& m : s.login.messages) {
    if (m.rfind("server version", 0) == 0) continue;
    words += (words.empty() ? "" : " / ") + m;
  }
  return words;
}

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

}  // namespace

std::vector<Finding> check_ed2k_id(const Evidence& ev)
{
  const Ed2kEvidence& e = ev.ed2k;
  if (!e.asked) return {};
  if (!e.no_servers.empty()) {
    return {{"ed2k.not-checked", Severity::info, "High ID / Low ID not checked: no eD2k server to ask", e.no_servers,
             "Name one: mulenet doctor --ed2k-server HOST:PORT (or mulenet ed2k login HOST:PORT)."}};
  }
  const auto& servers = e.report.servers;
  std::vector<Finding> out;
  std::vector<const ed2k::ServerCheck*> high, low, failed;
  for (const auto& s : servers) {
    if (s.login.high_id()) high.push_back(&s);
    else if (s.login.id) low.push_back(&s);
    else failed.push_back(&s);
  }
  const std::uint16_t port = ev.settings.tcp_port;
  if (high.empty() && low.empty()) {
    std::string evidence;
    for (const auto* s : failed) evidence += (evidence.empty() ? "" : "\n") + s->login.server.str() + ": " + s->login.error;
    return {{"ed2k.no-login", Severity::warning, "No eD2k server could be logged in to", evidence,
             "The servers may be gone (an old server.met): get a current list, or name a server you trust:\n"
             "mulenet ed2k login HOST:PORT. With a proxy configured, `mulenet proxy test` shows whether it works."}};
  }
  const bool reachable_somewhere =
      !high.empty() || std::any_of(servers.begin(), servers.end(), [](const auto& s) { return s.connect_back_seen; });
  if (!high.empty()) {
    const auto* h = high.front();
    out.push_back({"ed2k.high-id", Severity::ok,
                   fmt::format("High ID from {}: public address {}", server_label(*h), ed2k::dotted_text(h->login.id->id)),
                   fmt::format("the server connected back to TCP port {} and got our Hello answer{}", port,
                               h->connect_back_seen ? " (seen by our listener)" : ""),
                   ""});
  }
  if (!low.empty() && reachable_somewhere) {
    std::string names, evidence;
    for (const auto* s : low) {
      names += (names.empty() ? "" : ", ") + server_label(*s);
      evidence += fmt::format("{}{}: Low ID {}{}{}", evidence.empty() ? "" : "\n", s->login.server.str(), s->login.id->id,
                              s->connect_back_seen ? ", although its connect-back reached us" : "",
                              server_words(*s).empty() ? "" : "; it says: " + server_words(*s));
    }
    out.push_back({"ed2k.server-low-id", Severity::warning,
                   "Low ID from " + names + ", although your TCP port is reachable", evidence,
                   high.empty() ? "Such a server is overloaded or misconfigured: connect to another server."
                                : fmt::format("Such a server is overloaded or misconfigured: use another one; {} gave "
                                              "a High ID.",
                                              server_label(*high.front()))});
  }
  if (high.empty() && !reachable_somewhere) {
    const auto* s = low.front();
    std::string evidence = fmt::format("{}: Low ID {}; the connect-back to TCP {} never reached us", server_label(*s),
                                       s->login.id->id, port);
    if (!server_words(*s).empty()) evidence += "; the server says: " + server_words(*s);
    if (low.size() > 1) evidence += fmt::format(" ({} servers, all Low ID)", low.size());
    const std::string seen = s->login.id->reported_ip ? ed2k::dotted_text(*s->login.id->reported_ip) : "";
    const auto external = router_external(ev);
    const PortEvidence* tcp = port_named(ev, "ed2k-tcp");
    const bool firewall_open = tcp && tcp->firewall && tcp->firewall->verdict == firewall::Verdict::allowed;
    if (ev.settings.proxy.enabled && s->login.route == proxy::Route::via_proxy) {
      out.push_back(
          {"ed2k.low-id-proxy", Severity::warning, "Low ID: you log in through a proxy, so servers connect back to it",
           evidence + (seen.empty() ? "" : "; the server saw you at " + seen + " (the proxy's side)"),
           fmt::format("Incoming connections never go through a proxy: the server tried to connect back to the address "
                       "it saw, the proxy's. Accept a Low ID while using the proxy, or log in to servers directly "
                       "(mulenet config set /Proxy/ProxyEnableProxy 0) with TCP {} forwarded.\n{}",
                       port, kLowIdLimits)});
    } else if (external && portmap::is_private_or_cgnat(*external)) {
      out.push_back({"ed2k.low-id-double-nat", Severity::problem,
                     fmt::format("Low ID: double NAT (the router's own outside address {} is private)", *external),
                     evidence,
                     fmt::format("Forwarding on this router alone cannot work: put the modem/ISP box in bridge mode, "
                                 "or forward TCP {} on it to this router too; with carrier-grade NAT ask the ISP for "
                                 "a public IPv4 address.\n{}",
                                 port, kLowIdLimits)});
    } else if (router_forwards_tcp(ev) && firewall_open) {
      const std::uint16_t n = other_port(ev.settings);
      out.push_back({"ed2k.low-id-isp-block", Severity::problem,
                     fmt::format("Low ID although TCP {} is forwarded and the local firewall lets it in: your ISP "
                                 "may filter it",
                                 port),
                     evidence + "; the router forwards it to this computer and the firewall allows it, yet nothing "
                                "arrived",
                     fmt::format("Some ISPs block the usual P2P ports. Use another port:\n"
                                 "  mulenet config set /eMule/Port {}\n"
                                 "then forward it (mulenet map) and restart aMule.\n{}",
                                 n, kLowIdLimits)});
    } else {
      std::string fix = fmt::format("Make TCP {} reachable from the internet:\n", port);
      fix += "  mulenet map   (asks the router by UPnP, NAT-PMP or PCP), or forward by hand in the router:\n";
      std::vector<config::PlannedPort> tcp_only;
      for (const auto& p : ports_to_forward(ev))
        if (p.name == "ed2k-tcp") tcp_only.push_back(p);
      fix += forwarding_rules_text(tcp_only, ev.router.report.local_address) + "\n";
      if (tcp && tcp->firewall && tcp->firewall->verdict == firewall::Verdict::blocked)
        fix += "and allow it in the local firewall (see the firewall finding above).\n";
      fix += kLowIdLimits;
      out.push_back({"ed2k.low-id", Severity::problem,
                     fmt::format("Low ID: servers cannot connect back to your TCP port {}", port), evidence, fix});
    }
  }
  // UDP to the servers: recommended, not needed for the ID.
  for (const auto& s : servers) {
    if (!s.udp || s.udp->answered) continue;
    out.push_back({"ed2k.server-udp", Severity::info,
                   fmt::format("UDP to {} gets no answer", server_label(s)), s.udp->error + " (" + s.udp->path + ")",
                   fmt::format("UDP {} (TCP+3) is recommended for global searches and statistics, not needed for a "
                               "High ID: forward and allow it as well.",
                               ev.settings.server_udp_port())});
    break;  // one is enough to say it
  }
  return out;
}

}  // namespace mulenet::doctor
