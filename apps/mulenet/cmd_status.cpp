// mulenet status: what the running daemon (mulenet run) says, from its API.
#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "net/run_to_end.hpp"
#include "text_table.hpp"
#include "web/status_client.hpp"

namespace mulenet::cli {
namespace {

namespace json = boost::json;

struct StatusOptions {
  std::optional<unsigned> status_port;
};

std::string text_of(const json::value& v, std::string_view none = "-")
{
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_bool()) return v.as_bool() ? "yes" : "no";
  return std::string(none);
}

const json::value& field(const json::value& v, std::string_view key)
{
  static const json::value null;
  if (!v.is_object()) return null;
  const auto* found = v.as_object().if_contains(key);
  return found ? *found : null;
}

// 1 when something the user acts on is not reachable: a port we forward that
// is not mapped/verified, a Low ID, a Kad verdict "firewalled"; else 0.
int verdict_code(const json::value& s)
{
  if (field(s, "ports").is_array()) {
    for (const auto& p : field(s, "ports").as_array()) {
      const std::string state = text_of(field(p, "state"));
      if (state == "closed" || state == "degraded") return kExitWarnings;
      if (field(p, "selected").is_bool() && field(p, "selected").as_bool() && state != "mapped" &&
          state != "verified-open")
        return kExitWarnings;
    }
  }
  if (text_of(field(field(s, "ed2k"), "state")) == "low-id") return kExitWarnings;
  for (const char* k : {"tcp", "udp"})
    if (text_of(field(field(s, "kad"), k)) == "firewalled") return kExitWarnings;
  return kExitOk;
}

void print_text(const json::value& s, const std::string& where)
{
  std::cout << "mulenet run at " << where << ", measured " << text_of(field(s, "updated_at"), "not yet") << ":\n";
  TextTable table({"PORT", "NAME", "STATE", "ROUTER", "WHY"});
  if (field(s, "ports").is_array())
    for (const auto& p : field(s, "ports").as_array()) {
      const std::string via = text_of(field(p, "via"), "");
      table.add_row({text_of(field(p, "port")) + "/" + text_of(field(p, "protocol")), text_of(field(p, "name")),
                     text_of(field(p, "state")),
                     via.empty() ? "-" : via + " -> " + text_of(field(p, "external_port")), text_of(field(p, "evidence"))});
    }
  table.print(std::cout);
  const auto& e = field(s, "ed2k");
  std::cout << "eD2k:   " << text_of(field(e, "state"), "not run") << (field(e, "id").is_null() ? "" : " (ID " + text_of(field(e, "id")) + ")")
            << (field(e, "server").is_null() ? "" : " with " + text_of(field(e, "server"))) << "\n";
  const auto& k = field(s, "kad");
  std::cout << "Kad:    " << text_of(field(k, "state"), "not run") << ", TCP " << text_of(field(k, "tcp"), "not checked")
            << ", UDP " << text_of(field(k, "udp"), "not checked")
            << (field(k, "external_udp_port").is_null() ? "" : ", external UDP port " + text_of(field(k, "external_udp_port")))
            << (field(k, "contacts").is_null() ? "" : ", " + text_of(field(k, "contacts")) + " contacts")
            << "\n";
  const auto& r = field(s, "router");
  std::cout << "Router: " << text_of(field(r, "gateway"), "not known") << ", external address "
            << text_of(field(r, "external_ip"), "not known") << ", via " << text_of(field(r, "via"), "-") << "\n";
  const auto& p = field(s, "proxy");
  std::cout << "Proxy:  "
            << (p.is_null() ? std::string("none")
                            : text_of(field(p, "type")) + " " + text_of(field(p, "host")) + ":" + text_of(field(p, "port")))
            << "\n";
}

int run_status(const GlobalOptions& g, const StatusOptions& o)
{
  int failed = kExitOk;
  const auto settings = load_valid_settings(g, failed);
  if (!settings) return failed;
  const std::string address = settings->status_address;
  const auto port = o.status_port ? static_cast<std::uint16_t>(*o.status_port) : settings->status_port;
  web::StatusFetch got;
  net::run_to_end(g.io(), [&]() -> boost::asio::awaitable<void> { got = co_await web::fetch_status(address, port); });
  if (!got.answered) {
    report_error(g, "not-running", got.error + (got.not_running ? ": start it with `mulenet run`" : ""));
    return kExitProblems;
  }
  boost::system::error_code ec;
  json::value s = json::parse(got.body, ec);
  if (ec || !s.is_object()) {
    report_error(g, "bad-answer", fmt::format("{}:{} answered something that is not the status JSON", address, port));
    return kExitProblems;
  }
  const int code = verdict_code(s);
  if (g.json) {
    s.as_object()["exit_code"] = code;
    print_json(s);
  } else {
    print_text(s, fmt::format("http://{}:{}/", address, port));
  }
  return code;
}

}  // namespace

std::vector<Command> make_status_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<StatusOptions>();
  CLI::App* status = root.add_subcommand("status", "Ask the running daemon (mulenet run) what it sees");
  add_global_options(*status, g);
  status->add_option("--status-port", o->status_port, "the daemon's status port (default [mulenet] StatusPort, 4715)")
      ->check(CLI::Range(1u, 65535u));
  status->footer(
      "Prints the daemon's status: each port (verified-open: a peer outside reached it; mapped: the router\n"
      "forwards it; degraded, closed, unknown) with its evidence, the eD2k ID, Kad TCP/UDP, the router, the proxy.\n"
      "--json prints the status JSON of the daemon's GET /api/status (docs/EMBEDDING.md) plus \"exit_code\".\n"
      "Exit code: 0 every port mulenet forwards is mapped or verified open, and neither a Low ID nor a\n"
      "firewalled Kad verdict; 1 something is firewalled, closed or a Low ID; 2 the daemon is not running\n"
      "(or did not answer).");
  return {{status, [&g, o] { return run_status(g, *o); }}};
}

}  // namespace mulenet::cli
