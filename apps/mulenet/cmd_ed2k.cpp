// mulenet ed2k login [HOST:PORT...]: log in to eD2k servers and report High
// ID or Low ID, with the evidence (did the server's connect-back reach us,
// what did it say, does UDP to it work).
#include <iostream>
#include <limits>

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "ed2k/servers_to_ask.hpp"
#include "engine/run_services.hpp"
#include "config/load_settings.hpp"
#include "ed2k/ed2k_check.hpp"
#include "ed2k/hello_probe.hpp"
#include "proxy/proxy_error.hpp"
#include "proxy/proxy_spec.hpp"
#include "ed2k/server_met.hpp"
#include "ed2k/user_hash.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "text_table.hpp"

namespace mulenet::cli {
namespace {

struct LoginOptions {
  std::vector<std::string> servers;
  int timeout_s = 25;
  bool no_listen = false;
  bool no_udp = false;
};

std::string public_ip(const ed2k::LoginResult& r)
{
  if (!r.id) return "";
  if (r.high_id()) return ed2k::dotted_text(r.id->id);
  return r.id->reported_ip && *r.id->reported_ip != 0 ? ed2k::dotted_text(*r.id->reported_ip) : "";
}

boost::json::object server_check_json(const ed2k::ServerCheck& s)
{
  const ed2k::LoginResult& r = s.login;
  boost::json::array messages;
  for (const auto& m : r.messages) messages.push_back(boost::json::value(m));
  boost::json::object o{{"address", r.server.str()},
                        {"name", r.name},
                        {"connected", r.connected},
                        {"high_id", r.high_id()},
                        {"messages", messages},
                        {"connect_back_seen", s.connect_back_seen},
                        {"route", proxy::to_string(r.route)},
                        {"ms", r.elapsed.count()}};
  o["id"] = r.id ? boost::json::value(r.id->id) : boost::json::value(nullptr);
  o["id_ms"] = r.id_after ? boost::json::value(r.id_after->count()) : boost::json::value(nullptr);
  const std::string ip = public_ip(r);
  o["public_ip"] = ip.empty() ? boost::json::value(nullptr) : boost::json::value(ip);
  o["reported_ip"] = r.id && r.id->reported_ip ? boost::json::value(ed2k::dotted_text(*r.id->reported_ip))
                                               : boost::json::value(nullptr);
  o["users"] = r.status ? boost::json::value(r.status->users) : boost::json::value(nullptr);
  o["files"] = r.status ? boost::json::value(r.status->files) : boost::json::value(nullptr);
  if (s.udp) {
    o["udp_ok"] = s.udp->answered;
    o["udp_path"] = s.udp->path;
    o["udp_error"] = s.udp->error;
  } else {
    o["udp_ok"] = nullptr;
  }
  o["error"] = r.error.empty() ? boost::json::value(nullptr) : boost::json::value(r.error);
  o["code"] = code_json(r.code);
  o["dial_code"] = code_json(r.dial_code);
  return o;
}

void print_text(const ed2k::Ed2kCheckReport& report, const std::string& user_hash)
{
  TextTable table({"SERVER", "NAME", "RESULT", "ID", "PUBLIC IP", "CONNECT-BACK", "UDP"});
  for (const ed2k::ServerCheck& s : report.servers) {
    const ed2k::LoginResult& r = s.login;
    table.add_row({r.server.str(), r.name.empty() ? "-" : r.name, ed2k::to_string(r.outcome()),
                   r.id ? std::to_string(r.id->id) : "-", public_ip(r).empty() ? "-" : public_ip(r),
                   !report.listening ? "not watched" : s.connect_back_seen ? "reached us" : "none arrived",
                   !s.udp ? "-" : s.udp->answered ? fmt::format("ok ({} ms)", s.udp->rtt.count()) : "no answer"});
  }
  table.print(std::cout);
  for (const ed2k::ServerCheck& s : report.servers) {
    const ed2k::LoginResult& r = s.login;
    if (!r.error.empty()) std::cout << fmt::format("  {}: {}\n", r.server.str(), r.error);
    if (r.route == proxy::Route::via_proxy && r.dial_code.category() == proxy::proxy_category())
      std::cout << fmt::format("  fix: {}\n", proxy::fix_for(static_cast<proxy::ProxyErrc>(r.dial_code.value())));
    for (const std::string& m : r.messages) std::cout << fmt::format("  {} says: {}\n", r.server.str(), m);
    if (s.udp && !s.udp->answered) std::cout << fmt::format("  {}: UDP: {}\n", r.server.str(), s.udp->error);
    if (s.udp && !s.udp->note.empty()) std::cout << fmt::format("  {}: UDP: {}\n", r.server.str(), s.udp->note);
  }
  if (!report.listening)
    std::cout << "Not listening on the TCP port ourselves: " << report.listen_error
              << "\n(whatever holds the port, e.g. aMule, answered the servers' connect-back)\n";
  std::cout << "User hash " << user_hash << " (preferences.dat, shared with aMule)\n";
}

int run_login(const GlobalOptions& g, const LoginOptions& o)
{
  int failed = kExitOk;
  auto settings = load_valid_settings(g, failed);
  if (!settings) return failed;
  ed2k::Ed2kCheckOptions options;
  options.settings = std::move(*settings);
  const ed2k::ServersToAsk to_ask = ed2k::servers_to_ask(config_path(g), o.servers, std::numeric_limits<std::size_t>::max());
  switch (to_ask.problem) {
    case ed2k::ServersProblem::none: break;
    case ed2k::ServersProblem::bad_server: report_error(g, "bad-server", to_ask.message); return kExitUsage;
    case ed2k::ServersProblem::server_met_unreadable:
      report_error(g, "server-met-unreadable", to_ask.message);
      return kExitFileError;
    case ed2k::ServersProblem::no_servers: report_error(g, "no-servers", to_ask.message); return kExitUsage;
  }
  options.servers = to_ask.servers;
  const ed2k::UserHash hash = ed2k::load_or_create_user_hash(config_path(g));
  if (!hash.error.empty()) {
    report_error(g, "user-hash", hash.error);
    return kExitFileError;
  }
  options.user_hash = hash.hash;
  options.login_timeout = std::chrono::seconds(o.timeout_s);
  options.listen = !o.no_listen;
  options.udp_ping = !o.no_udp;
  options.progress = progress_printer(g);
  kad::NodeServicesOptions services;  // no Kad node: a login needs only the listener and the Dialer
  services.settings = options.settings;
  services.user_hash = hash.hash;
  services.with_kad = false;
  services.listen = options.listen;
  services.nick = options.nick;
  ed2k::Ed2kCheckReport report;
  engine::run_with_services(g.io(), services, [&](kad::NodeServices& s) -> boost::asio::awaitable<void> {
    report = co_await ed2k::check_ed2k(s.ed2k, options);
  });

  bool any_high = false, any_id = false;
  for (const auto& s : report.servers) {
    any_id = any_id || s.login.id.has_value();
    any_high = any_high || s.login.high_id();
  }
  const int code = any_high ? kExitOk : any_id ? kExitWarnings : kExitProblems;
  if (g.json) {
    boost::json::array servers;
    for (const auto& s : report.servers) servers.push_back(server_check_json(s));
    print_json(boost::json::object{
        {"servers", servers},
        {"listening", report.listening},
        {"listen_error", report.listen_error},
        {"listen_code", code_json(report.listen_code)},
        {"tcp_port", options.settings.tcp_port},
        {"user_hash", ed2k::hash_hex(hash.hash)},
        {"exit_code", code}});
  } else {
    print_text(report, ed2k::hash_hex(hash.hash));
  }
  return code;
}

int run_hello(const GlobalOptions& g, const std::string& peer_text, int timeout_s)
{
  const auto loaded = load_config(g);
  if (!loaded) return kExitFileError;
  const auto peer = proxy::parse_target(peer_text);
  if (!peer) {
    report_error(g, "bad-peer", "'" + peer_text + "' is not HOST:PORT");
    return kExitUsage;
  }
  const config::Settings settings = config::load_settings(loaded->doc);
  const ed2k::UserHash hash = ed2k::load_or_create_user_hash(config_path(g));
  if (!hash.error.empty()) {
    report_error(g, "user-hash", hash.error);
    return kExitFileError;
  }
  ed2k::Identity me;
  me.user_hash = hash.hash;
  me.tcp_port = settings.tcp_port;
  me.udp_port = settings.udp_enabled ? settings.udp_port : 0;
  ed2k::HelloProbe probe;
  net::run_to_end(g.io(), [&]() -> boost::asio::awaitable<void> {
    proxy::Dialer dialer(co_await boost::asio::this_coro::executor, proxy::proxy_from_settings(settings.proxy),
                         settings.proxy.strict);
    probe = co_await ed2k::say_hello(dialer, *peer, me, std::chrono::seconds(timeout_s));
  });
  const int code = probe.answer ? kExitOk : kExitProblems;
  if (g.json) {
    boost::json::object o{{"peer", peer->str()}, {"connected", probe.connected}, {"ms", probe.elapsed.count()}};
    if (probe.answer) {
      const ed2k::Hello& h = *probe.answer;
      o["answer"] = boost::json::object{{"user_hash", ed2k::hash_hex(h.user_hash)},
                                        {"nick", h.nick()},
                                        {"user_id", h.user_id},
                                        {"tcp_port", h.announced_tcp_port()},
                                        {"udp_port", h.ed2k_udp_port()},
                                        {"kad_udp_port", h.kad_udp_port()},
                                        {"kad_version", h.kad_version()},
                                        {"server", h.server_ip == 0 ? std::string() : fmt::format("{}:{}", ed2k::dotted_text(h.server_ip), h.server_port)}};
    } else {
      o["answer"] = nullptr;
    }
    o["error"] = probe.error.empty() ? boost::json::value(nullptr) : boost::json::value(probe.error);
    print_json(o);
  } else if (probe.answer) {
    const ed2k::Hello& h = *probe.answer;
    std::cout << fmt::format("{} answered in {} ms: \"{}\", user hash {}, TCP port {}, UDP port {}, Kad port {} "
                             "(Kad version {}){}\n",
                             peer->str(), probe.elapsed.count(), h.nick(), ed2k::hash_hex(h.user_hash),
                             h.announced_tcp_port(), h.ed2k_udp_port(), h.kad_udp_port(), h.kad_version(),
                             h.server_ip == 0 ? "" : fmt::format(", on server {}:{}", ed2k::dotted_text(h.server_ip), h.server_port));
  } else {
    std::cout << (probe.error.starts_with(peer->str()) ? probe.error : peer->str() + ": " + probe.error) << "\n";
  }
  return code;
}

struct ServersOptions {
  std::string action;  // "", "add", "remove"
  std::string server;
  std::string name;
};

int run_servers(const GlobalOptions& g, const ServersOptions& o)
{
  const auto path = ed2k::server_met_path_for(config_path(g));
  auto met = ed2k::read_server_met(path);
  if (!met) {
    report_error(g, "server-met-unreadable", met.error);
    return kExitFileError;
  }
  if (!o.action.empty()) {
    const auto target = proxy::parse_target(o.server);
    const auto* ip = target ? std::get_if<proxy::Ipv4>(&target->host) : nullptr;
    if (!ip) {
      report_error(g, "bad-server", "'" + o.server + "' is not IPV4:PORT (server.met holds addresses, not names)");
      return kExitUsage;
    }
    const std::uint32_t address = ed2k::ed2k_order(*ip);
    auto& servers = met.value->servers;
    const auto same = [&](const ed2k::ServerMetEntry& e) { return e.ip == address && e.port == target->port; };
    if (o.action == "add") {
      if (std::none_of(servers.begin(), servers.end(), same)) {
        ed2k::ServerMetEntry e;
        e.ip = address;
        e.port = target->port;
        e.tags.push_back(ed2k::Tag::make_string(ed2k::ST_SERVERNAME, o.name.empty() ? target->str() : o.name));
        servers.push_back(std::move(e));
      }
    } else {
      const auto before = servers.size();
      std::erase_if(servers, same);
      if (servers.size() == before) {
        report_error(g, "not-found", target->str() + " is not in " + path.string());
        return kExitNotFound;
      }
    }
    std::string error;
    if (!ed2k::write_server_met(path, *met.value, error)) {
      report_error(g, "server-met-unwritable", error);
      return kExitFileError;
    }
  }
  if (g.json) {
    boost::json::array list;
    for (const auto& e : met.value->servers)
      list.push_back(boost::json::object{{"address", e.address()}, {"name", e.name()}, {"description", e.description()}});
    print_json(boost::json::object{{"file", path.string()}, {"servers", list}});
  } else {
    TextTable table({"ADDRESS", "NAME", "DESCRIPTION"});
    for (const auto& e : met.value->servers) table.add_row({e.address(), e.name(), e.description()});
    std::cout << path.string() << ": " << met.value->servers.size() << " server(s)\n";
    table.print(std::cout);
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> make_ed2k_commands(CLI::App& root, GlobalOptions& g)
{
  CLI::App* ed2k = root.add_subcommand("ed2k", "eD2k: log in to servers and find out High ID or Low ID");
  add_global_options(*ed2k, g);
  ed2k->require_subcommand(1);
  auto o = std::make_shared<LoginOptions>();
  CLI::App* login = ed2k->add_subcommand("login", "Log in to eD2k servers and report High ID or Low ID, and why");
  add_global_options(*login, g);
  login->add_option("servers", o->servers, "servers to log in to (default: those of server.met next to amule.conf)")
      ->type_name("HOST:PORT");
  login->add_option("--timeout", o->timeout_s, "seconds to wait for each server's ID (default 25, as aMule)")
      ->check(CLI::Range(1, 300));
  login->add_flag("--no-listen", o->no_listen, "do not answer the servers' connect-back ourselves (aMule runs)");
  login->add_flag("--no-udp", o->no_udp, "skip the UDP status ping");
  login->footer(
      "A server gives a High ID when it can connect back to your TCP port (/eMule/Port) and your client\n"
      "answers its Hello; else a Low ID. mulenet listens on that port while it logs in (two servers at\n"
      "a time, as aMule), through the proxy of amule.conf if one is set, with aMule's user hash\n"
      "(preferences.dat, created if missing). Then it pings each server over UDP from port TCP+3.\n\n"
      "Exit code: 0 a High ID from at least one server; 1 only Low IDs; 2 no server gave an ID;\n"
      "3 invalid configuration; 4 a file cannot be read; 64 no server to try.\n"
      "JSON: {\"servers\":[{\"address\",\"name\",\"connected\",\"id\",\"high_id\",\"public_ip\",\"messages\",\n"
      "\"udp_ok\",\"error\",\"connect_back_seen\",\"reported_ip\",\"route\",...}],\"listening\",\"user_hash\",...}");
  auto peer = std::make_shared<std::string>();
  auto hello_timeout = std::make_shared<int>(10);
  CLI::App* hello = ed2k->add_subcommand("hello", "Say Hello to an eD2k client and show who answers");
  add_global_options(*hello, g);
  hello->add_option("peer", *peer, "the client's TCP address")->type_name("HOST:PORT")->required();
  hello->add_option("--timeout", *hello_timeout, "seconds to wait for the answer (default 10)")->check(CLI::Range(1, 120));
  hello->footer(
      "Connects to an eD2k client (through the proxy of amule.conf, if any), sends OP_HELLO with aMule's\n"
      "user hash and shows the OP_HELLOANSWER: nick, user hash, ports, Kad version, server. Use it to see\n"
      "whether a client's port is reachable from here, and who listens there.\n\n"
      "Exit code: 0 it answered; 2 no answer (refused, timeout, not eD2k); 4 a file cannot be read.");
  auto so = std::make_shared<ServersOptions>();
  CLI::App* servers = ed2k->add_subcommand("servers", "List the eD2k servers of server.met, add or remove one");
  add_global_options(*servers, g);
  servers->add_option("action", so->action, "add or remove (none: list)")->check(CLI::IsMember({"add", "remove"}));
  servers->add_option("server", so->server, "the server to add or remove")->type_name("IPV4:PORT");
  servers->add_option("--name", so->name, "the name to store with an added server");
  servers->footer(
      "server.met lives next to amule.conf and is written the way aMule 2.3.3 writes it (the other servers\n"
      "and their tags are kept as they are). aMule rewrites it when it exits: change it while aMule is\n"
      "stopped. mulenet ed2k login and mulenet doctor log in to the servers listed here.\n\n"
      "Exit code: 0 done; 4 server.met unreadable or unwritable; 5 (remove) no such server; 64 bad address.");
  return {{login, [&g, o] { return run_login(g, *o); }},
          {servers, [&g, so] {
             if (!so->action.empty() && so->server.empty()) {
               report_error(g, "usage", "mulenet ed2k servers " + so->action + " needs IPV4:PORT");
               return kExitUsage;
             }
             return run_servers(g, *so);
           }},
          {hello, [&g, peer, hello_timeout] { return run_hello(g, *peer, *hello_timeout); }}};
}

}  // namespace mulenet::cli
