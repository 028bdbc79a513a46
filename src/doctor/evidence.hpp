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
#include "firewall/firewall_kind.hpp"
#include "firewall/inbound_verdict.hpp"
#include "net/port_holder.hpp"
#include "net/port_probe.hpp"
#include "proxy/proxy_probe.hpp"

namespace mulenet::doctor {

struct ConfigEvidence {
  std::filesystem::path path;
  bool exists = false;
  std::string read_error;                     // non-empty: the file could not be read
  std::vector<std::string> parse_warnings;    // lines wxFileConfig would complain about
  std::vector<config::ConfigIssue> issues;
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
  bool probed = false;  // a proxy is enabled and was tried
  std::string url;      // redacted: never the password
  proxy::ProbeReport report;
};

struct Evidence {
  ConfigEvidence config;
  config::Settings settings;
  config::PortPlan plan;
  std::vector<PortEvidence> ports;  // the active ports of the plan
  FirewallEvidence firewall;
  ProxyEvidence proxy;
};

}  // namespace mulenet::doctor
