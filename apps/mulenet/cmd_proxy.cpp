// mulenet proxy test [URL]: does the proxy work, step by step, and what leaks.
#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "command.hpp"
#include "engine/run_services.hpp"
#include "config/load_settings.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "proxy/proxy_probe.hpp"

namespace mulenet::cli {
namespace {

struct ProxyTestOptions {
  std::string url;
  std::string target;
  std::string udp_echo;
  bool strict = false;
  int timeout_ms = 10000;
};

double ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

boost::json::object check_json(const proxy::ProbeCheck& c)
{
  boost::json::array steps;
  for (const auto& s : c.steps)
    steps.push_back({{"name", s.name}, {"ok", s.ok}, {"ms", ms(s.elapsed)}, {"detail", s.detail}});
  boost::json::object o{{"name", c.name}, {"ok", c.ok}, {"skipped", c.skipped}, {"ms", ms(c.elapsed)},
                        {"detail", c.detail}, {"steps", steps}};
  if (c.error && c.error.category() == proxy::proxy_category())
    o["code"] = std::string(proxy::code_name(static_cast<proxy::ProxyErrc>(c.error.value())));
  return o;
}

void print_check(const proxy::ProbeCheck& c)
{
  const char* mark = c.skipped ? "skip" : c.ok ? "ok" : "FAIL";
  std::cout << fmt::format("  {:<4} {:<20} {:>9}  {}\n", mark, c.name,
                           c.skipped ? "" : fmt::format("{:.1f} ms", ms(c.elapsed)), c.detail);
}

std::string code_of(const std::error_code& e)
{
  if (e.category() == proxy::proxy_category())
    return std::string(proxy::code_name(static_cast<proxy::ProxyErrc>(e.value())));
  return "system";
}

std::string fix_of(const std::error_code& e)
{
  if (e.category() == proxy::proxy_category())
    return std::string(proxy::fix_for(static_cast<proxy::ProxyErrc>(e.value())));
  return "";
}

int run_proxy_test(const GlobalOptions& g, const ProxyTestOptions& o)
{
  proxy::ProbeRequest request;
  request.strict = o.strict;
  request.timeouts = {std::chrono::milliseconds(o.timeout_ms), std::chrono::milliseconds(o.timeout_ms)};
  request.udp_reply_timeout = std::chrono::milliseconds(std::min(o.timeout_ms, 5000));
  if (!o.url.empty()) {
    std::string error;
    auto spec = proxy::parse_proxy_url(o.url, error);
    if (!spec) {
      report_error(g, "bad-url", "bad proxy URL: " + error);
      return kExitUsage;
    }
    request.proxy = *spec;
  } else {
    int failed = kExitOk;
    const auto loaded_settings = load_valid_settings(g, failed);
    if (!loaded_settings) return failed;
    const config::Settings& settings = *loaded_settings;
    auto spec = proxy::proxy_from_settings(settings.proxy);
    if (!spec) {
      report_error(g, "no-proxy",
                   fmt::format("no proxy is enabled in {}; give a URL (mulenet proxy test socks5://host:1080) or "
                               "set /Proxy/ProxyEnableProxy=1",
                               config_path(g).string()));
      return kExitConfigInvalid;
    }
    request.proxy = *spec;
    request.strict = request.strict || settings.proxy.strict;
  }
  for (auto [text, slot, flag] : {std::tuple{&o.target, &request.tcp_target, "--target"},
                                  std::tuple{&o.udp_echo, &request.udp_echo, "--udp-echo"}}) {
    if (text->empty()) continue;
    *slot = proxy::parse_target(*text);
    if (!*slot) {
      report_error(g, "bad-target", fmt::format("{} must be HOST:PORT (IPv6 as [ADDR]:PORT), not '{}'", flag, *text));
      return kExitUsage;
    }
  }

  if (!g.json) {
    std::cout << fmt::format("Testing {} proxy {}{}\n", proxy::scheme_of(request.proxy.type),
                             request.proxy.redacted_url(), request.strict ? " (strict mode)" : "");
  }
  proxy::ProbeReport report;
  auto on_check = [&g](const proxy::ProbeCheck& c) {
    if (!g.json) print_check(c);
  };
  net::run_to_end(g.io(), [&]() -> boost::asio::awaitable<void> { report = co_await proxy::probe_proxy(request, on_check); });

  const int code = report.all_ok() ? kExitOk : kExitProblems;
  if (g.json) {
    boost::json::array tcp, udp, routing;
    for (const auto& c : report.tcp) tcp.push_back(check_json(c));
    for (const auto& c : report.udp) udp.push_back(check_json(c));
    for (const auto& r : report.routing) {
      routing.push_back({{"traffic", proxy::to_string(r.kind)}, {"description", proxy::describe(r.kind)},
                         {"route", proxy::to_string(r.decision.route)}, {"reason", r.decision.reason},
                         {"leaks", r.leaks}});
    }
    boost::json::value error = nullptr;
    if (report.first_failure) {
      const auto& f = *report.first_failure;
      boost::json::object e{{"code", code_of(f.error)}, {"message", f.error.message()},
                            {"detail", f.detail}, {"fix", fix_of(f.error)}, {"step", f.name}};
      if (report.refused_port) e["refused_ports"] = boost::json::array{*report.refused_port};
      error = std::move(e);
    }
    boost::json::value udp_ok = nullptr;
    if (report.udp_requested) udp_ok = report.udp_ok();
    print_json(boost::json::object{
        {"proxy", {{"type", proxy::scheme_of(request.proxy.type)}, {"host", request.proxy.host},
                   {"port", request.proxy.port}}},
        {"strict", request.strict},
        {"tcp", {{"ok", report.tcp_ok()}, {"checks", tcp}}},
        {"udp", {{"ok", udp_ok}, {"requested", report.udp_requested}, {"checks", udp}}},
        {"error", error},
        {"routing", routing},
        {"exit_code", code}});
    return code;
  }
  if (report.first_failure) {
    const auto& f = *report.first_failure;
    std::cout << fmt::format("\nFailed at '{}': {} [{}]\n  fix: {}\n", f.name, f.error.message(), code_of(f.error),
                             fix_of(f.error));
  }
  std::cout << "\nWhat eD2k/Kad traffic does with this proxy" << (request.strict ? " (strict mode)" : "") << ":\n";
  for (const auto& r : report.routing) {
    std::cout << fmt::format("  {:<8} {:<60} {}{}\n", proxy::to_string(r.decision.route), proxy::describe(r.kind),
                             r.leaks ? "LEAKS your address: " : "", r.decision.reason);
  }
  return code;
}

}  // namespace

std::vector<Command> make_proxy_commands(CLI::App& root, GlobalOptions& g)
{
  auto o = std::make_shared<ProxyTestOptions>();
  CLI::App* proxy = root.add_subcommand("proxy", "Check the proxy that outgoing connections go through");
  proxy->require_subcommand(1);
  add_global_options(*proxy, g);
  CLI::App* test = proxy->add_subcommand("test", "Test a proxy step by step and show what would leak around it");
  add_global_options(*test, g);
  test->add_option("URL", o->url,
                   "socks5://[user:pass@]host:port, socks4://[user@]host:port, socks4a://..., "
                   "http://[user:pass@]host:port (default: the proxy of amule.conf)");
  test->add_option("--target", o->target, "a TCP service to reach through the proxy, HOST:PORT")->type_name("HOST:PORT");
  test->add_option("--udp-echo", o->udp_echo, "a UDP echo service to reach through UDP ASSOCIATE (SOCKS5)")
      ->type_name("HOST:PORT");
  test->add_flag("--strict", o->strict, "show routing in strict mode: nothing goes direct");
  test->add_option("--timeout", o->timeout_ms, "time limit of each connect and handshake, in ms (default 10000)")
      ->check(CLI::Range(100, 120000));
  test->footer(
      "Steps: reach the proxy, log in (SOCKS5), CONNECT to an address and to a name (with --target),\n"
      "UDP ASSOCIATE and an echo round trip (with --udp-echo), each with its time; then which eD2k/Kad\n"
      "traffic uses the proxy, goes direct (revealing your address) or is refused in strict mode.\n"
      "Passwords are never printed.\n\n"
      "Exit code: 0 when every requested step worked, 2 when one failed, 3 no proxy configured, 64 bad URL.\n"
      "Examples:\n"
      "  mulenet proxy test\n"
      "  mulenet proxy test socks5://user:pass@proxy.example:1080 --target example.org:80 --udp-echo 198.51.100.7:7\n"
      "  mulenet proxy test http://proxy.example:3128 --strict --json");
  return {{test, [&g, o] { return run_proxy_test(g, *o); }}};
}

}  // namespace mulenet::cli
