#include "ed2k/ed2k_check.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "proxy/proxy_spec.hpp"
#include "proxy/routing.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;

namespace {

struct Shared {
  Ed2kCheckOptions* options = nullptr;
  proxy::Dialer* dialer = nullptr;
  std::vector<ServerCheck>* results = nullptr;
  std::size_t next = 0;
};

void say(const Ed2kCheckOptions& o, const std::string& text)
{
  if (o.progress) o.progress(text);
}

asio::awaitable<void> login_worker(Shared* shared)
{
  Ed2kCheckOptions& o = *shared->options;
  // Bounded by the number of servers.
  while (shared->next < o.servers.size()) {
    const std::size_t i = shared->next++;
    const proxy::Target server = o.servers[i];
    say(o, "logging in to " + server.str());
    LoginRequest login;
    login.user_hash = o.user_hash;
    login.tcp_port = o.settings.tcp_port;
    login.nick = o.nick;
    LoginResult r = co_await login_to_server(*shared->dialer, server, login, o.login_timeout);
    if (r.id)
      say(o, fmt::format("{}: {} {}", server.str(), to_string(r.outcome()), r.id->id));
    else
      say(o, server.str() + ": " + r.error);
    (*shared->results)[i].login = std::move(r);
  }
}

// The Hellos our listener answers, by address, while the check lives (the
// servers' connect-backs among them). Empty when we do not listen.
ClientListener::Subscription subscribe_to_hellos(Ed2kServices& services, Ed2kCheckReport& report)
{
  if (!services.listener) return {};
  report.listening = true;
  return services.listener->subscribe_hellos([&report](const IncomingHello& h) {
    if (report.hellos_from.size() < 256) report.hellos_from.push_back(h.peer_ip);
  });
}

// Every server, at most two at a time as aMule does.
asio::awaitable<void> log_in_to_servers(Ed2kServices& services, Ed2kCheckOptions& options, Ed2kCheckReport& report)
{
  using namespace asio::experimental::awaitable_operators;
  report.servers.resize(options.servers.size());
  Shared shared{&options, services.dialer.get(), &report.servers, 0};
  if (options.parallel >= 2 && options.servers.size() >= 2) {
    co_await (login_worker(&shared) && login_worker(&shared));
  } else {
    co_await login_worker(&shared);
  }
}

// A server connected back when a Hello from its address reached our listener.
void match_connect_backs(Ed2kCheckReport& report)
{
  for (ServerCheck& s : report.servers) {
    const auto* ip = std::get_if<proxy::Ipv4>(&s.login.server.host);
    if (ip) {
      const std::string text = fmt::format("{}.{}.{}.{}", (*ip)[0], (*ip)[1], (*ip)[2], (*ip)[3]);
      for (const std::string& from : report.hellos_from)
        if (from == text) s.connect_back_seen = true;
    }
  }
}

// The UDP status ping to each server we logged in to (by address), the way
// the Proxy page routes server UDP.
asio::awaitable<void> ping_servers_udp(const Ed2kCheckOptions& options, Ed2kCheckReport& report)
{
  const auto spec = proxy::proxy_from_settings(options.settings.proxy);
  const proxy::RouteDecision route =
      proxy::route_for(proxy::TrafficKind::server_udp, proxy::proxy_mode_from(options.settings.proxy));
  for (ServerCheck& s : report.servers) {
    const auto* ip = std::get_if<proxy::Ipv4>(&s.login.server.host);
    if (!s.login.id || !ip) continue;  // only servers we logged in to, by address
    say(options, "UDP status ping to " + s.login.server.str());
    UdpPingOptions ping;
    ping.server_ip = *ip;
    ping.server_tcp_port = s.login.server.port;
    ping.local_port = static_cast<std::uint16_t>(options.settings.server_udp_port() & 0xFFFF);
    ping.route = route.route;
    ping.proxy = spec;
    s.udp = co_await ping_server_udp(ping);
  }
}

}  // namespace

asio::awaitable<Ed2kCheckReport> check_ed2k(Ed2kServices& services, Ed2kCheckOptions options)
{
  Ed2kCheckReport report;
  report.listen_error = services.listen_error;
  report.listen_code = services.listen_code;
  const ClientListener::Subscription hellos = subscribe_to_hellos(services, report);
  co_await log_in_to_servers(services, options, report);
  match_connect_backs(report);
  if (options.udp_ping) co_await ping_servers_udp(options, report);
  if (services.listener) report.listener = services.listener->counters();
  co_return report;
}

asio::awaitable<Ed2kCheckReport> check_ed2k(Ed2kCheckOptions options)
{
  const auto executor = co_await asio::this_coro::executor;
  Ed2kServices services = open_ed2k_services(
      executor, options.settings, identity_from(options.settings, options.user_hash, options.nick), options.listen);
  Ed2kCheckReport report = co_await check_ed2k(services, std::move(options));
  stop_ed2k_services(services);
  co_return report;
}

}  // namespace mulenet::ed2k
