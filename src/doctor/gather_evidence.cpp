#include "doctor/gather_evidence.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "config/config_file.hpp"
#include "config/ini_document.hpp"
#include "config/load_settings.hpp"
#include "config/validation.hpp"
#include "doctor/gather_network.hpp"
#include "net/run_command.hpp"

namespace mulenet::doctor {
namespace {

using namespace std::chrono_literals;

bool key_has_error(const std::vector<config::ConfigIssue>& issues, std::string_view key)
{
  return std::any_of(issues.begin(), issues.end(), [&](const config::ConfigIssue& i) {
    return i.severity == config::ConfigIssue::Severity::error && config::names_equal(i.key, key);
  });
}

bool proxy_has_error(const std::vector<config::ConfigIssue>& issues)
{
  return std::any_of(issues.begin(), issues.end(), [](const config::ConfigIssue& i) {
    return i.severity == config::ConfigIssue::Severity::error && i.key.size() > 7 &&
           config::names_equal(std::string_view(i.key).substr(0, 7), "/Proxy/");
  });
}

// load_settings puts aMule's default where a value is invalid; the doctor
// must not then report on a port or a proxy the file does not name. An
// unusable file leaves every port and the proxy out; an invalid port key,
// that port; an invalid proxy key, the proxy.
void leave_out_what_the_file_gets_wrong(Evidence& ev)
{
  std::vector<std::string>& out = ev.config.left_out;
  const auto wrong = [&](const config::PlannedPort& p) {
    return !ev.config.usable || key_has_error(ev.config.issues, p.key);
  };
  for (const config::PlannedPort& p : ev.plan.ports)
    if (wrong(p)) out.push_back(fmt::format("{} ({})", p.name, p.key));
  std::erase_if(ev.plan.ports, wrong);
  if (ev.settings.proxy.enabled && (!ev.config.usable || proxy_has_error(ev.config.issues))) {
    out.push_back("the proxy ([Proxy])");
    ev.settings.proxy.enabled = false;
  }
}

void gather_config(const std::filesystem::path& path, Evidence& ev)
{
  ev.config.path = path;
  config::FileError error;
  auto loaded = config::read_config_file(path, error);
  if (!loaded) {
    ev.config.read_error = error.message;
    loaded.emplace();  // carry on with the defaults so the other checks still run
  }
  ev.config.exists = loaded->exists;
  ev.config.parse_warnings = loaded->doc.warnings();
  ev.config.issues = config::validate(loaded->doc);
  ev.settings = config::load_settings(loaded->doc);
  ev.plan = config::make_port_plan(ev.settings);
  ev.config.usable = ev.config.read_error.empty();
  leave_out_what_the_file_gets_wrong(ev);
}

firewall::FirewallKind detect_kind(const std::string& nft_json)
{
  if (nft_json.find("\"firewalld\"") != std::string::npos) return firewall::FirewallKind::firewalld;
  if (nft_json.find("\"ufw-") != std::string::npos) return firewall::FirewallKind::ufw;
  return firewall::FirewallKind::nft;
}

// The worse of two verdicts: a packet must pass both rulesets.
firewall::InboundVerdict combine(firewall::InboundVerdict a, const firewall::InboundVerdict& b)
{
  if (b.verdict == firewall::Verdict::blocked || a.verdict == firewall::Verdict::allowed) return b;
  return a;
}

void gather_firewall(Evidence& ev)
{
  const net::CommandResult nft = net::run_command({"nft", "-j", "list", "ruleset"}, 5s);
  // iptables-legacy rules live outside nftables and filter packets too.
  const net::CommandResult legacy = net::run_command({"iptables-legacy-save"}, 5s);
  const bool nft_ok = nft.started && !nft.timed_out && nft.exit_code == 0;
  const bool legacy_ok = legacy.started && !legacy.timed_out && legacy.exit_code == 0 &&
                         legacy.out.find("-A INPUT") != std::string::npos;
  if (!nft_ok && !legacy_ok) {
    std::string why = "nft -j list ruleset: ";
    if (!nft.started) why += nft.error.empty() ? "could not be started" : nft.error;
    else if (nft.timed_out) why += "timed out after 5 s";
    else why += nft.err.empty() ? "exit code " + std::to_string(nft.exit_code) : nft.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    if (why.find("Operation not permitted") != std::string::npos) why += " (reading the ruleset needs root)";
    ev.firewall.unreadable_why = why;
    return;
  }
  ev.firewall.readable = true;
  ev.firewall.source = nft_ok ? (legacy_ok ? "nft -j list ruleset + iptables-legacy-save" : "nft -j list ruleset")
                              : "iptables-legacy-save";
  ev.firewall.kind = nft_ok ? detect_kind(nft.out) : firewall::FirewallKind::iptables;
  for (PortEvidence& pe : ev.ports) {
    std::optional<firewall::InboundVerdict> verdict;
    if (nft_ok) verdict = firewall::nft_inbound_verdict(nft.out, pe.port.protocol, pe.port.port);
    if (legacy_ok) {
      auto v = firewall::iptables_inbound_verdict(legacy.out, pe.port.protocol, pe.port.port);
      verdict = verdict ? combine(*verdict, v) : v;
    }
    pe.firewall = verdict;
  }
}

}  // namespace

Evidence gather_evidence(boost::asio::io_context& io, const std::filesystem::path& config_path,
                         const GatherOptions& options)
{
  auto step = [&](std::string_view what) {
    if (options.progress) options.progress(what);
  };
  Evidence ev;
  step("reading the configuration");
  gather_config(config_path, ev);
  step("binding each port");
  for (const config::PlannedPort& port : ev.plan.ports) {
    if (!port.active) continue;
    PortEvidence pe{port, net::probe_bind(port.protocol, port.port, ev.settings.bind_address), std::nullopt,
                    std::nullopt};
    if (pe.bind.status == net::BindStatus::in_use) pe.holder = net::find_port_holder(port.protocol, port.port);
    ev.ports.push_back(std::move(pe));
  }
  step("reading the local firewall");
  gather_firewall(ev);
  ev.router.upnp_built = portmap::upnp_built_in();
  gather_network(io, config_path, options, ev);
  return ev;
}

}  // namespace mulenet::doctor
