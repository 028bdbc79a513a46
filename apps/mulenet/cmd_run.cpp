// mulenet run: the daemon. The Engine with every service amule.conf enables
// (mappings kept, our Kad node checked hourly and after router changes, an
// eD2k server session), a status page and JSON API, one log line per event,
// until SIGINT/SIGTERM (which remove our mappings); SIGHUP re-reads amule.conf.
#include <csignal>
#include <ctime>
#include <iostream>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include <mulenet/engine.hpp>

#include "command.hpp"
#include "config/port_plan.hpp"
#include "ed2k/server_met.hpp"
#include "exit_codes.hpp"
#include "net/port_holder.hpp"
#include "run_lock.hpp"

namespace mulenet::cli {
namespace {

struct RunOptions {
  bool no_map = false;
  bool no_kad = false;
  bool no_ed2k = false;
  bool no_ec = false;
  std::optional<unsigned> status_port;  // overrides [mulenet] StatusPort (0: any free port)
  unsigned kad_check_period = 3600;
  unsigned kad_upkeep_period = 60;
};

// Who holds the node's own ports (aMule, most likely): the daemon then leaves
// them, and the services that need them, alone.
std::optional<std::string> ports_held_by_another(const config::Settings& s)
{
  std::vector<std::string> held;
  auto look = [&](config::Protocol protocol, std::uint16_t port) {
    if (!net::port_listed_in_proc(protocol, port)) return;
    const auto holder = net::find_port_holder(protocol, port);
    held.push_back(fmt::format("{} {}{}", config::to_string(protocol), port,
                               holder ? fmt::format(" (PID {}, {})", holder->pid, holder->command) : ""));
  };
  look(config::Protocol::tcp, s.tcp_port);
  if (s.udp_enabled) look(config::Protocol::udp, s.udp_port);
  if (held.empty()) return std::nullopt;
  std::string text;
  for (const auto& h : held) text += (text.empty() ? "" : ", ") + h;
  return text;
}

std::string now_text()
{
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec);
}

EngineOptions engine_options(const GlobalOptions& g, const RunOptions& o, const config::Settings& s, bool ports_free)
{
  EngineOptions e;
  e.config_path = config_path(g);
  e.map_ports = !o.no_map;
  e.kad = ports_free && !o.no_kad && s.udp_enabled;
  e.kad_check_period = std::chrono::seconds(o.kad_check_period);
  e.kad_upkeep_period = std::chrono::seconds(o.kad_upkeep_period);
  e.ed2k = ports_free && !o.no_ed2k;
  e.ec_server = ports_free && !o.no_ec && s.ec_enabled;  // beside aMule, aMule serves EC itself
  e.status_address = s.status_address;
  e.status_port = o.status_port ? static_cast<std::uint16_t>(*o.status_port) : s.status_port;
  return e;
}

// One line per event: text on stderr, or JSON lines on stdout with --json.
std::function<void(const Event&)> event_logger(const GlobalOptions& g)
{
  auto mutex = std::make_shared<std::mutex>();
  return [json = g.json, mutex](const Event& e) {
    std::lock_guard lock(*mutex);
    if (json) std::cout << to_json(e) << std::endl;
    else std::cerr << now_text() << " " << describe(e) << std::endl;
  };
}

void say(const GlobalOptions& g, const std::string& text)
{
  if (!g.json) std::cerr << now_text() << " " << text << std::endl;
}

// What a re-read amule.conf changes for the daemon, in words: the ports that
// come and go, and which other settings differ.
std::string what_changed(const config::Settings& was, const config::Settings& now)
{
  auto ports = [](const config::Settings& s) {
    std::set<std::string> out;
    for (const config::PlannedPort& p : config::make_port_plan(s).ports)
      if (p.active && p.upnp) out.insert(fmt::format("{}/{} ({})", p.port, config::to_string(p.protocol), p.name));
    return out;
  };
  const auto before = ports(was), after = ports(now);
  std::vector<std::string> parts;
  for (const std::string& p : after)
    if (!before.contains(p)) parts.push_back("to forward now: " + p);
  for (const std::string& p : before)
    if (!after.contains(p)) parts.push_back("no longer forwarded: " + p);
  if (was.proxy != now.proxy) parts.push_back("the proxy settings");
  if (was.ec_enabled != now.ec_enabled || was.ec_port != now.ec_port || was.ec_address != now.ec_address ||
      was.ec_password_md5 != now.ec_password_md5)
    parts.push_back("External Connections");
  if (was.status_address != now.status_address || was.status_port != now.status_port)
    parts.push_back("the status page's address");
  if (parts.empty()) parts.push_back("other settings mulenet uses");
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : "; ") + p;
  return text;
}

enum class AfterSignal { stop, restart };

// SIGHUP: re-read amule.conf. Nothing changed, or a file that cannot be used
// now (a typo while editing): the daemon keeps running as it is, and says so.
// Otherwise the services restart with the new settings.
// `was_held`: aMule held our ports when these services started; if it has
// gone since, the services that need the ports start now. On a restart the
// settings read here are the next generation's (amule.conf is read once).
bool reload_needs_restart(const GlobalOptions& g, const config::Settings& running, bool was_held,
                          std::optional<config::Settings>& next)
{
  int code = kExitOk;
  auto fresh = load_valid_settings(g, code);
  if (!fresh) {
    say(g, "SIGHUP: amule.conf cannot be used as it is now (see above); the daemon keeps running with the "
           "settings it started with. Fix it and send SIGHUP again");
    return false;
  }
  const bool amule_gone = was_held && !ports_held_by_another(*fresh);
  if (*fresh == running && !amule_gone) {
    say(g, "SIGHUP: amule.conf re-read; nothing mulenet uses changed, so everything is kept as it runs");
    return false;
  }
  say(g, amule_gone ? std::string("SIGHUP: our ports are free now (aMule stopped): the Kad node, the listener and "
                                  "the eD2k session start")
                    : "SIGHUP: amule.conf changed (" + what_changed(running, *fresh) +
                          "): the services restart with it; the ports that stay keep their mappings, those no "
                          "longer wanted are removed from the router");
  next = std::move(fresh);
  return true;
}

// Runs one Engine until SIGINT/SIGTERM, or a SIGHUP that changed amule.conf.
AfterSignal run_until_signal(const GlobalOptions& g, const EngineOptions& options, const config::Settings& settings,
                             bool held, const std::optional<std::string>& ec_address, const sigset_t& signals,
                             int& exit_code, std::optional<config::Settings>& next)
{
  Engine engine(options);
  bool mappings_left = false;
  auto log = event_logger(g);
  engine.on_event([log, &mappings_left](const Event& e) {
    if (const auto* s = std::get_if<EngineStopped>(&e)) mappings_left = s->mappings_left > 0;
    log(e);
  });
  try {
    engine.start();
  } catch (const EngineError& e) {
    report_error(g, "cannot-start", e.what());
    exit_code = kExitProblems;
    return AfterSignal::stop;
  }
  if (const auto port = engine.status_page_port())
    say(g, fmt::format("status page: http://{}:{}/ (mulenet status asks it); PID {}; Ctrl-C stops and removes our "
                       "mappings",
                       options.status_address, *port, ::getpid()));
  if (options.ec_server && ec_address)
    say(g, fmt::format("External Connections (EC) on {}: amulecmd -h {} -p {} -c status (with aMule's EC password)",
                       *ec_address, ec_address->substr(0, ec_address->rfind(':')),
                       ec_address->substr(ec_address->rfind(':') + 1)));
  int signal = 0;
  for (int hups = 0; hups < 1'000'000; ++hups) {  // bounded: a SIGHUP that changes nothing keeps it running
    sigwait(&signals, &signal);
    if (signal != SIGHUP || reload_needs_restart(g, settings, held, next)) break;
  }
  if (signal == SIGHUP) {
    engine.stop_keeping_mappings(std::chrono::seconds(10));  // the next generation adopts or removes them
  } else {
    say(g, "stopping: removing our mappings from the router");
    engine.stop(std::chrono::seconds(10));
  }
  exit_code = mappings_left ? kExitProblems : kExitOk;
  return signal == SIGHUP ? AfterSignal::restart : AfterSignal::stop;
}

int run_daemon(const GlobalOptions& g, const RunOptions& o)
{
  // Blocked before any thread starts: the Engine's threads inherit the mask,
  // so only sigwait below takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::string error;
  const auto lock = RunLock::take(config_path(g), error);
  if (!lock) {
    report_error(g, "already-running", error);
    return kExitProblems;
  }
  int exit_code = kExitOk;
  std::optional<config::Settings> next;  // read by the SIGHUP that restarted the services
  for (int generation = 0; generation < 1'000'000; ++generation) {
    const auto settings = next ? std::move(next) : load_valid_settings(g, exit_code);
    next.reset();
    if (!settings) return exit_code;
    const auto held = ports_held_by_another(*settings);
    if (held)
      say(g, "our ports are held by another program (" + *held +
                 "): aMule runs? The daemon keeps the mappings and watches the router, and leaves the Kad node, the "
                 "listener and the eD2k session to it; the Kad and eD2k checks cannot run meanwhile");
    if (!std::filesystem::exists(ed2k::server_met_path_for(config_path(g))) && !o.no_ed2k && !held)
      say(g, "no server.met next to amule.conf: no eD2k server to connect to (aMule writes one when it exits)");
    if (held && settings->ec_enabled && !o.no_ec)
      say(g, "EC is not served by mulenet while aMule runs: aMule answers amulecmd itself");
    const std::optional<std::string> ec_address =
        settings->ec_enabled ? std::optional<std::string>(fmt::format(
                                   "{}:{}", settings->ec_address.empty() ? "127.0.0.1" : settings->ec_address,
                                   settings->ec_port))
                             : std::nullopt;
    EngineOptions options = engine_options(g, o, *settings, !held);
    options.adopt_mappings = generation > 0;  // handed over by the generation a SIGHUP stopped
    if (run_until_signal(g, options, *settings, held.has_value(), ec_address, signals, exit_code, next) ==
        AfterSignal::stop)
      break;
  }
  return exit_code;
}

}  // namespace

std::vector<Command> make_run_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<RunOptions>();
  CLI::App* run = root.add_subcommand("run", "Keep the node reachable while it runs, with a status page");
  add_global_options(*run, g);
  run->add_flag("--no-map", o->no_map, "do not ask the router for mappings");
  run->add_flag("--no-kad", o->no_kad, "do not run our Kad node (nor its checks)");
  run->add_flag("--no-ed2k", o->no_ed2k, "do not keep an eD2k server session");
  run->add_flag("--no-ec", o->no_ec, "do not serve External Connections (amulecmd) even when amule.conf enables them");
  run->add_option("--status-port", o->status_port, "serve the status page on this port (default [mulenet] StatusPort, "
                                                    "4715; 0: any free port)")
      ->check(CLI::Range(0u, 65535u));
  run->add_option("--kad-check-period", o->kad_check_period,
                  "seconds between Kad checks (default 3600, aMule's cadence; also a few seconds after the router "
                  "changed)")
      ->check(CLI::Range(60u, 86400u));
  run->add_option("--kad-upkeep-period", o->kad_upkeep_period,
                  "seconds between two rounds of routing-table upkeep (default 60, aMule's: a HELLO to each zone's "
                  "longest-silent contact, the dead removed; our own ID looked up after 3 rounds, then every 4 h)")
      ->check(CLI::Range(5u, 3600u));
  run->footer(
      "Starts everything amule.conf enables and keeps it up until Ctrl-C or SIGTERM:\n"
      "  - the ports the UPnP toggles select are mapped (PCP > NAT-PMP > UPnP), renewed, and put back\n"
      "    within seconds when the router loses them; removed on exit (a crash: the next start removes them);\n"
      "  - our Kad node on the Kad UDP port and the listener on the TCP port; Kad TCP and UDP checked at\n"
      "    start, every hour, and a few seconds after the router changed;\n"
      "  - an eD2k server session with the servers of server.met (High or Low ID);\n"
      "  - with [ExternalConnect] AcceptExternalConnections=1: aMule's EC protocol on ECPort (at ECAddress,\n"
      "    loopback when empty; ECPassword required), so `amulecmd -c status` and `show servers` show this\n"
      "    node's ID, server and Kad state; other requests are answered \"not served\".\n"
      "When aMule already holds the ports, only the mappings are kept (aMule's own node and session run).\n"
      "Status page and JSON API: http://127.0.0.1:4715/ ([mulenet] StatusAddress/StatusPort); GET /api/status,\n"
      "GET /api/events (Server-Sent Events). `mulenet status` prints it.\n"
      "Log: one line per event on stderr; with --json one JSON object per line on stdout.\n"
      "SIGHUP re-reads amule.conf: nothing changed, or a file broken while editing: kept as it runs (said);\n"
      "changed: the ports that come and go are named and the services restart with it.\n"
      "One daemon per amule.conf (mulenet-run.lock next to it).\n"
      "Exit code: 0 stopped with every mapping removed, 2 could not start or mappings left (in the\n"
      "journal: the next start removes them), 3 amule.conf invalid, 4 amule.conf unreadable.");
  return {{run, [&g, o] { return run_daemon(g, *o); }}};
}

}  // namespace mulenet::cli
