// eD2k: High ID or Low ID, and why, from what the servers did (Network
// Connectivity, "Troubleshooting"): a Low ID although the port is reachable
// (another server got through, or the connect-back reached us) means that
// server is overloaded or misconfigured; any other Low ID is diagnosed from
// the router and firewall evidence (low_id_diagnosis).
#include <algorithm>

#include <fmt/format.h>

#include "doctor/check.hpp"
#include "doctor/low_id_diagnosis.hpp"
#include "proxy/proxy_error.hpp"

namespace mulenet::doctor {
namespace {

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

// Each failed login as "server: why", one per line.
std::string failures_text(const std::vector<const ed2k::ServerCheck*>& failed)
{
  std::string text;
  for (const auto* s : failed) text += (text.empty() ? "" : "\n") + s->login.server.str() + ": " + s->login.error;
  return text;
}

// Every login the proxy refused by its port rules (HTTP proxies that allow
// CONNECT to 443 only): the cause is the proxy's policy, not the servers.
std::optional<Finding> refused_by_proxy_port_rules(const std::vector<const ed2k::ServerCheck*>& failed)
{
  const auto by_policy = [](const ed2k::ServerCheck* s) {
    return s->login.dial_code == make_error_code(proxy::ProxyErrc::port_not_allowed);
  };
  if (failed.empty() || !std::all_of(failed.begin(), failed.end(), by_policy)) return std::nullopt;
  return Finding{"ed2k.proxy-port-not-allowed", Severity::problem,
                 "The proxy refuses the eD2k servers' ports by its rules", failures_text(failed),
                 std::string(proxy::fix_for(proxy::ProxyErrc::port_not_allowed))};
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
    if (auto policy = refused_by_proxy_port_rules(failed)) return {*policy};
    return {{"ed2k.no-login", Severity::warning, "No eD2k server could be logged in to", failures_text(failed),
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
    LowIdFacts facts;
    facts.evidence = evidence;
    facts.via_proxy = ev.settings.proxy.enabled && s->login.route == proxy::Route::via_proxy;
    if (s->login.id->reported_ip) facts.seen_at = ed2k::dotted_text(*s->login.id->reported_ip);
    out.push_back(low_id_finding(ev, facts));
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
