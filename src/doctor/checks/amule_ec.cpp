// A running aMule's own view, read over EC (what `amulecmd -c status`
// shows): while aMule holds the ports the doctor cannot log in or ask Kad
// nodes itself, so aMule's eD2k ID and its Kad TCP/UDP state are the
// evidence, and each finding says it comes from aMule. A Low ID is diagnosed
// with the router and firewall evidence as the doctor's own login would be.
// When aMule cannot be read, the finding says why and how to let it be read.
#include <fmt/format.h>

#include "doctor/check.hpp"
#include "doctor/low_id_diagnosis.hpp"
#include "doctor/ports_to_forward.hpp"
#include "ec/ec_error.hpp"

namespace mulenet::doctor {
namespace {

std::string held_list(const AmuleEvidence& a)
{
  std::string list;
  for (const std::string& h : a.held) list += (list.empty() ? "" : ", ") + h;
  return list;
}

// Who answers EC here: aMule, or mulenet's own daemon (`mulenet run` serves EC too).
std::string who(const AmuleEvidence& a)
{
  return a.holder == "mulenet" ? "mulenet run" : "aMule";
}

// Where the verdicts come from, in the words of every finding's evidence.
std::string source(const AmuleEvidence& a)
{
  const auto& r = a.reading;
  return fmt::format("read from {}{} over EC at {} (what `amulecmd -c status` shows)", who(a),
                     r.version.empty() || r.version.starts_with("mulenet") ? "" : " " + r.version, r.where);
}

std::string server_text(const ec::AmuleState& s)
{
  if (!s.server) return "its server";
  return s.server->name.empty() ? s.server->address.str()
                                : fmt::format("{} ({})", s.server->address.str(), s.server->name);
}

// What the doctor could not check itself because aMule could not be read.
std::string lost_checks(const Evidence& ev)
{
  for (const PortEvidence& pe : ev.ports)
    if (pe.port.name == "kad-udp" && pe.bind.status == net::BindStatus::in_use)
      return "Without it the doctor cannot tell whether Kad is open: the Kad check needs UDP " +
             std::to_string(pe.port.port) + ", which aMule holds.";
  return "Without it the doctor cannot see aMule's own eD2k ID and Kad state.";
}

Finding unreadable(const Evidence& ev)
{
  const AmuleEvidence& a = ev.amule;
  const auto errc = static_cast<ec::EcErrc>(a.reading.code.value());
  const bool is_ec = a.reading.code.category() == ec::ec_category();
  const std::string fix = std::string(is_ec ? ec::fix_for(errc) : "Check that aMule runs with External Connections on.");
  const Severity severity = errc == ec::EcErrc::not_enabled && is_ec ? Severity::info : Severity::warning;
  return {"amule.unreadable", severity,
          fmt::format("{} is running, but its own state could not be read over EC: {}", who(a), a.reading.detail),
          fmt::format("{} holds {}; EC at {}: {}. {}", who(a), held_list(a), a.reading.where.empty() ? "-" : a.reading.where,
                      a.reading.detail, lost_checks(ev)),
          fix};
}

void ed2k_findings(const Evidence& ev, const ec::AmuleState& s, std::vector<Finding>& out)
{
  const AmuleEvidence& a = ev.amule;
  if (s.ed2k != ec::AmuleEd2k::connected || !s.ed2k_id) {
    const bool connecting = s.ed2k == ec::AmuleEd2k::connecting;
    out.push_back({"amule.ed2k-not-connected", Severity::info,
                   connecting ? who(ev.amule) + " reports: connecting to an eD2k server (no ID yet)"
                              : who(ev.amule) + " reports: not connected to eD2k",
                   source(a),
                   connecting ? "Run the doctor again in a minute, when aMule has its ID."
                              : "Connect aMule to a server (amulecmd -c \"connect\", or the Networks window) to see "
                                "whether it gets a High ID."});
    return;
  }
  const std::uint32_t id = *s.ed2k_id;
  const std::string evidence = fmt::format("{}: connected to {}, ID {}", source(a), server_text(s), id);
  if (s.high_id().value_or(false)) {
    out.push_back({"amule.high-id", Severity::ok, who(ev.amule) + " reports: High ID from " + server_text(s), evidence, ""});
    return;
  }
  if (s.kad == ec::AmuleKad::running_connected && s.kad_tcp_firewalled == false) {
    // Its own Kad TCP check reached the port from outside: the eD2k server is at fault.
    out.push_back({"amule.server-low-id", Severity::warning,
                   who(a) + " reports a Low ID from " + server_text(s) + ", although its TCP port is open",
                   evidence + "; Kad's own TCP check reached the port from outside",
                   "Such a server is overloaded or misconfigured: connect to another server."});
    return;
  }
  LowIdFacts facts;
  facts.id_prefix = "amule";
  facts.subject = who(ev.amule) + " reports a Low ID from " + server_text(s);
  facts.evidence = evidence + " (a Low ID: below 16777216)";
  facts.via_proxy = ev.settings.proxy.enabled;
  out.push_back(low_id_finding(ev, facts));
}

std::string kad_evidence(const Evidence& ev, const ec::AmuleState& s)
{
  std::string text = source(ev.amule);
  if (s.kad_ip)
    text += fmt::format("; the Kad network sees it at {}.{}.{}.{}", (*s.kad_ip)[0], (*s.kad_ip)[1], (*s.kad_ip)[2],
                        (*s.kad_ip)[3]);
  if (s.kad_nodes) text += fmt::format("; about {} Kad users", *s.kad_nodes);
  if (s.buddy == ec::BuddyState::connected && s.buddy_address)
    text += "; a buddy at " + s.buddy_address->str() + " relays callbacks for it";
  else if (s.buddy) text += std::string("; buddy: ") + ec::to_string(*s.buddy);
  return text;
}

std::string kad_fix(const Evidence& ev, bool tcp, bool udp)
{
  std::vector<config::PlannedPort> ports;
  for (const auto& p : ports_to_forward(ev))
    if ((tcp && p.name == "ed2k-tcp") || (udp && p.name == "kad-udp")) ports.push_back(p);
  const std::string again =
      ev.amule.holder == "mulenet"
          ? "mulenet run checks again by itself after a router change (or: the status page's Check Kad now)."
          : "aMule re-checks Kad TCP within the hour, UDP at its next\n"
            "firewall test; restarting Kad (Networks > Kad > Disconnect, Connect) checks at once.";
  return "Forward the port(s): mulenet map (beside the running aMule it only asks the router), or in the router:\n" +
         forwarding_rules_text(ports, ev.router.report.local_address) + "\nand let them through the local firewall. " +
         again;
}

void kad_findings(const Evidence& ev, const ec::AmuleState& s, std::vector<Finding>& out)
{
  if (s.kad == ec::AmuleKad::not_running) {
    out.push_back({"amule.kad-not-running", Severity::info, who(ev.amule) + " reports: Kad is not running", source(ev.amule),
                   "Connect Kad in aMule (Networks > Kad) to see whether it is open."});
    return;
  }
  if (s.kad == ec::AmuleKad::running_not_connected) {
    out.push_back({"amule.kad-connecting", Severity::info,
                   who(ev.amule) + " reports: Kad is still connecting, so open or firewalled is not known yet", source(ev.amule),
                   "Run the doctor again in a few minutes."});
    return;
  }
  const bool tcp = s.kad_tcp_firewalled.value_or(false);
  const bool udp = s.kad_udp_firewalled.value_or(false);
  if (!tcp && !udp && s.kad_tcp_firewalled && s.kad_udp_firewalled) {
    out.push_back({"amule.kad-open", Severity::ok, who(ev.amule) + " reports: Kad open (TCP and UDP)", kad_evidence(ev, s), ""});
    return;
  }
  if (!tcp && !udp) {  // connected, but aMule did not say one of them
    out.push_back({"amule.kad-unknown", Severity::info, who(ev.amule) + " reports Kad connected, but not whether it is open",
                   kad_evidence(ev, s), ""});
    return;
  }
  const std::string which = tcp && udp ? "TCP and UDP firewalled" : tcp ? "TCP firewalled" : "UDP firewalled";
  out.push_back({"amule.kad-firewalled", Severity::warning, who(ev.amule) + " reports: Kad " + which, kad_evidence(ev, s),
                 kad_fix(ev, tcp, udp)});
}

// Says which of the doctor's own checks aMule's answers stand in for.
void replaced(const AmuleEvidence& a, std::vector<Finding>& out)
{
  if (!a.replaces_ed2k && !a.replaces_kad) return;
  const std::string what = a.replaces_ed2k && a.replaces_kad ? "the eD2k login and the Kad check"
                     : a.replaces_ed2k                  ? "the eD2k login"
                                                        : "the Kad check";
  std::string why = fmt::format("{} holds {}.", who(a), held_list(a));
  if (a.replaces_kad) why += " The Kad check needs the Kad port.";
  if (a.replaces_ed2k) why += " A second eD2k login with aMule's user hash beside its own session would disturb it.";
  out.push_back({"amule.replaces-checks", Severity::info, who(a) + " is running: its own reports stand in for " + what,
                 why, "For the doctor's own, independent checks, stop aMule and run it again."});
}

}  // namespace

std::vector<Finding> check_amule_ec(const Evidence& ev)
{
  const AmuleEvidence& a = ev.amule;
  if (!a.asked) return {};
  if (!a.reading.state) return {unreadable(ev)};
  std::vector<Finding> out;
  ed2k_findings(ev, *a.reading.state, out);
  if (ev.settings.udp_enabled) kad_findings(ev, *a.reading.state, out);
  replaced(a, out);
  return out;
}

}  // namespace mulenet::doctor
