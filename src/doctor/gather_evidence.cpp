#include "doctor/gather_evidence.hpp"

#include <chrono>

#include "config/config_file.hpp"
#include "config/load_settings.hpp"
#include "ed2k/server_met.hpp"
#include "ed2k/user_hash.hpp"
#include "kad/checker_memory.hpp"
#include "kad/kad_prefs.hpp"
#include "kad/nodes_dat.hpp"
#include "net/run_command.hpp"
#include "proxy/proxy_spec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace mulenet::doctor {
namespace {

using namespace std::chrono_literals;

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

// Tries the configured proxy: reach it and, for SOCKS5, log in. No target:
// the doctor does not send traffic anywhere but to the user's own proxy.
void gather_proxy(Evidence& ev)
{
  const auto spec = proxy::proxy_from_settings(ev.settings.proxy);
  if (!spec) return;
  proxy::ProbeRequest request;
  request.proxy = *spec;
  request.strict = ev.settings.proxy.strict;
  request.timeouts = {5s, 5s};
  boost::asio::io_context io;
  boost::asio::co_spawn(io, proxy::probe_proxy(request), [&ev](std::exception_ptr e, proxy::ProbeReport r) {
    if (!e) ev.proxy.report = std::move(r);
  });
  io.run();
  ev.proxy.probed = true;
  ev.proxy.url = spec->redacted_url();
}

// Asks the router what it speaks and which mappings it holds (UPnP lists
// them all, NAT-PMP and PCP ones included on miniupnpd). Only reads: the
// doctor never adds or removes a mapping.
void gather_router(const std::filesystem::path& config_path, std::chrono::milliseconds timeout, Evidence& ev)
{
  ev.router.asked = true;
  portmap::ProbeOptions options;
  options.timeout = timeout;
  options.list_mappings = true;
  boost::asio::io_context io;
  boost::asio::co_spawn(io, portmap::probe_gateway(options),
                        [&ev](std::exception_ptr e, portmap::GatewayReport r) {
                          if (!e) ev.router.report = std::move(r);
                          else ev.router.report.error = "asking the router failed unexpectedly";
                        });
  io.run();
  std::vector<std::string> warnings;
  if (auto journal = portmap::read_journal(portmap::journal_path_for(config_path), ev.router.journal_error, warnings))
    ev.router.journal = std::move(*journal);
}

// Logs in to a few eD2k servers, our listener answering their connect-back
// (or whatever holds the port, e.g. aMule, answering it).
void gather_ed2k(const std::filesystem::path& config_path, const GatherOptions& options, Evidence& ev)
{
  ev.ed2k.asked = true;
  ed2k::Ed2kCheckOptions check;
  check.settings = ev.settings;
  for (const std::string& text : options.ed2k_servers) {
    if (auto t = proxy::parse_target(text)) check.servers.push_back(*t);
  }
  if (check.servers.empty()) {
    const auto path = ed2k::server_met_path_for(config_path);
    const auto met = ed2k::read_server_met(path);
    if (!met) {
      ev.ed2k.no_servers = met.error;
      return;
    }
    for (const auto& e : met.value->servers) {
      if (check.servers.size() >= options.ed2k_max_servers) break;
      check.servers.push_back(proxy::make_target(ed2k::dotted_text(e.ip), e.port));
    }
    if (check.servers.empty()) {
      ev.ed2k.no_servers = "no server.met with servers at " + path.string();
      return;
    }
  }
  const ed2k::UserHash hash = ed2k::load_or_create_user_hash(config_path);
  if (!hash.error.empty()) {
    ev.ed2k.no_servers = hash.error;
    return;
  }
  check.user_hash = hash.hash;
  check.login_timeout = options.ed2k_timeout;
  check.progress = [&options](std::string_view step) {
    if (options.progress) options.progress(step);
  };
  boost::asio::io_context io;
  boost::asio::co_spawn(io, ed2k::check_ed2k(check), [&ev](std::exception_ptr e, ed2k::Ed2kCheckReport r) {
    if (!e) ev.ed2k.report = std::move(r);
    else ev.ed2k.no_servers = "the eD2k check failed unexpectedly";
  });
  io.run();
}

// Asks Kad nodes (from nodes.dat, or the bootstrap nodes named) about our
// ports. A missing Kad identity is made for this check only (no file changes;
// only preferences.dat, the user hash aMule itself would make, may be created).
void gather_kad(const std::filesystem::path& config_path, const GatherOptions& options, Evidence& ev)
{
  ev.kad.asked = true;
  kad::KadCheckOptions check;
  check.settings = ev.settings;
  check.join = false;
  for (const std::string& text : options.kad_bootstrap)
    if (auto t = proxy::parse_target(text); t && std::holds_alternative<proxy::Ipv4>(t->host)) check.bootstrap.push_back(*t);
  if (check.bootstrap.empty()) {
    const auto path = config_path.parent_path() / "nodes.dat";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      ev.kad.no_nodes = "no nodes.dat at " + path.string();
      return;
    }
    const auto dat = kad::read_nodes_dat(path);
    if (!dat) {
      ev.kad.no_nodes = dat.error;
      return;
    }
    check.nodes = dat.value->entries;
    check.nodes_dat_written = kad::modification_time(path);
  }
  // Remembered, as by `mulenet kad check`: a check right after this one must
  // not ask the same nodes (their answers could not tell).
  check.memory_path = kad::checker_memory_path(config_path);
  const ed2k::UserHash hash = ed2k::load_or_create_user_hash(config_path);
  const kad::KadIdentity identity = kad::load_or_create_identity(config_path, false);
  if (!hash.error.empty() || !identity.error.empty()) {
    ev.kad.no_nodes = hash.error.empty() ? identity.error : hash.error;
    return;
  }
  check.user_hash = hash.hash;
  check.id = identity.id;
  check.udp_key = identity.udp_key;
  check.progress = [&options](std::string_view step) {
    if (options.progress) options.progress(step);
  };
  boost::asio::io_context io;
  boost::asio::co_spawn(io, kad::check_kad(check), [&ev](std::exception_ptr e, kad::KadCheckReport r) {
    if (!e) ev.kad.report = std::move(r);
    else ev.kad.no_nodes = "the Kad check failed unexpectedly";
  });
  io.run();
}

}  // namespace

Evidence gather_evidence(const std::filesystem::path& config_path, const GatherOptions& options)
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
  if (ev.settings.proxy.enabled) {
    step("trying the proxy");
    gather_proxy(ev);
  }
  ev.router.upnp_built = portmap::upnp_built_in();
  if (options.ask_router) {
    step("asking the router (NAT-PMP, PCP, UPnP)");
    gather_router(config_path, options.router_timeout, ev);
  }
  if (options.ask_ed2k && !config::has_errors(ev.config.issues)) {
    step("logging in to eD2k servers");
    gather_ed2k(config_path, options, ev);
  }
  if (options.ask_kad && !config::has_errors(ev.config.issues) && ev.settings.udp_enabled) {
    step("asking Kad nodes about our ports");
    gather_kad(config_path, options, ev);
  }
  return ev;
}

}  // namespace mulenet::doctor
