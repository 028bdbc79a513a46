#pragma once
// Everything the doctor's checks look at, gathered once before they run.
// Checks are pure functions of this, so each can be tested with made-up
// evidence, and a check never guesses: it only reads what was observed.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/port_plan.hpp"
#include "config/settings.hpp"
#include "config/validation.hpp"
#include "ec/read_amule.hpp"
#include "ed2k/ed2k_check.hpp"
#include "kad/kad_check.hpp"
#include "firewall/firewall_kind.hpp"
#include "firewall/inbound_verdict.hpp"
#include "net/port_holder.hpp"
#include "net/port_probe.hpp"
#include "portmap/gateway_probe.hpp"
#include "portmap/journal.hpp"
#include "proxy/proxy_probe.hpp"

namespace mulenet::doctor {

struct ConfigEvidence {
  std::filesystem::path path;
  bool exists = false;
  std::string read_error;                     // non-empty: the file could not be read
  std::vector<std::string> parse_warnings;    // lines wxFileConfig would complain about
  std::vector<config::ConfigIssue> issues;
  // False when the file cannot be used at all (unreadable, not an INI text):
  // nothing that depends on what it says is checked then.
  bool usable = true;
  // What is not checked because the file gets it wrong ("ed2k-tcp (/eMule/Port)",
  // "the proxy (/Proxy/ProxyType)"): never checked as if the file said aMule's default.
  std::vector<std::string> left_out;
};

struct PortEvidence {
  config::PlannedPort port;
  net::BindProbe bind;
  std::optional<net::PortHolder> holder;      // who holds it, when in use and visible
  std::optional<firewall::InboundVerdict> firewall;  // when the ruleset was readable
};

struct FirewallEvidence {
  bool readable = false;
  std::string source;          // "nft -j list ruleset", "iptables-legacy-save"
  std::string unreadable_why;  // when not readable
  firewall::FirewallKind kind = firewall::FirewallKind::nft;  // what manages it, for the fix
};

// The configured proxy, tried for real: reachable, and accepting our login.
struct ProxyEvidence {
  bool asked = true;    // false: the user said --no-proxy
  bool probed = false;  // a proxy is enabled and was tried
  std::string url;      // redacted: never the password
  proxy::ProbeReport report;
};

// The router, asked over NAT-PMP, PCP and UPnP (with its mapping table), and
// what our own journal says we mapped.
struct RouterEvidence {
  bool asked = false;             // false: the user said --no-router
  bool upnp_built = true;         // false: this mulenet was built without UPnP
  portmap::GatewayReport report;  // report.error set: no gateway / no route
  portmap::Journal journal;       // our mappings (mulenet map --keep, or a running map)
  std::string journal_error;      // the journal could not be read
};

// eD2k: logged in to a few servers (from server.met, or named), with our
// listener answering their connect-back.
struct Ed2kEvidence {
  bool asked = false;          // false: --no-ed2k
  std::string no_servers;      // set: nothing to ask (no server.met, unreadable, empty)
  ed2k::Ed2kCheckReport report;
};

// Kad: several real nodes asked about our TCP and UDP ports (kad check).
struct KadEvidence {
  bool asked = false;      // false: --no-kad
  std::string no_nodes;    // set: nothing to ask (no nodes.dat, unreadable)
  kad::KadCheckReport report;
};

// A running aMule that holds our ports, read over EC as amulecmd reads it:
// its own eD2k ID and Kad state replace the checks that need those ports.
struct AmuleEvidence {
  std::vector<std::string> held;  // "4662/tcp (ed2k-tcp)": the ports aMule (or an unseen program) holds
  std::string holder;             // "amuled", "amule", "mulenet" (its daemon); empty when not visible
  bool asked = false;             // EC was tried (false: aMule holds none of our ports)
  ec::AmuleReading reading;       // reading.state set: aMule answered
  bool replaces_ed2k = false;     // aMule is on eD2k: the doctor did not log in beside it
  bool replaces_kad = false;      // aMule holds the Kad port: its own Kad state is the verdict
};

struct Evidence {
  ConfigEvidence config;
  config::Settings settings;
  config::PortPlan plan;
  std::vector<PortEvidence> ports;  // the active ports of the plan
  FirewallEvidence firewall;
  ProxyEvidence proxy;
  RouterEvidence router;
  Ed2kEvidence ed2k;
  KadEvidence kad;
  AmuleEvidence amule;
};

}  // namespace mulenet::doctor
