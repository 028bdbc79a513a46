// mulenet kad check: TCP and UDP open or firewalled on Kad, the external UDP
// port (remapped?), our public address, from several real Kad nodes at once.
#include <unistd.h>

#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "config/load_settings.hpp"
#include "ed2k/user_hash.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "kad/kad_check.hpp"
#include "kad/kad_prefs.hpp"
#include "kad/nodes_dat.hpp"

namespace mulenet::cli {
namespace {

struct KadCheckCli {
  std::string nodes_file;
  std::vector<std::string> bootstrap;
  int tcp_wait_s = 10;
  bool no_join = false;
  std::size_t tcp_checkers = 3;
  std::size_t udp_checkers = 2;
};

std::string verdict_words(const std::string& v)
{
  if (v == "open") return "open";
  if (v == "firewalled") return "FIREWALLED";
  return "unknown";
}

int run_kad_check(const GlobalOptions& g, const KadCheckCli& c)
{
  const auto loaded = load_config(g);
  if (!loaded) return kExitFileError;
  const auto issues = config::validate(loaded->doc);
  if (config::has_errors(issues)) {
    report_config_errors(g, config_path(g).string() + " has errors:", issues);
    return kExitConfigInvalid;
  }
  kad::KadCheckOptions o;
  o.settings = config::load_settings(loaded->doc);
  o.tcp_wait = std::chrono::seconds(c.tcp_wait_s);
  o.join = !c.no_join;
  o.tcp_checkers = c.tcp_checkers;
  o.udp_checkers = c.udp_checkers;
  for (const std::string& text : c.bootstrap) {
    const auto t = proxy::parse_target(text);
    if (!t || !std::holds_alternative<proxy::Ipv4>(t->host)) {
      report_error(g, "bad-bootstrap", "'" + text + "' is not IPV4:PORT (a Kad node's UDP address)");
      return kExitUsage;
    }
    o.bootstrap.push_back(*t);
  }
  const std::filesystem::path nodes_path =
      c.nodes_file.empty() ? config_path(g).parent_path() / "nodes.dat" : std::filesystem::path(c.nodes_file);
  if (!c.nodes_file.empty() || (o.bootstrap.empty() && std::filesystem::exists(nodes_path))) {
    const auto dat = kad::read_nodes_dat(nodes_path);
    if (!dat) {
      report_error(g, "nodes-dat-unreadable", dat.error);
      return kExitFileError;
    }
    for (const auto& e : dat.value->entries) o.nodes.push_back(e.contact);
  }
  if (o.nodes.empty() && o.bootstrap.empty()) {
    report_error(g, "no-nodes",
                 "no Kad node to ask: give --bootstrap IP:PORT or --nodes FILE, or keep a nodes.dat at " +
                     nodes_path.string());
    return kExitUsage;
  }
  const ed2k::UserHash hash = ed2k::load_or_create_user_hash(config_path(g));
  const kad::KadIdentity identity = kad::load_or_create_identity(config_path(g));
  if (!hash.error.empty() || !identity.error.empty()) {
    report_error(g, "identity", hash.error.empty() ? identity.error : hash.error);
    return kExitFileError;
  }
  o.user_hash = hash.hash;
  o.id = identity.id;
  o.udp_key = identity.udp_key;
  const bool tty = !g.json && isatty(STDERR_FILENO) == 1;
  o.progress = [tty, &g](std::string_view step) {
    if (!g.json) std::cerr << (tty ? "… " : "") << step << std::endl;
  };
  boost::asio::io_context io;
  kad::KadCheckReport r;
  boost::asio::co_spawn(io, kad::check_kad(o), [&r](std::exception_ptr e, kad::KadCheckReport got) {
    if (e) std::rethrow_exception(e);
    r = std::move(got);
  });
  io.run();

  int code = kExitOk;
  if (!r.error.empty() || (r.tcp == "unknown" && r.udp == "unknown")) code = kExitProblems;
  else if (r.tcp != "open" || r.udp != "open") code = kExitWarnings;
  if (g.json) {
    boost::json::array evidence;
    for (const auto& e : r.evidence)
      evidence.push_back(boost::json::object{{"ms", e.at.count()}, {"node", e.node}, {"said", e.said}});
    boost::json::object out{{"tcp", r.tcp},
                            {"udp", r.udp},
                            {"udp_remapped", r.udp_remapped},
                            {"udp_port_unstable", r.udp_port_unstable},
                            {"internal_udp_port", o.settings.udp_port},
                            {"contacts", r.contacts},
                            {"tcp_acks", r.tcp_acks},
                            {"tcp_answers", r.tcp_answers},
                            {"verified_by", r.verified_by},
                            {"ms", r.elapsed.count()},
                            {"evidence", evidence},
                            {"exit_code", code}};
    out["external_udp_port"] = r.external_udp_port ? boost::json::value(*r.external_udp_port) : boost::json::value(nullptr);
    out["udp_working_port"] = r.udp_working_port ? boost::json::value(*r.udp_working_port) : boost::json::value(nullptr);
    out["public_ip"] = r.public_ip ? boost::json::value(*r.public_ip) : boost::json::value(nullptr);
    out["error"] = r.error.empty() ? boost::json::value(nullptr) : boost::json::value(r.error);
    print_json(out);
    return code;
  }
  if (!r.error.empty()) {
    std::cout << "mulenet: " << r.error << "\n";
    return code;
  }
  std::cout << fmt::format("Kad TCP: {}    Kad UDP: {}    ({} contacts, {:.1f} s)\n", verdict_words(r.tcp),
                           verdict_words(r.udp), r.contacts, static_cast<double>(r.elapsed.count()) / 1000.0);
  if (r.external_udp_port)
    std::cout << fmt::format("External UDP port: {}{}\n", *r.external_udp_port,
                             r.udp_remapped ? fmt::format(" (REMAPPED: ours is {})", o.settings.udp_port) : " (not remapped)");
  else if (r.udp_port_unstable)
    std::cout << "External UDP port: unstable (each node saw another one: the NAT changes it per destination)\n";
  if (r.public_ip) std::cout << "Public address as the nodes see it: " << *r.public_ip << "\n";
  if (c.no_join) std::cout << "Not joined (--no-join).\n";
  else std::cout << fmt::format("Joined: {} node(s) list us as a verified contact.\n", r.verified_by);
  std::cout << "Evidence:\n";
  for (const auto& e : r.evidence)
    std::cout << fmt::format("  {:>6} ms  {:<20} {}\n", e.at.count(), e.node, e.said);
  return code;
}

}  // namespace

std::vector<Command> make_kad_commands(CLI::App& root, GlobalOptions& g)
{
  CLI::App* kad = root.add_subcommand("kad", "Kad: is TCP and UDP open or firewalled, and is the UDP port remapped");
  add_global_options(*kad, g);
  kad->require_subcommand(1);
  auto c = std::make_shared<KadCheckCli>();
  CLI::App* check = kad->add_subcommand("check", "Ask several Kad nodes whether they reach our TCP and UDP ports");
  add_global_options(*check, g);
  check->add_option("--nodes", c->nodes_file, "a nodes.dat to take Kad nodes from (default: the one next to amule.conf)")
      ->type_name("FILE");
  check->add_option("--bootstrap", c->bootstrap, "ask this Kad node for contacts (repeatable)")->type_name("IP:PORT");
  check->add_option("--tcp-wait", c->tcp_wait_s, "seconds to wait for the nodes to reach our TCP port (default 10)")
      ->check(CLI::Range(1, 120));
  check->add_option("--tcp-checkers", c->tcp_checkers, "how many nodes check our TCP port (default 3; open needs 2 ACKs)")
      ->check(CLI::Range(2, 10));
  check->add_option("--udp-checkers", c->udp_checkers, "how many other nodes test our UDP port (default 2)")
      ->check(CLI::Range(1, 10));
  check->add_flag("--no-join", c->no_join, "do not HELLO the nodes afterwards (they will not keep us as a contact)");
  check->footer(
      "Runs a Kad node on /eMule/UDPPort and listens on /eMule/Port (so stop aMule first), then asks\n"
      "several nodes at once: three check our TCP port (FIREWALLED2_REQ, open after two ACKs) and tell the\n"
      "UDP port they see (PING); two others, that never heard from our UDP port, send to it (FWCHECKUDPREQ):\n"
      "one datagram arriving means UDP open. Identity as aMule's: preferences.dat, preferencesKad.dat,\n"
      "CryptoKadUDPKey in amule.conf (made once when missing).\n\n"
      "Exit code: 0 TCP and UDP open; 1 something firewalled or unknown; 2 no verdict (no nodes answered,\n"
      "port taken); 3 invalid configuration; 4 a file cannot be read; 64 no node to ask.\n"
      "JSON: {\"tcp\":\"open\"|\"firewalled\"|\"unknown\",\"udp\":...,\"external_udp_port\":N|null,\"udp_remapped\":bool,\n"
      "\"public_ip\",\"contacts\":N,\"evidence\":[{\"ms\",\"node\",\"said\"}],...}");
  return {{check, [&g, c] { return run_kad_check(g, *c); }}};
}

}  // namespace mulenet::cli
