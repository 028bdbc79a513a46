// mulenet amule status: what a running aMule says about itself, over EC
// (External Connections, amulecmd's protocol), as the status JSON of
// `mulenet run` with "source":"amule-ec".
#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "ec/ec_error.hpp"
#include "ec/read_amule.hpp"
#include "engine/status_from_amule.hpp"
#include "engine/status_json.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "net/run_to_end.hpp"
#include "proxy/proxy_spec.hpp"

namespace mulenet::cli {
namespace {

namespace json = boost::json;

struct AmuleOptions {
  unsigned timeout_ms = 5000;
};

// 1 when aMule reports something the user acts on (a Low ID, Kad firewalled), else 0.
int verdict_code(const Status& s)
{
  if (s.ed2k.state == Ed2kState::low_id) return kExitWarnings;
  if (s.kad.tcp == Reachability::firewalled || s.kad.udp == Reachability::firewalled) return kExitWarnings;
  return kExitOk;
}

json::value buddy_json(const ec::AmuleState& a)
{
  if (!a.buddy) return nullptr;
  return json::object{{"state", ec::to_string(*a.buddy)},
                      {"peer", a.buddy_address ? json::value(a.buddy_address->str()) : json::value(nullptr)}};
}

json::object amule_json(const ec::AmuleReading& r)
{
  json::object a{{"address", r.where}, {"version", r.version.empty() ? json::value(nullptr) : json::value(r.version)}};
  if (r.state) {
    a["kad_users"] = r.state->kad_nodes ? json::value(*r.state->kad_nodes) : json::value(nullptr);
    a["buddy"] = buddy_json(*r.state);
  }
  json::array servers;
  if (r.servers)
    for (const ec::AmuleServer& s : *r.servers) servers.push_back(json::object{{"address", s.address.str()}, {"name", s.name}});
  a["servers"] = r.servers ? json::value(std::move(servers)) : json::value(nullptr);
  return a;
}

std::string ed2k_line(const Status& s)
{
  const Ed2kStatus& e = s.ed2k;
  if (e.state == Ed2kState::connecting) return "connecting";
  if (e.state != Ed2kState::high_id && e.state != Ed2kState::low_id) return "not connected";
  const std::string server = e.server_name ? fmt::format("\"{}\" {}", *e.server_name, e.server.value_or("?"))
                                           : e.server.value_or("a server");
  return fmt::format("connected to {} with a {} ({})", server, e.state == Ed2kState::high_id ? "High ID" : "Low ID",
                     e.id ? std::to_string(*e.id) : "no ID given");
}

std::string kad_line(const Status& s, const ec::AmuleState& a)
{
  if (s.kad.state == KadState::stopped) return "not running";
  if (s.kad.state == KadState::bootstrapping) return "running, not connected yet";
  auto verdict = [](const std::optional<Reachability>& r) { return r ? std::string(to_string(*r)) : "not said"; };
  std::string line = fmt::format("connected, TCP {}, UDP {}", verdict(s.kad.tcp), verdict(s.kad.udp));
  if (a.buddy && *a.buddy != ec::BuddyState::none) {
    line += fmt::format(", buddy {}{}", ec::to_string(*a.buddy), a.buddy_address ? " at " + a.buddy_address->str() : "");
  }
  return line;
}

void print_text(const ec::AmuleReading& r, const Status& s)
{
  std::cout << fmt::format("aMule {}at {} says, over EC:\n", r.version.empty() ? "" : r.version + " ", r.where);
  std::cout << "eD2k:  " << ed2k_line(s) << "\n";
  std::cout << "Kad:   " << kad_line(s, *r.state) << "\n";
  if (r.servers) std::cout << "Servers in aMule's list: " << r.servers->size() << "\n";
  if (s.ed2k.state == Ed2kState::low_id)
    std::cout << "A Low ID: the server could not connect back to aMule's TCP port. `mulenet doctor` says why.\n";
}

int report_failure(const GlobalOptions& g, const ec::AmuleReading& r)
{
  const auto errc = static_cast<ec::EcErrc>(r.code.value());
  const std::string message = fmt::format("cannot read aMule at {} over EC: {} ({})", r.where, r.code.message(), r.detail);
  if (g.json) {
    print_json(json::object{{"source", "amule-ec"},
                            {"error", json::object{{"code", code_json(r.code)},
                                                   {"message", message},
                                                   {"fix", std::string(ec::fix_for(errc))}}},
                            {"exit_code", kExitProblems}});
  } else {
    std::cerr << "mulenet: " << message << "\n  fix: " << ec::fix_for(errc) << "\n";
  }
  return kExitProblems;
}

int run_amule_status(const GlobalOptions& g, const AmuleOptions& o)
{
  int failed = kExitOk;
  const auto settings = load_valid_settings(g, failed);
  if (!settings) return failed;
  ec::AmuleReading r;
  ec::EcClientOptions options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  options.client_version = MULENET_VERSION;
  net::run_to_end(g.io(), [&]() -> boost::asio::awaitable<void> {
    const auto executor = co_await boost::asio::this_coro::executor;  // named: GCC 12 and co_await temporaries
    const auto proxy = proxy::proxy_from_settings(settings->proxy);
    proxy::Dialer dialer(executor, proxy, settings->proxy.strict);
    r = co_await ec::read_amule(dialer, *settings, options);
  });
  if (!r.state) return report_failure(g, r);
  const Status s = engine::status_from_amule(*r.state, std::chrono::system_clock::now());
  const int code = verdict_code(s);
  if (g.json) {
    json::object out = json::value_from(s).as_object();
    out["source"] = "amule-ec";
    out["amule"] = amule_json(r);
    out["exit_code"] = code;
    print_json(out);
  } else {
    print_text(r, s);
  }
  return code;
}

}  // namespace

std::vector<Command> make_amule_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<AmuleOptions>();
  CLI::App* amule = root.add_subcommand("amule", "Ask a running aMule about itself, over EC (as amulecmd does)");
  amule->require_subcommand(1);
  CLI::App* status = amule->add_subcommand("status", "What aMule says: its eD2k ID and server, its Kad state");
  add_global_options(*amule, g);
  add_global_options(*status, g);
  status->add_option("--timeout", o->timeout_ms, "milliseconds to wait for the connection and each answer (default 5000)")
      ->check(CLI::Range(100u, 120000u));
  status->footer(
      "Logs in to aMule's External Connections port as amulecmd does, with amule.conf's [ExternalConnect]\n"
      "ECPort, ECAddress and ECPassword (the MD5 aMule stores; the password itself is never needed or shown),\n"
      "and prints aMule's own view: eD2k connected or not, High/Low ID, the server; Kad running, connected,\n"
      "TCP and UDP firewalled or open, the buddy. Nothing is changed in aMule.\n"
      "--json prints the status JSON of `mulenet run` (docs/EMBEDDING.md) with \"source\":\"amule-ec\"; what\n"
      "aMule does not report over EC (ports, router) is null or empty; \"amule\" adds its version, address,\n"
      "server list and buddy.\n"
      "Exit code: 0 aMule answered (High ID or not connected, Kad not firewalled); 1 aMule reports a Low ID or a\n"
      "firewalled Kad; 2 aMule could not be read (EC off, wrong password, not running: the message says how\n"
      "to fix it); 3/4 amule.conf invalid/unreadable.");
  return {{status, [&g, o] { return run_amule_status(g, *o); }}};
}

}  // namespace mulenet::cli
