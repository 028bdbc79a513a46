// mulenet kad check: TCP and UDP open or firewalled on Kad, the external UDP
// port (remapped?), our public address, from several real Kad nodes at once.
#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "engine/run_services.hpp"
#include "ed2k/user_hash.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include <boost/asio/ip/address_v4.hpp>

#include "kad/checker_memory.hpp"
#include "kad/kad_check.hpp"
#include "kad/kad_find.hpp"
#include "kad/kad_node.hpp"
#include "kad/kad_prefs.hpp"
#include "kad/kad_seeds.hpp"
#include "kad/nodes_dat.hpp"
#include "kad/nodes_dat_save.hpp"

namespace mulenet::cli {
namespace {

struct KadCheckCli {
  std::string nodes_file;
  std::vector<std::string> bootstrap;
  int tcp_wait_s = 10;
  int udp_wait_s = 10;
  bool no_join = false;
  bool no_lookup = false;
  bool no_save_nodes = false;
  std::string save_nodes;
  std::size_t tcp_checkers = 3;
  std::size_t udp_checkers = 2;
};

// The text output shouts the verdict that needs the user's attention.
std::string verdict_words(kad::Verdict v)
{
  return v == kad::Verdict::firewalled ? "FIREWALLED" : kad::to_string(v);
}

// The Kad nodes to start from (kad::gather_kad_seeds). kExitOk, or the exit
// code after the error was reported.
int gather_seeds(const GlobalOptions& g, const std::string& nodes_file, const std::vector<std::string>& addresses,
                 kad::KadSeeds& seeds)
{
  kad::KadSeedsResult r = kad::gather_kad_seeds(config_path(g), nodes_file, addresses);
  switch (r.problem) {
    case kad::SeedProblem::none: seeds = std::move(r.seeds); return kExitOk;
    case kad::SeedProblem::bad_bootstrap: report_error(g, "bad-bootstrap", r.message); return kExitUsage;
    case kad::SeedProblem::nodes_dat_unreadable: report_error(g, "nodes-dat-unreadable", r.message); return kExitFileError;
    case kad::SeedProblem::no_nodes: report_error(g, "no-nodes", r.message); return kExitUsage;
  }
  return kExitUsage;
}

// Our routing table into nodes.dat, as aMule on exit: only when it has at
// least 25 contacts (a poorer table never replaces the file), unless the
// user named the file. Returns a JSON description of what was done.
boost::json::object save_routing_table(const GlobalOptions& g, const KadCheckCli& c, const kad::KadCheckReport& r)
{
  const bool named = !c.save_nodes.empty();
  const std::filesystem::path path = named ? std::filesystem::path(c.save_nodes) : config_path(g).parent_path() / "nodes.dat";
  boost::json::object out{{"path", path.string()}, {"contacts", r.routing.size()}, {"written", false}};
  if (c.no_save_nodes && !named) {
    out["reason"] = "--no-save-nodes";
    return out;
  }
  std::string error;
  if (!named) {
    switch (kad::save_nodes_dat_as_amule(config_path(g), r.routing, r.public_ip, error)) {
      case kad::NodesDatSave::written: out["written"] = true; break;
      case kad::NodesDatSave::too_few:
        out["reason"] = fmt::format("fewer than {} contacts (as aMule, a poorer table does not replace the file)",
                                    kad::kNodesDatMinimumToWrite);
        break;
      case kad::NodesDatSave::failed: out["reason"] = error; break;
    }
    return out;
  }
  std::uint32_t key_ip = 0;
  boost::system::error_code ec;
  if (r.public_ip) {
    if (const auto a = boost::asio::ip::make_address_v4(*r.public_ip, ec); !ec) key_ip = kad::kad_ip_of(a);
  }
  if (kad::write_nodes_dat(path, kad::nodes_dat_entries(r.routing, key_ip), error))
    out["written"] = true;
  else
    out["reason"] = error;
  return out;
}

boost::json::value memory_json(const kad::KadMemoryReport& m)
{
  if (m.path.empty()) return nullptr;
  boost::json::array notes;
  for (const std::string& n : m.notes) notes.push_back(boost::json::value(n));
  return boost::json::object{{"path", m.path}, {"nodes", m.nodes}, {"written", m.written}, {"notes", notes}};
}

int run_kad_check(const GlobalOptions& g, const KadCheckCli& c)
{
  int failed = kExitOk;
  auto settings = load_valid_settings(g, failed);
  if (!settings) return failed;
  kad::KadCheckOptions o;
  o.settings = std::move(*settings);
  o.tcp_wait = std::chrono::seconds(c.tcp_wait_s);
  o.udp_wait = std::chrono::seconds(c.udp_wait_s);
  o.join = !c.no_join;
  o.lookup = !c.no_lookup;
  o.tcp_checkers = c.tcp_checkers;
  o.udp_checkers = c.udp_checkers;
  kad::KadSeeds seeds;
  if (const int bad = gather_seeds(g, c.nodes_file, c.bootstrap, seeds); bad != kExitOk) return bad;
  o.nodes = seeds.nodes;
  o.bootstrap = seeds.bootstrap;
  o.nodes_dat_written = seeds.nodes_dat_written;
  const kad::NodeIdentity identity = kad::load_node_identity(config_path(g), true);
  if (!identity.error.empty()) {
    report_error(g, "identity", identity.error);
    return kExitFileError;
  }
  o.user_hash = identity.user_hash;
  o.id = identity.kad_id;
  o.udp_key = identity.udp_key;
  o.progress = progress_printer(g);
  o.memory_path = kad::checker_memory_path(config_path(g));
  const kad::NodeServicesOptions services = kad::node_services_options(o.settings, identity);
  kad::KadCheckReport r;
  engine::run_with_services(g.io(), services, [&](kad::NodeServices& s) -> boost::asio::awaitable<void> {
    if (!s.kad) {
      r.error = s.kad_error;
      r.code = s.kad_code;
      co_return;
    }
    r = co_await kad::check_kad(*s.kad, o);
  });
  const boost::json::object nodes_dat = r.error.empty() ? save_routing_table(g, c, r) : boost::json::object{};
  int code = kExitOk;
  if (!r.error.empty() || (r.tcp == kad::Verdict::unknown && r.udp == kad::Verdict::unknown)) code = kExitProblems;
  else if (r.tcp != kad::Verdict::open || r.udp != kad::Verdict::open) code = kExitWarnings;
  if (g.json) {
    boost::json::array evidence;
    for (const auto& e : r.evidence)
      evidence.push_back(boost::json::object{{"ms", e.at.count()}, {"node", e.node}, {"said", e.said}});
    boost::json::object out{{"tcp", kad::to_string(r.tcp)},
                            {"udp", kad::to_string(r.udp)},
                            {"udp_remapped", r.udp_remapped},
                            {"udp_port_unstable", r.udp_port_unstable},
                            {"internal_udp_port", o.settings.udp_port},
                            {"contacts", r.contacts},
                            {"tcp_acks", r.tcp_acks},
                            {"tcp_reached", r.tcp_reached},
                            {"tcp_answers", r.tcp_answers},
                            {"verified_by", r.verified_by},
                            {"routing_contacts", r.routing.size()},
                            {"node_id", o.id.hex()},
                            {"udp_via_proxy", r.udp_via_proxy},
                            {"udp_path", r.udp_path},
                            {"lookup_queries", r.lookup_queries},
                            {"ms", r.elapsed.count()},
                            {"evidence", evidence},
                            {"exit_code", code}};
    out["external_udp_port"] = r.external_udp_port ? boost::json::value(*r.external_udp_port) : boost::json::value(nullptr);
    out["udp_working_port"] = r.udp_working_port ? boost::json::value(*r.udp_working_port) : boost::json::value(nullptr);
    out["public_ip"] = r.public_ip ? boost::json::value(*r.public_ip) : boost::json::value(nullptr);
    out["error"] = r.error.empty() ? boost::json::value(nullptr) : boost::json::value(r.error);
    out["code"] = code_json(r.code);
    out["tcp_reason"] = r.tcp_reason.empty() ? boost::json::value(nullptr) : boost::json::value(r.tcp_reason);
    out["udp_reason"] = r.udp_reason.empty() ? boost::json::value(nullptr) : boost::json::value(r.udp_reason);
    out["retry_after_s"] = r.retry_after_s ? boost::json::value(*r.retry_after_s) : boost::json::value(nullptr);
    out["tcp_checkers"] = r.tcp_checkers;
    out["udp_checkers"] = r.udp_checkers;
    out["memory"] = memory_json(r.memory);
    out["nodes_dat"] = nodes_dat.empty() ? boost::json::value(nullptr) : boost::json::value(nodes_dat);
    print_json(out);
    return code;
  }
  if (!r.error.empty()) {
    std::cout << "mulenet: " << r.error << "\n";
    return code;
  }
  std::cout << fmt::format("Kad TCP: {}    Kad UDP: {}    ({} contacts, {:.1f} s)\n", verdict_words(r.tcp),
                           verdict_words(r.udp), r.contacts, static_cast<double>(r.elapsed.count()) / 1000.0);
  if (r.tcp == kad::Verdict::unknown) std::cout << "  TCP unknown: " << r.tcp_reason << "\n";
  if (r.udp == kad::Verdict::unknown) std::cout << "  UDP unknown: " << r.udp_reason << "\n";
  if (r.retry_after_s)
    std::cout << fmt::format("  Check again in {} s (mulenet kad check): by then enough nodes can tell.\n", *r.retry_after_s);
  if (r.udp_via_proxy) std::cout << "Kad UDP went " << r.udp_path << " (the nodes see the proxy, not us)\n";
  if (r.external_udp_port && r.udp_via_proxy)
    std::cout << fmt::format("External UDP port: {} (the proxy's, for our association)\n", *r.external_udp_port);
  else if (r.external_udp_port)
    std::cout << fmt::format("External UDP port: {}{}\n", *r.external_udp_port,
                             r.udp_remapped ? fmt::format(" (REMAPPED: ours is {})", o.settings.udp_port) : " (not remapped)");
  else if (r.udp_port_unstable)
    std::cout << "External UDP port: unstable (each node saw another one: the NAT changes it per destination)\n";
  if (r.public_ip) std::cout << "Public address as the nodes see it: " << *r.public_ip << "\n";
  if (c.no_join) std::cout << "Not joined (--no-join).\n";
  else std::cout << fmt::format("Joined: {} node(s) list us as a verified contact.\n", r.verified_by);
  std::cout << fmt::format("Routing table: {} contacts", r.routing.size());
  if (nodes_dat.contains("written") && nodes_dat.at("written").as_bool())
    std::cout << ", saved to " << nodes_dat.at("path").as_string().c_str();
  else if (nodes_dat.contains("reason"))
    std::cout << " (nodes.dat not written: " << nodes_dat.at("reason").as_string().c_str() << ")";
  std::cout << "\n";
  std::cout << "Evidence:\n";
  for (const auto& e : r.evidence)
    std::cout << fmt::format("  {:>6} ms  {:<20} {}\n", e.at.count(), e.node, e.said);
  return code;
}

struct KadLookupCli {
  std::string target;
  std::string nodes_file;
  std::vector<std::string> bootstrap;
  int timeout_s = 20;
};

int run_kad_lookup(const GlobalOptions& g, const KadLookupCli& c)
{
  int failed = kExitOk;
  auto settings = load_valid_settings(g, failed);
  if (!settings) return failed;
  kad::KadFindOptions o;
  kad::KadSeeds seeds;
  if (const int bad = gather_seeds(g, c.nodes_file, c.bootstrap, seeds); bad != kExitOk) return bad;
  o.nodes = seeds.nodes;
  o.bootstrap = seeds.bootstrap;
  // Our identity as aMule keeps it, only read: a lookup changes no file.
  const kad::KadIdentity identity = kad::load_or_create_identity(config_path(g), false);
  o.own_id = identity.id;
  o.udp_key = identity.udp_key;
  if (c.target.empty()) {
    o.target = identity.id;
  } else if (const auto t = kad::KadId::from_hex(c.target)) {
    o.target = *t;
  } else {
    report_error(g, "bad-target", "'" + c.target + "' is not a Kad ID (32 hex digits, as aMule shows them)");
    return kExitUsage;
  }
  o.settings = std::move(*settings);
  o.lifetime = std::chrono::seconds(c.timeout_s);
  o.progress = progress_printer(g);
  kad::KadFindReport r;
  // A node of its own on a free port: aMule may hold the Kad port meanwhile.
  net::run_to_end(g.io(), [&]() -> boost::asio::awaitable<void> { r = co_await kad::find_kad_nodes(o); });
  const int code = r.error.empty() ? kExitOk : kExitProblems;
  if (g.json) {
    boost::json::array closest;
    for (const kad::Contact& k : r.closest)
      closest.push_back(boost::json::object{{"id", k.id.hex()},
                                            {"distance", (k.id ^ o.target).hex()},
                                            {"ip", kad::kad_ip_text(k.ip)},
                                            {"udp_port", k.udp_port},
                                            {"tcp_port", k.tcp_port},
                                            {"version", k.version}});
    boost::json::array evidence;
    for (const auto& e : r.evidence)
      evidence.push_back(boost::json::object{{"ms", e.at.count()}, {"node", e.node}, {"said", e.said}});
    boost::json::object out{{"target", o.target.hex()},  {"closest", closest},
                            {"queries", r.queries},       {"answers", r.answers},
                            {"completed", r.completed},   {"routing_contacts", r.routing_contacts},
                            {"udp_path", r.udp_path},
                            {"ms", r.elapsed.count()},    {"evidence", evidence},
                            {"exit_code", code}};
    out["error"] = r.error.empty() ? boost::json::value(nullptr) : boost::json::value(r.error);
    out["code"] = code_json(r.code);
    print_json(out);
    return code;
  }
  if (!r.error.empty()) {
    std::cout << "mulenet: " << r.error << "\n";
    return code;
  }
  std::cout << fmt::format("The {} Kad nodes closest to {} ({} asked, {} answered, {:.1f} s{}):\n", r.closest.size(),
                           o.target.hex(), r.queries, r.answers, static_cast<double>(r.elapsed.count()) / 1000.0,
                           r.completed ? "" : ", stopped by its time or query limit");
  for (const kad::Contact& k : r.closest)
    std::cout << fmt::format("  {}  {}:{}  TCP {}  Kad v{}  distance {}\n", k.id.hex(), kad::kad_ip_text(k.ip),
                             k.udp_port, k.tcp_port, k.version, (k.id ^ o.target).hex());
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
  check->add_option("--udp-wait", c->udp_wait_s,
                    "seconds to wait for the nodes' datagrams to reach our UDP port (default 10; silence means firewalled)")
      ->check(CLI::Range(1, 120));
  check->add_option("--tcp-checkers", c->tcp_checkers, "how many nodes check our TCP port (default 3; open needs 2 ACKs)")
      ->check(CLI::Range(2, 10));
  check->add_option("--udp-checkers", c->udp_checkers, "how many other nodes test our UDP port (default 2)")
      ->check(CLI::Range(1, 10));
  check->add_flag("--no-join", c->no_join, "do not HELLO the nodes afterwards (they will not keep us as a contact)");
  check->add_flag("--no-lookup", c->no_lookup,
                  "no node lookups (to find more nodes when too few are known, and of our own ID when joining)");
  check->add_option("--save-nodes", c->save_nodes, "write the routing table to this nodes.dat (version 2), whatever its size")
      ->type_name("FILE");
  check->add_flag("--no-save-nodes", c->no_save_nodes,
                  "do not update the nodes.dat next to amule.conf (by default it is, as aMule does, when 25+ contacts are known)");
  check->footer(
      "Runs a Kad node on /eMule/UDPPort and listens on /eMule/Port (so stop aMule first), then asks\n"
      "several nodes at once: three check our TCP port (FIREWALLED2_REQ, open after two ACKs) and tell the\n"
      "UDP port they see (PING); two others, that never heard from our UDP port, send to it (FWCHECKUDPREQ):\n"
      "one datagram arriving means UDP open. Too few nodes known: a short node lookup finds more. Then it\n"
      "joins: HELLO with the checkers (they keep us as a verified contact) and a lookup of our own ID.\n"
      "Identity as aMule's: preferences.dat, preferencesKad.dat, CryptoKadUDPKey in amule.conf (made once\n"
      "when missing); the routing table goes to nodes.dat as aMule does (25+ contacts).\n"
      "Through a SOCKS5 proxy, Kad UDP uses its UDP association: the nodes see the proxy, and can only\n"
      "connect back to it (TCP firewalled). Another proxy type: Kad UDP goes direct (strict mode: refused).\n"
      "Checking again soon after: it remembers (mulenet-kad-memory.json next to amule.conf) which nodes\n"
      "talked to our UDP port and which checked us. A node with a UDP flow to our port in the last\n"
      "[mulenet] KadUdpFlowWindow s (600) could get in through a closed port: it never does the UDP test; one\n"
      "that checked us in the last KadRecheckWindow s (300) answers from its old check: it is not asked.\n"
      "Without enough such nodes a verdict is \"unknown\", with the reason and when to check again.\n\n"
      "Exit code: 0 TCP and UDP open; 1 something firewalled or unknown; 2 no verdict (no nodes answered,\n"
      "port taken); 3 invalid configuration; 4 a file cannot be read; 64 no node to ask.\n"
      "JSON: {\"tcp\":\"open\"|\"firewalled\"|\"unknown\",\"udp\":...,\"external_udp_port\":N|null,\"udp_remapped\":bool,\n"
      "\"public_ip\",\"contacts\":N,\"tcp_reason\",\"udp_reason\",\"retry_after_s\":N|null,\"evidence\":[{\"ms\",\"node\",\"said\"}],...}");
  auto l = std::make_shared<KadLookupCli>();
  CLI::App* lookup = kad->add_subcommand("lookup", "Find the Kad nodes closest to an ID (default: our own: our neighbours)");
  add_global_options(*lookup, g);
  lookup->add_option("target", l->target, "a Kad ID, 32 hex digits as aMule shows them (default: our node ID)")
      ->type_name("ID");
  lookup->add_option("--nodes", l->nodes_file, "a nodes.dat to start from (default: the one next to amule.conf)")
      ->type_name("FILE");
  lookup->add_option("--bootstrap", l->bootstrap, "ask this Kad node for contacts first (repeatable)")->type_name("IP:PORT");
  lookup->add_option("--timeout", l->timeout_s, "seconds the lookup may take (default 20)")->check(CLI::Range(1, 120));
  lookup->footer(
      "An iterative node lookup as aMule's: KADEMLIA2_REQ to the 3 closest nodes not yet asked, their\n"
      "answers fed back in, until the 10 closest known have answered. Uses a free UDP port (aMule may keep\n"
      "running), sends no HELLO and changes no file.\n\n"
      "Exit code: 0 nodes answered; 2 none answered; 3 invalid configuration; 4 a file cannot be read;\n64 bad ID or no node to ask.\n"
      "JSON: {\"target\",\"closest\":[{\"id\",\"distance\",\"ip\",\"udp_port\",\"tcp_port\",\"version\"}],\"queries\",\"answers\",\n"
      "\"completed\",\"evidence\":[{\"ms\",\"node\",\"said\"}],\"error\"}");
  return {{check, [&g, c] { return run_kad_check(g, *c); }}, {lookup, [&g, l] { return run_kad_lookup(g, *l); }}};
}

}  // namespace mulenet::cli
