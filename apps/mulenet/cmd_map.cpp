// mulenet map / unmap: forward the plan's ports on the router, and remove them.
#include <iostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "engine/run_services.hpp"
#include "config/load_settings.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "portmap/journal.hpp"
#include "portmap/router_memory.hpp"
#include "portmap/mapper.hpp"
#include "portmap/mapper_service.hpp"
#include "text_table.hpp"

namespace mulenet::cli {
namespace {

namespace asio = boost::asio;

struct MapOptions {
  std::string via = "auto";
  unsigned lease = 3600;
  bool once = false;
  bool keep = false;
  std::string gateway;
  int timeout_ms = 3000;
};


boost::json::object outcome_json(const portmap::MappingOutcome& o)
{
  boost::json::object j{{"name", o.port.name},
                        {"protocol", config::to_string(o.port.protocol)},
                        {"internal_port", o.port.port},
                        {"state", portmap::to_string(o.state)},
                        {"error", o.error},
                        {"code", code_json(o.code)},
                        {"holder", o.holder}};
  j["external_port"] = o.mapping ? boost::json::value(o.mapping->external_port) : boost::json::value(nullptr);
  j["via"] = o.mapping ? boost::json::value(portmap::to_string(o.mapping->via)) : boost::json::value(nullptr);
  j["lease"] = o.mapping ? boost::json::value(o.mapping->lease_seconds) : boost::json::value(nullptr);
  return j;
}

void print_report(const portmap::MapReport& r)
{
  if (r.gateway.gateway)
    std::cout << fmt::format("Router {}{}, external address {}{}\n", r.gateway.gateway->address,
                             r.via ? fmt::format(" via {}", portmap::to_string(*r.via)) : "",
                             r.external_ip.value_or("unknown"), r.degraded ? " (private or CGNAT: double NAT)" : "");
  for (const auto& c : r.cleaned) std::cout << "cleaned up from an earlier run: " << c << "\n";
  if (!r.outcomes.empty()) {
    TextTable table({"PROTO", "INTERNAL", "EXTERNAL", "VIA", "LEASE", "STATE", "NAME"});
    for (const auto& o : r.outcomes) {
      table.add_row({config::to_string(o.port.protocol), std::to_string(o.port.port),
                     o.mapping ? std::to_string(o.mapping->external_port) : "-",
                     o.mapping ? portmap::to_string(o.mapping->via) : "-",
                     o.mapping ? std::to_string(o.mapping->lease_seconds) + " s" : "-", portmap::to_string(o.state),
                     o.port.name});
    }
    table.print(std::cout);
    for (const auto& o : r.outcomes) {
      if (o.error.empty()) continue;
      std::cout << fmt::format("  {} {}: {}{}\n", config::to_string(o.port.protocol), o.port.port, o.error,
                               o.holder.empty() ? "" : " (held by " + o.holder + ")");
    }
  }
  if (!r.error.empty()) std::cout << "mulenet: " << r.error << "\n";
  if (r.degraded)
    std::cout << "The router's own external address is private or CGNAT: a second NAT in front of it (often the "
                 "ISP's) still blocks incoming connections. Ask the ISP for a public address or forward the ports "
                 "on that outer router as well.\n";
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
}

int print_unmap(const GlobalOptions& g, const portmap::UnmapReport& r, bool quiet_when_empty = false)
{
  bool ok = r.error.empty();
  boost::json::array removed;
  for (const auto& o : r.outcomes) {
    ok = ok && o.error.empty();
    removed.push_back({{"mapping", portmap::describe(o.mapping)},
                       {"removed", o.error.empty()},
                       {"error", o.error},
                       {"code", code_json(o.code)}});
    if (!g.json)
      std::cout << portmap::describe(o.mapping) << (o.error.empty() ? ": removed" : ": NOT removed: " + o.error)
                << "\n";
  }
  if (g.json) {
    print_json(boost::json::object{{"removed", removed},
                                   {"error", r.error.empty() ? boost::json::value(nullptr) : boost::json::value(r.error)}});
  } else if (r.outcomes.empty() && !quiet_when_empty) {
    std::cout << (r.error.empty() ? "Nothing to remove: the journal lists no mappings.\n" : "mulenet: " + r.error + "\n");
  }
  return ok ? kExitOk : kExitProblems;
}

std::optional<portmap::MapperOptions> mapper_options(const GlobalOptions& g, const MapOptions& o)
{
  portmap::MapperOptions options;
  if (o.via != "auto") options.via = portmap::parse_via(o.via);
  options.lease_seconds = o.lease;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  options.journal_path = portmap::journal_path_for(config_path(g));
  options.router_memory_path = portmap::router_memory_path_for(config_path(g));
  if (!o.gateway.empty()) options.gateway_override = o.gateway;
  return options;
}

// What the keeper says while it stays (stderr; nothing with --json).
void print_change(const GlobalOptions& g, portmap::MapperChange change, std::string_view detail,
                  const portmap::MapperState& state, std::chrono::seconds period, std::uint16_t event_port)
{
  if (g.json) return;
  switch (change) {
    case portmap::MapperChange::events:
      if (detail.empty()) std::cerr << "Watching the router's UPnP events (callback on TCP " << event_port << ")." << std::endl;
      else std::cerr << "No router events (" << detail << "); checking every " << period.count() << " s." << std::endl;
      return;
    case portmap::MapperChange::router_event:
      std::cerr << "router event: " << detail << ": checking the mappings now" << std::endl;
      return;
    case portmap::MapperChange::router_restarted:
    case portmap::MapperChange::external_address:
    case portmap::MapperChange::network_changed:
      std::cerr << portmap::to_string(change) << ": " << detail << std::endl;
      return;
    case portmap::MapperChange::renewed_changed: {
      // What holds now, each port in one word: a port put back or granted
      // at last is news as much as one lost.
      std::string now;
      for (const auto& o : state.outcomes)
        now += fmt::format("{}{} {} {}", now.empty() ? "" : ", ", config::to_string(o.port.protocol), o.port.port,
                           portmap::to_string(o.state));
      std::cerr << "Mappings changed: " << now << std::endl;
      [[fallthrough]];
    }
    case portmap::MapperChange::mapped:
      for (const auto& o : state.outcomes)
        if (o.state != portmap::MappingState::mapped)
          std::cerr << fmt::format("{} {}: {}\n", config::to_string(o.port.protocol), o.port.port, o.error);
      return;
  }
}

// Stays: the Mapper asks again for every mapping every few seconds (renewing
// its lease, and putting back within seconds one the router lost: a rule
// flushed behind the router's back shows in no event, so polling stays), and
// at once when the router's UPnP events report a change; until SIGINT/SIGTERM,
// then removes them.
asio::awaitable<portmap::UnmapReport> stay(portmap::Mapper& mapper)
{
  auto executor = co_await asio::this_coro::executor;
  asio::signal_set signals(executor, SIGINT, SIGTERM);
  asio::co_spawn(executor, mapper.run(), asio::detached);
  co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return co_await mapper.stop();
}

// Maps, prints, then keeps them (until Ctrl-C) or removes them (--once), as asked.
void print_map_report(const GlobalOptions& g, const portmap::MapReport& report, const portmap::MapperOptions& options);

asio::awaitable<int> map_and_keep(const GlobalOptions& g, const MapOptions& o, portmap::Mapper& mapper,
                                  const portmap::KeepOptions& keep)
{
  const portmap::MapReport report = co_await mapper.start();
  print_map_report(g, report, mapper.options());
  const int code = report.all_mapped() ? kExitOk : kExitProblems;
  if (o.once && o.keep) {
    if (!g.json) std::cout << "Kept on the router; `mulenet unmap` removes them.\n";
    co_return code;
  }
  if (!o.once) {
    if (!g.json) std::cout << "Keeping them up; Ctrl-C removes them.\n" << std::flush;
    mapper.on_change([&g, &keep](portmap::MapperChange change, std::string_view detail, const portmap::MapperState& state) {
      print_change(g, change, detail, state, keep.check_period, keep.event_port);
    });
    const auto removed = co_await stay(mapper);
    if (!g.json) print_unmap(g, removed, true);
    co_return code;
  }
  const auto removed = co_await mapper.stop();
  if (!g.json) print_unmap(g, removed, true);
  co_return code;
}

void print_map_report(const GlobalOptions& g, const portmap::MapReport& report, const portmap::MapperOptions& options)
{
  if (!g.json) {
    print_report(report);
    return;
  }
  boost::json::array mappings;
  for (const auto& m : report.outcomes) mappings.push_back(outcome_json(m));
  boost::json::array cleaned;
  for (const auto& c : report.cleaned) cleaned.push_back(boost::json::value(c));
  const auto& upnp = report.gateway.upnp_info;
  print_json(boost::json::object{
      {"external_ip", report.external_ip ? boost::json::value(*report.external_ip) : boost::json::value(nullptr)},
      {"via", report.via ? boost::json::value(portmap::to_string(*report.via)) : boost::json::value(nullptr)},
      {"gateway", report.gateway.gateway ? boost::json::value(report.gateway.gateway->address)
                                         : boost::json::value(nullptr)},
      {"degraded", report.degraded},
      {"upnp_location", upnp && !upnp->location.empty() ? boost::json::value(upnp->location) : boost::json::value(nullptr)},
      {"upnp_location_remembered", upnp && upnp->location_remembered},
      {"mappings", mappings},
      {"cleaned", cleaned},
      {"error", report.error.empty() ? boost::json::value(nullptr) : boost::json::value(report.error)},
      {"code", code_json(report.code)},
      {"journal", options.journal_path.string()}});
}

int run_map(const GlobalOptions& g, const MapOptions& o)
{
  int failed = kExitOk;
  const auto loaded_settings = load_valid_settings(g, failed);
  if (!loaded_settings) return failed;
  const config::Settings& settings = *loaded_settings;
  const config::PortPlan plan = config::make_port_plan(settings);
  if (std::none_of(plan.ports.begin(), plan.ports.end(), [](const auto& p) { return p.upnp; })) {
    report_error(g, "nothing-to-map",
                 "UPnP is off in " + config_path(g).string() +
                     ", so no port is to be forwarded: mulenet config set /eMule/UPnPEnabled 1 (EC and web have "
                     "their own toggles)");
    return kExitConfigInvalid;
  }
  const auto options = mapper_options(g, o);
  if (!g.json) std::cerr << "Asking the router (PCP, NAT-PMP, UPnP)..." << std::endl;
  portmap::KeepOptions keep;
  keep.check_period = std::chrono::seconds(std::clamp<unsigned>(options->lease_seconds / 2, 1, 5));
  keep.event_port = settings.upnp_tcp_port;
  int code = kExitOk;
  net::run_to_end(g.io(), [&]() -> asio::awaitable<void> {
    portmap::Mapper mapper(co_await asio::this_coro::executor, plan, *options, keep);
    code = co_await map_and_keep(g, o, mapper, keep);
  });
  return code;
}

int run_unmap(const GlobalOptions& g, const MapOptions& o)
{
  const auto options = mapper_options(g, o);
  portmap::UnmapReport removed;
  net::run_to_end(g.io(), [&]() -> asio::awaitable<void> { removed = co_await portmap::unmap_journal(*options); });
  return print_unmap(g, removed);
}

}  // namespace

std::vector<Command> make_map_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<MapOptions>();
  CLI::App* map = root.add_subcommand("map", "Forward aMule's ports on the router (PCP, NAT-PMP or UPnP IGD)");
  add_global_options(*map, g);
  map->add_option("--via", o->via, "auto (the best that answers: PCP, NAT-PMP, UPnP), upnp, natpmp or pcp")
      ->check(CLI::IsMember({"auto", "upnp", "natpmp", "pcp"}));
  map->add_option("--lease", o->lease, "lease in seconds (default 3600), renewed while mulenet stays")
      ->check(CLI::Range(60u, 604800u));
  map->add_flag("--once", o->once, "map, print, and exit (removing them again unless --keep)");
  map->add_flag("--keep", o->keep, "with --once: leave the mappings on the router (remove with `mulenet unmap`)");
  map->add_option("--gateway", o->gateway, "ask this router instead of the default gateway")->type_name("IP");
  map->add_option("--timeout", o->timeout_ms, "how long to wait for the router each time, in ms (default 3000)")
      ->check(CLI::Range(100, 60000));
  map->footer(
      "Maps the ports amule.conf's UPnP toggles select (see `mulenet ports`): the eD2k TCP port, TCP+3 and\n"
      "the Kad UDP port with /eMule/UPnPEnabled=1; EC only with /ExternalConnect/UPnPECEnabled=1 as well;\n"
      "the web port with /WebServer/UPnPWebServerEnabled=1. Each at the same external port; another port\n"
      "is reported (eD2k cannot announce it). Ports below 1024 are never mapped. Every mapping is written to\n"
      "a journal next to amule.conf (mulenet-mappings.json) first, so the next run or `mulenet unmap`\n"
      "removes what a crash left behind.\n\n"
      "Without --once it stays, renewing the mappings (and putting back any the router lost, checked every\n"
      "few seconds and at once when the router's UPnP events report a change: it subscribes to them with\n"
      "a callback on /eMule/UPnPTCPPort, 50000 by default), and asking again for any it refused (after 5 s,\n"
      "then twice as long each time up to a minute), until Ctrl-C, which removes them.\n"
      "Exit code: 0 every port mapped at its own number, 2 otherwise, 3 nothing to map.\n"
      "JSON: {\"external_ip\",\"mappings\":[{\"protocol\",\"internal_port\",\"external_port\",\"via\",\"lease\",\"state\"}]}");
  CLI::App* unmap = root.add_subcommand("unmap", "Remove from the router every mapping mulenet made (its journal)");
  add_global_options(*unmap, g);
  unmap->add_option("--timeout", o->timeout_ms, "how long to wait for the router, in ms (default 3000)")
      ->check(CLI::Range(100, 60000));
  unmap->footer("Exit code: 0 when every mapping in the journal was removed, 2 otherwise.");
  return {{map, [&g, o] { return run_map(g, *o); }}, {unmap, [&g, o] { return run_unmap(g, *o); }}};
}

}  // namespace mulenet::cli
