#include "proxy/proxy_probe.hpp"

#include <algorithm>
#include <functional>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "proxy/socks5_udp.hpp"

namespace mulenet::proxy {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::chrono::microseconds since(Clock::time_point t0)
{
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
}

std::string failure_text(const std::error_code& e, const std::string& detail)
{
  return detail.empty() ? e.message() : detail;
}

// A check made of one dial through the proxy.
asio::awaitable<ProbeCheck> dial_check(std::string name, Dialer& dialer, Target target,
                                       std::optional<std::uint16_t>& refused_port)
{
  const auto t0 = Clock::now();
  DialResult r = co_await dialer.connect(target, TrafficKind::client_tcp);
  ProbeCheck check{std::move(name), r.ok(), false, since(t0), r.ok() ? target.str() : failure_text(r.error, r.detail),
                   std::move(r.steps), r.error};
  if (r.refused_port) refused_port = r.refused_port;
  co_return check;
}

}  // namespace

bool ProbeReport::tcp_ok() const
{
  return std::all_of(tcp.begin(), tcp.end(), [](const ProbeCheck& c) { return c.ok || c.skipped; });
}

bool ProbeReport::udp_ok() const
{
  return udp_requested && std::all_of(udp.begin(), udp.end(), [](const ProbeCheck& c) { return c.ok || c.skipped; });
}

std::vector<ProbeRoute> routing_report(const ProxyMode& mode)
{
  std::vector<ProbeRoute> out;
  for (const TrafficKind kind : all_traffic_kinds()) {
    RouteDecision d = route_for(kind, mode);
    const bool leaks = mode.type && d.route == Route::direct && !stays_on_host(kind);
    out.push_back({kind, std::move(d), leaks});
  }
  return out;
}

asio::awaitable<ProbeReport> probe_proxy(ProbeRequest request, std::function<void(const ProbeCheck&)> on_check)
{
  ProbeReport report;
  auto record = [&](std::vector<ProbeCheck>& list, ProbeCheck check) {
    if (!check.ok && !check.skipped && !report.first_failure) report.first_failure = check;
    if (on_check) on_check(check);
    list.push_back(std::move(check));
  };
  const ProxySpec& proxy = request.proxy;

  // 1. Reachability, and for SOCKS5 the login, on a connection of its own.
  {
    std::vector<DialStep> steps;
    // (Not a ?: with co_await in both arms: GCC 12 miscompiles that.)
    ProxyControl control;
    if (proxy.type == config::ProxyType::socks5)
      control = co_await connect_and_authenticate_socks5(proxy, request.timeouts, steps);
    else
      control = co_await connect_to_proxy(proxy, request.timeouts, steps);
    // Split the steps: reaching (resolve + connect) and logging in.
    std::vector<DialStep> reach, auth;
    for (auto& s : steps) (s.name == "resolve proxy" || s.name == "connect to proxy" ? reach : auth).push_back(s);
    const bool reached = !reach.empty() && reach.back().ok && reach.back().name == "connect to proxy";
    std::chrono::microseconds reach_time{0}, auth_time{0};
    for (const auto& s : reach) reach_time += s.elapsed;
    for (const auto& s : auth) auth_time += s.elapsed;
    record(report.tcp, {"reach proxy", reached, false, reach_time,
                        reached ? reach.back().detail : failure_text(control.error, control.detail), reach,
                        reached ? std::error_code{} : control.error});
    if (proxy.type == config::ProxyType::socks5) {
      if (reached) {
        record(report.tcp, {"authenticate", !control.error, false, auth_time,
                            control.error ? failure_text(control.error, control.detail)
                                          : (auth.empty() ? "" : auth.back().detail),
                            auth, control.error});
      }
    } else {
      const char* how = proxy.type == config::ProxyType::http ? "HTTP sends Basic credentials with each CONNECT"
                                                                : "SOCKS4 sends the user ID with each CONNECT";
      record(report.tcp, {"authenticate", false, true, {}, how, {}, {}});
    }
    if (!reached || control.error) {
      report.routing = routing_report({proxy.type, request.strict});
      co_return report;
    }
  }

  // 2. CONNECT to an address and to a name.
  Dialer dialer(co_await asio::this_coro::executor, proxy, /*strict=*/false, request.timeouts);
  if (request.tcp_target) {
    const Target& target = *request.tcp_target;
    std::optional<Target> by_address, by_name;
    if (target.is_name()) {
      by_name = target;
      asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
      auto [ec, results] = co_await resolver.async_resolve(target.host_text(), std::to_string(target.port),
                                                           asio::as_tuple(asio::use_awaitable));
      for (const auto& entry : results) {
        if (!entry.endpoint().address().is_v4()) continue;
        by_address = make_target(entry.endpoint().address().to_string(), target.port);
        break;
      }
      if (!by_address) {
        record(report.tcp, {"connect to address", false, true, {},
                            fmt::format("{} does not resolve here; only the proxy resolves it", target.host_text()),
                            {}, {}});
      }
    } else {
      by_address = target;
      record(report.tcp, {"connect to name", false, true, {}, "--target is an address, not a name", {}, {}});
    }
    if (by_address)
      record(report.tcp, co_await dial_check("connect to address", dialer, *by_address, report.refused_port));
    if (by_name) {
      ProbeCheck check = co_await dial_check("connect to name", dialer, *by_name, report.refused_port);
      if (proxy.type == config::ProxyType::socks4 && check.ok) check.detail += " (resolved here: SOCKS4 sends no names)";
      record(report.tcp, std::move(check));
    }
  }

  // 3. UDP ASSOCIATE and an echo round trip.
  if (request.udp_echo) {
    report.udp_requested = true;
    const auto t0 = Clock::now();
    auto [association, opened] = co_await Socks5UdpAssociation::open(proxy, request.timeouts);
    ProbeCheck assoc{"udp associate", association != nullptr, false, since(t0),
                     association ? opened.steps.back().detail : failure_text(opened.error, opened.detail),
                     opened.steps, opened.error};
    record(report.udp, std::move(assoc));
    if (association) {
      std::vector<std::uint8_t> payload(32);
      std::random_device random;
      for (auto& b : payload) b = static_cast<std::uint8_t>(random());
      const auto t1 = Clock::now();
      const std::error_code sent = co_await association->send_to(*request.udp_echo, payload);
      std::optional<Socks5UdpAssociation::Received> echo;
      if (!sent) {
        // Other datagrams may arrive first; wait for ours, within the timeout.
        const auto deadline = Clock::now() + request.udp_reply_timeout;
        for (int i = 0; i < 64 && Clock::now() < deadline; ++i) {
          echo = co_await association->receive(
              std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
          if (!echo || echo->payload == payload) break;
        }
      }
      const bool ok = !sent && echo && echo->payload == payload;
      std::string detail;
      if (sent) detail = "sending through the relay failed: " + sent.message();
      else if (ok) detail = fmt::format("32 bytes from {} via relay {}:{}", echo->source.str(),
                                        association->relay().address().to_string(), association->relay().port());
      else if (!association->alive()) detail = "the proxy closed the UDP association";
      else detail = fmt::format("no echo from {} within {} ms ({} other datagrams dropped)", request.udp_echo->str(),
                                request.udp_reply_timeout.count(), association->dropped());
      record(report.udp, {"udp echo", ok, false, since(t1), detail, {},
                          ok ? std::error_code{} : make_error_code(ProxyErrc::target_unreachable)});
      association->close();
    }
  }
  report.routing = routing_report({proxy.type, request.strict});
  co_return report;
}

}  // namespace mulenet::proxy
