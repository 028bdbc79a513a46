// mulenet doctor: ranked findings, each with its evidence and its fix.
#include <unistd.h>

#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "doctor/check.hpp"
#include "doctor/gather_evidence.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"

namespace mulenet::cli {
namespace {

const char* label(doctor::Severity s)
{
  switch (s) {
    case doctor::Severity::problem: return "PROBLEM";
    case doctor::Severity::warning: return "WARNING";
    case doctor::Severity::info: return "INFO";
    case doctor::Severity::ok: return "OK";
  }
  return "INFO";
}

// Continuation lines of a multi-line text, indented under the first.
std::string indent(const std::string& text, const std::string& pad)
{
  std::string out;
  for (const char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

void print_text(const std::vector<doctor::Finding>& findings, const std::filesystem::path& config)
{
  std::cout << "mulenet doctor: " << config.string() << "\n\n";
  int counts[4] = {0, 0, 0, 0};
  const std::string pad(9, ' ');
  for (const doctor::Finding& f : findings) {
    ++counts[static_cast<int>(f.severity)];
    std::cout << fmt::format("{:<8} {}\n", label(f.severity), f.title);
    if (!f.evidence.empty()) std::cout << pad << "evidence: " << indent(f.evidence, pad + "  ") << "\n";
    if (!f.fix.empty()) std::cout << pad << "fix: " << indent(f.fix, pad + "  ") << "\n";
  }
  std::cout << fmt::format("\n{} problem(s), {} warning(s), {} note(s), {} ok\n", counts[0], counts[1], counts[2],
                           counts[3]);
}

struct DoctorOptions {
  bool no_router = false;
  int router_timeout_ms = 2000;
  bool no_ed2k = false;
  std::vector<std::string> ed2k_servers;
  int ed2k_timeout_s = 25;
  bool no_kad = false;
  bool no_proxy = false;
  std::vector<std::string> kad_bootstrap;
  bool no_amule = false;
};

int run_doctor(const GlobalOptions& g, const DoctorOptions& o)
{
  const std::filesystem::path config = config_path(g);
  const bool show_progress = !g.json && isatty(STDERR_FILENO) == 1;
  auto progress = [show_progress](std::string_view step) {
    if (show_progress) std::cerr << "\r\033[K… " << step << std::flush;
  };
  doctor::GatherOptions options;
  options.progress = progress;
  options.ask_router = !o.no_router;
  options.router_timeout = std::chrono::milliseconds(o.router_timeout_ms);
  options.ask_ed2k = !o.no_ed2k;
  options.ed2k_servers = o.ed2k_servers;
  options.ed2k_timeout = std::chrono::seconds(o.ed2k_timeout_s);
  options.ask_kad = !o.no_kad;
  options.ask_proxy = !o.no_proxy;
  options.kad_bootstrap = o.kad_bootstrap;
  options.ask_amule = !o.no_amule;
  const doctor::Evidence evidence = doctor::gather_evidence(g.io(), config, options);
  if (show_progress) std::cerr << "\r\033[K" << std::flush;
  const std::vector<doctor::Finding> findings = doctor::run_checks(evidence);
  const int code = doctor::exit_code_for(findings);
  if (g.json) {
    boost::json::array items;
    for (const doctor::Finding& f : findings) {
      items.push_back(boost::json::object{{"id", f.id},
                                          {"severity", doctor::to_string(f.severity)},
                                          {"title", f.title},
                                          {"evidence", f.evidence},
                                          {"fix", f.fix}});
    }
    print_json(boost::json::object{{"config", config.string()}, {"findings", items}, {"exit_code", code}});
  } else {
    print_text(findings, config);
  }
  return code;
}

}  // namespace

std::vector<Command> make_doctor_commands(CLI::App& root, GlobalOptions& g)
{
  CLI::App* app = root.add_subcommand("doctor", "Find out what keeps aMule from being reachable, and how to fix it");
  add_global_options(*app, g);
  auto o = std::make_shared<DoctorOptions>();
  app->add_flag("--no-router", o->no_router, "do not ask the router (no packet is sent to the gateway)");
  app->add_option("--router-timeout", o->router_timeout_ms, "how long to wait for the router, in ms (default 2000)")
      ->check(CLI::Range(100, 60000));
  app->add_flag("--no-ed2k", o->no_ed2k, "do not log in to eD2k servers (no High ID / Low ID check)");
  app->add_option("--ed2k-server", o->ed2k_servers,
                  "log in to this server for the High ID check (repeatable; default: the first 4 of server.met)")
      ->type_name("HOST:PORT");
  app->add_flag("--no-kad", o->no_kad, "do not ask Kad nodes about our ports");
  app->add_flag("--no-proxy", o->no_proxy, "do not try the proxy amule.conf configures (the eD2k and Kad checks still go through it: with --no-ed2k --no-kad too, nothing is sent to it)");
  app->add_option("--kad-bootstrap", o->kad_bootstrap, "ask this Kad node (repeatable; default: nodes.dat)")
      ->type_name("IP:PORT");
  app->add_flag("--no-amule", o->no_amule,
                "do not ask a running aMule over EC (External Connections) for its own ID and Kad state");
  app->add_option("--ed2k-timeout", o->ed2k_timeout_s, "seconds to wait for each server's ID (default 25, as aMule)")
      ->check(CLI::Range(1, 300));
  app->footer(
      "Each finding has a severity (problem, warning, info, ok), a title, the evidence it rests on and the fix.\n"
      "Checks now: the config is valid; each port can be bound (and who holds it if not); the local firewall\n"
      "(nftables/iptables, readable as root) lets each port in; a proxy that cannot carry UDP, and whether\n"
      "the proxy works; the router: is there one, does it answer UPnP IGD, NAT-PMP or PCP, its external\n"
      "address, double NAT, and whether it forwards each P2P port to this computer (or to another LAN\n"
      "address, as after a DHCP change). The doctor only reads the router: `mulenet map` forwards ports.\n"
      "eD2k: it logs in to the servers of server.met (or --ed2k-server), answering their connect-back on\n"
      "the TCP port, and explains a Low ID: port closed, server overloaded, proxy, double NAT, ISP filter.\n"
      "Kad: it asks the nodes of nodes.dat (or --kad-bootstrap) whether TCP and UDP are open, and whether\n"
      "the NAT remaps the UDP port (then the documented workaround).\n"
      "Beside a running aMule (it holds the ports): the doctor logs in to aMule over EC, as amulecmd does,\n"
      "with amule.conf's [ExternalConnect] settings, and takes aMule's own eD2k ID and Kad TCP/UDP state as\n"
      "the evidence (findings amule.*); a Low ID is explained from the router and firewall evidence. For\n"
      "the doctor's own, independent checks, stop aMule first.\n\n"
      "Exit code: 0 nothing wrong, 1 warnings, 2 problems.\n"
      "JSON: {\"findings\":[{\"id\",\"severity\",\"title\",\"evidence\",\"fix\"}]}");
  return {{app, [&g, o] { return run_doctor(g, *o); }}};
}

}  // namespace mulenet::cli
