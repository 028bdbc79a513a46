#include "doctor/gather_network.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "doctor/amule_holds.hpp"
#include "ec/read_amule.hpp"
#include "ed2k/ed2k_check.hpp"
#include "ed2k/servers_to_ask.hpp"
#include "kad/checker_memory.hpp"
#include "kad/kad_check.hpp"
#include "kad/kad_seeds.hpp"
#include "kad/kad_services.hpp"
#include "net/run_to_end.hpp"
#include "portmap/journal.hpp"
#include "proxy/proxy_spec.hpp"

namespace mulenet::doctor {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// What the eD2k and Kad checks are asked with, decided before any service opens.
struct Plan {
  bool ed2k = false;
  bool kad = false;
  ed2k::ServersToAsk servers;
  kad::KadSeeds seeds;
  kad::NodeIdentity identity;
};

void say(const GatherOptions& o, std::string_view step)
{
  if (o.progress) o.progress(step);
}

// Tries the configured proxy: reach it and, for SOCKS5, log in. No target:
// the doctor does not send traffic anywhere but to the user's own proxy.
asio::awaitable<void> gather_proxy(Evidence& ev)
{
  const auto spec = proxy::proxy_from_settings(ev.settings.proxy);
  if (!spec) co_return;
  proxy::ProbeRequest request;
  request.proxy = *spec;
  request.strict = ev.settings.proxy.strict;
  request.timeouts = {5s, 5s};
  const std::function<void(const proxy::ProbeCheck&)> quiet;  // named: no braced default inside co_await (GCC 12)
  ev.proxy.report = co_await proxy::probe_proxy(request, quiet);
  ev.proxy.probed = true;
  ev.proxy.url = spec->redacted_url();
}

// Asks the router what it speaks and which mappings it holds (UPnP lists
// them all, NAT-PMP and PCP ones included on miniupnpd). Only reads: the
// doctor never adds or removes a mapping.
asio::awaitable<void> gather_router(const std::filesystem::path& config_path, std::chrono::milliseconds timeout,
                                    Evidence& ev)
{
  ev.router.asked = true;
  portmap::ProbeOptions options;
  options.timeout = timeout;
  options.list_mappings = true;
  ev.router.report = co_await portmap::probe_gateway(options);
  std::vector<std::string> warnings;
  if (auto journal = portmap::read_journal(portmap::journal_path_for(config_path), ev.router.journal_error, warnings))
    ev.router.journal = std::move(*journal);
}

// A running aMule holding our ports is asked over EC, as amulecmd asks it.
// Only to the EC address amule.conf names (this host unless ECAddress says
// otherwise), never through a proxy.
asio::awaitable<void> gather_amule(const GatherOptions& o, Evidence& ev)
{
  for (const PortEvidence& pe : ev.ports)
    if (held_by_amule(pe)) {
      ev.amule.held.push_back(fmt::format("{}/{} ({})", pe.port.port, config::to_string(pe.port.protocol), pe.port.name));
      if (ev.amule.holder.empty() && pe.holder) ev.amule.holder = pe.holder->command;
    }
  if (ev.amule.held.empty()) co_return;
  say(o, "asking the running aMule over EC");
  ev.amule.asked = true;
  const auto executor = co_await asio::this_coro::executor;  // named: GCC 12 and temporaries in co_await
  const auto proxy = proxy::proxy_from_settings(ev.settings.proxy);
  proxy::Dialer dialer(executor, proxy, ev.settings.proxy.strict);
  ec::EcClientOptions options;
  options.timeout = o.amule_timeout;
  ev.amule.reading = co_await ec::read_amule(dialer, ev.settings, options);
}

// What aMule reported replaces the doctor's own checks where those could not
// work or would disturb it: Kad needs the Kad port aMule holds; a second eD2k
// login with aMule's user hash beside its own session would only confuse the server.
void replace_by_amule(Evidence& ev)
{
  const auto& state = ev.amule.reading.state;
  if (!state) return;
  for (const PortEvidence& pe : ev.ports)
    if (pe.port.name == "kad-udp" && held_by_amule(pe)) ev.amule.replaces_kad = ev.kad.asked;
  ev.amule.replaces_ed2k = ev.ed2k.asked && state->ed2k == ec::AmuleEd2k::connected;
  if (ev.amule.replaces_kad) ev.kad.asked = false;
  if (ev.amule.replaces_ed2k) ev.ed2k.asked = false;
}

// Which checks can run, and on what: the servers, the Kad nodes, our identity.
Plan plan_checks(const std::filesystem::path& config_path, const GatherOptions& o, Evidence& ev)
{
  Plan p;
  const bool config_ok = ev.config.usable && !config::has_errors(ev.config.issues);
  ev.ed2k.asked = o.ask_ed2k && config_ok;
  ev.kad.asked = o.ask_kad && config_ok && ev.settings.udp_enabled;
  replace_by_amule(ev);
  if (ev.ed2k.asked) {
    p.servers = ed2k::servers_to_ask(config_path, o.ed2k_servers, o.ed2k_max_servers);
    if (p.servers.problem == ed2k::ServersProblem::no_servers)
      ev.ed2k.no_servers = "no server.met with servers at " + p.servers.server_met.string();
    else if (p.servers.problem != ed2k::ServersProblem::none)
      ev.ed2k.no_servers = p.servers.message;
    p.ed2k = ev.ed2k.no_servers.empty();
  }
  if (ev.kad.asked) {
    const kad::KadSeedsResult seeds = kad::gather_kad_seeds(config_path, "", o.kad_bootstrap);
    if (seeds.problem == kad::SeedProblem::no_nodes) ev.kad.no_nodes = "no nodes.dat at " + seeds.seeds.nodes_path.string();
    else if (seeds.problem != kad::SeedProblem::none) ev.kad.no_nodes = seeds.message;
    p.seeds = seeds.seeds;
    p.kad = ev.kad.no_nodes.empty();
  }
  if (!p.ed2k && !p.kad) return p;
  // A missing Kad identity is made for this check only (no file changes;
  // only preferences.dat, the user hash aMule itself would make, may be created).
  p.identity = kad::load_node_identity(config_path, false);
  if (!p.identity.error.empty()) {
    if (p.ed2k) ev.ed2k.no_servers = p.identity.error;
    if (p.kad) ev.kad.no_nodes = p.identity.error;
    p.ed2k = p.kad = false;
  }
  return p;
}

// Logs in to a few eD2k servers, our listener answering their connect-back
// (or whatever holds the port, e.g. aMule, answering it).
asio::awaitable<void> gather_ed2k(ed2k::Ed2kServices& services, const Plan& p, const GatherOptions& o, Evidence& ev)
{
  ed2k::Ed2kCheckOptions check;
  check.settings = ev.settings;
  check.servers = p.servers.servers;
  check.user_hash = p.identity.user_hash;
  check.login_timeout = o.ed2k_timeout;
  check.progress = [&o](std::string_view step) { say(o, step); };
  ev.ed2k.report = co_await ed2k::check_ed2k(services, std::move(check));
}

// Asks Kad nodes (from nodes.dat, or the bootstrap nodes named) about our ports.
asio::awaitable<void> gather_kad(kad::KadServices& services, const std::filesystem::path& config_path, const Plan& p,
                                 const GatherOptions& o, Evidence& ev)
{
  kad::KadCheckOptions check;
  check.settings = ev.settings;
  check.join = false;
  check.nodes = p.seeds.nodes;
  check.bootstrap = p.seeds.bootstrap;
  check.nodes_dat_written = p.seeds.nodes_dat_written;
  // Remembered, as by `mulenet kad check`: a check right after this one must
  // not ask the same nodes (their answers could not tell).
  check.memory_path = kad::checker_memory_path(config_path);
  check.user_hash = p.identity.user_hash;
  check.id = p.identity.kad_id;
  check.udp_key = p.identity.udp_key;
  check.progress = [&o](std::string_view step) { say(o, step); };
  ev.kad.report = co_await kad::check_kad(services, std::move(check));
}

// One listener and one Dialer for both checks; the Kad node borrows them.
asio::awaitable<void> gather_peers(const std::filesystem::path& config_path, const Plan& p, const GatherOptions& o,
                                   Evidence& ev)
{
  kad::NodeServicesOptions so = kad::node_services_options(ev.settings, p.identity);
  so.with_kad = p.kad;
  kad::NodeServices services = co_await kad::open_node_services(so);
  if (p.ed2k) {
    say(o, "logging in to eD2k servers");
    co_await gather_ed2k(services.ed2k, p, o, ev);
  }
  if (p.kad) {
    say(o, "asking Kad nodes about our ports");
    if (services.kad) co_await gather_kad(*services.kad, config_path, p, o, ev);
    else {
      ev.kad.report.error = services.kad_error;
      ev.kad.report.code = services.kad_code;
    }
  }
  kad::stop_node_services(services);
}

asio::awaitable<void> gather_all(const std::filesystem::path& config_path, const GatherOptions& o, Evidence& ev)
{
  ev.proxy.asked = o.ask_proxy;
  if (ev.settings.proxy.enabled && o.ask_proxy) {
    say(o, "trying the proxy");
    co_await gather_proxy(ev);
  }
  if (o.ask_router) {
    say(o, "asking the router (NAT-PMP, PCP, UPnP)");
    co_await gather_router(config_path, o.router_timeout, ev);
  }
  if (o.ask_amule) co_await gather_amule(o, ev);
  const Plan p = plan_checks(config_path, o, ev);
  if (p.ed2k || p.kad) co_await gather_peers(config_path, p, o, ev);
}

}  // namespace

void gather_network(boost::asio::io_context& io, const std::filesystem::path& config_path,
                    const GatherOptions& options, Evidence& ev)
{
  try {
    net::run_to_end(io, [&]() { return gather_all(config_path, options, ev); });
  } catch (...) {
    // Never a crash: what was not gathered stays "not checked".
    if (ev.kad.asked && ev.kad.report.error.empty()) ev.kad.no_nodes = "the Kad check failed unexpectedly";
  }
}

}  // namespace mulenet::doctor
