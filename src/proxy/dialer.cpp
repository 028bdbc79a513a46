#include "proxy/dialer.hpp"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "net/use_tuple.hpp"
#include "net/with_timeout.hpp"
#include "proxy/http_connect_codec.hpp"
#include "proxy/socks4_codec.hpp"
#include "proxy/socks5_codec.hpp"

namespace mulenet::proxy {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using net::use_tuple;

// Times one step and records it, ok or not.
class Step {
 public:
  Step(std::vector<DialStep>& steps, std::string name) : steps_(steps), name_(std::move(name)), t0_(Clock::now()) {}
  void done(bool ok, std::string detail = {})
  {
    steps_.push_back({name_, ok,
                      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0_), std::move(detail)});
  }

 private:
  std::vector<DialStep>& steps_;
  std::string name_;
  Clock::time_point t0_;
};

struct Failure {
  std::error_code error;
  std::string detail;
};

// Bytes received from the proxy and not yet parsed. A reply parser looks at
// all of them; what it consumed is removed, the rest stays for the next one.
struct Inbox {
  Bytes bytes;
  void consume(std::size_t n) { bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)); }
};

// Reads until `parse` has a whole message (or fails), however the proxy
// segments it, never buffering more than `limit` bytes.
template <typename T, typename Parse>
asio::awaitable<Parsed<T>> read_message(tcp::socket& socket, Inbox& inbox, Parse parse, std::string_view what,
                                        std::size_t limit = 16 * 1024 + 512)
{
  for (;;) {
    Parsed<T> result = parse(std::span<const std::uint8_t>(inbox.bytes));
    if (result.status != ParseStatus::need_more) {
      if (result.status == ParseStatus::complete) inbox.consume(result.consumed);
      co_return result;
    }
    if (inbox.bytes.size() >= limit)
      co_return Parsed<T>::fail(ProxyErrc::protocol_violation, fmt::format("the {} is too long", what));
    std::uint8_t chunk[1024];
    const std::size_t room = std::min(sizeof chunk, limit - inbox.bytes.size());
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk, room), use_tuple);
    if (ec) {
      co_return Parsed<T>::fail(ProxyErrc::proxy_closed,
                                ec == asio::error::eof
                                    ? fmt::format("the proxy closed the connection before sending the {}", what)
                                    : fmt::format("reading the {}: {}", what, ec.message()));
    }
    inbox.bytes.insert(inbox.bytes.end(), chunk, chunk + n);
  }
}

asio::awaitable<std::optional<Failure>> send(tcp::socket& socket, const Bytes& bytes, std::string_view what)
{
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
  if (ec) co_return Failure{ProxyErrc::proxy_closed, fmt::format("sending the {}: {}", what, ec.message())};
  co_return std::nullopt;
}

struct Resolved {
  boost::system::error_code error;
  std::vector<tcp::endpoint> endpoints;
};

asio::awaitable<Resolved> resolve(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                                  bool ipv4_only = false)
{
  // An address needs no lookup (Asio's resolver would run it on a thread of its own).
  boost::system::error_code literal_ec;
  const auto literal = asio::ip::make_address(host, literal_ec);
  if (!literal_ec) {
    if (ipv4_only && !literal.is_v4()) co_return Resolved{asio::error::host_not_found, {}};
    co_return Resolved{{}, {tcp::endpoint(literal, port)}};
  }
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto op = [&]() -> asio::awaitable<std::tuple<boost::system::error_code, tcp::resolver::results_type>> {
    co_return co_await resolver.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service,
                                              use_tuple);
  };
  auto result = co_await net::with_timeout(op(), timeout);
  if (!result) co_return Resolved{asio::error::timed_out, {}};
  auto& [ec, results] = *result;
  if (ec) co_return Resolved{ec, {}};
  Resolved out;
  for (const auto& entry : results)
    if (!ipv4_only || entry.endpoint().address().is_v4()) out.endpoints.push_back(entry.endpoint());
  if (out.endpoints.empty()) out.error = asio::error::host_not_found;
  co_return out;
}

struct Connected {
  boost::system::error_code error;
  std::optional<tcp::socket> socket;
  tcp::endpoint endpoint;
};

asio::awaitable<Connected> connect_tcp(const std::vector<tcp::endpoint>& endpoints,
                                       std::chrono::milliseconds timeout)
{
  tcp::socket socket(co_await asio::this_coro::executor);
  auto op = [&]() -> asio::awaitable<std::tuple<boost::system::error_code, tcp::endpoint>> {
    co_return co_await asio::async_connect(socket, endpoints, use_tuple);
  };
  auto result = co_await net::with_timeout(op(), timeout);
  if (!result) co_return Connected{asio::error::timed_out, std::nullopt, {}};
  auto [ec, endpoint] = *result;
  if (ec) co_return Connected{ec, std::nullopt, {}};
  socket.set_option(tcp::no_delay(true));
  co_return Connected{{}, std::move(socket), endpoint};
}

std::string endpoint_text(const tcp::endpoint& e)
{
  const auto a = e.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(e.port());
}

}  // namespace

// Reaches the proxy itself: resolve its name, connect. Errors name the proxy.
asio::awaitable<ProxyControl> connect_to_proxy(const ProxySpec& proxy, const DialTimeouts& t,
                                               std::vector<DialStep>& steps)
{
  ProxyControl out;
  Step resolving(steps, "resolve proxy");
  const Resolved r = co_await resolve(proxy.host, proxy.port, t.connect);
  if (r.error) {
    resolving.done(false, r.error.message());
    out.error = ProxyErrc::proxy_name_unresolved;
    out.detail = fmt::format("cannot resolve the proxy host {}: {}", proxy.host, r.error.message());
    co_return out;
  }
  resolving.done(true, endpoint_text(r.endpoints.front()));
  Step connecting(steps, "connect to proxy");
  Connected c = co_await connect_tcp(r.endpoints, t.connect);
  if (c.error) {
    connecting.done(false, c.error.message());
    out.error = c.error == asio::error::timed_out ? ProxyErrc::proxy_timeout : ProxyErrc::proxy_unreachable;
    out.detail = c.error == asio::error::timed_out
                     ? fmt::format("no answer from the proxy {}:{} within {} ms", proxy.host, proxy.port,
                                   t.connect.count())
                     : fmt::format("cannot connect to the proxy {}:{}: {}", proxy.host, proxy.port, c.error.message());
    co_return out;
  }
  connecting.done(true, endpoint_text(c.endpoint));
  out.socket = std::move(c.socket);
  out.proxy_endpoint = c.endpoint;
  co_return out;
}

namespace {

// SOCKS5 greeting and, when we have credentials, the RFC 1929 login.
asio::awaitable<std::optional<Failure>> socks5_authenticate(tcp::socket& s, Inbox& inbox, const ProxySpec& proxy,
                                                            std::vector<DialStep>& steps)
{
  const bool have_login = proxy.user.has_value();
  Step greeting(steps, "auth method");
  if (auto f = co_await send(s, socks5::encode_greeting(have_login), "SOCKS5 greeting")) {
    greeting.done(false, f->detail);
    co_return f;
  }
  auto method = co_await read_message<std::uint8_t>(
      s, inbox, [&](auto in) { return socks5::parse_method_reply(in, have_login); }, "SOCKS5 method reply");
  if (method.status == ParseStatus::failed) {
    greeting.done(false, method.detail);
    co_return Failure{method.error, method.detail};
  }
  greeting.done(true, method.value == socks5::kMethodUserPass ? "username/password" : "no authentication");
  if (method.value != socks5::kMethodUserPass) co_return std::nullopt;

  Step login(steps, "auth");
  const auto request = socks5::encode_login(*proxy.user, proxy.password.value_or(""));
  if (!request) {
    login.done(false, "user name or password longer than 255 bytes");
    co_return Failure{ProxyErrc::auth_failed, "the SOCKS5 user name and password are each limited to 255 bytes"};
  }
  if (auto f = co_await send(s, *request, "SOCKS5 login")) {
    login.done(false, f->detail);
    co_return f;
  }
  auto reply = co_await read_message<bool>(
      s, inbox, [](auto in) { return socks5::parse_login_reply(in); }, "SOCKS5 login reply");
  if (reply.status == ParseStatus::failed) {
    // Some servers hang up instead of answering "rejected".
    const bool hung_up = reply.error == ProxyErrc::proxy_closed;
    login.done(false, reply.detail);
    co_return Failure{hung_up ? ProxyErrc::auth_failed : reply.error,
                      hung_up ? "the proxy closed the connection after the login: user name or password rejected"
                              : fmt::format("user '{}': {}", *proxy.user, reply.detail)};
  }
  login.done(true, fmt::format("user '{}'", *proxy.user));
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> socks5_connect(tcp::socket& s, Inbox& inbox, const ProxySpec& proxy,
                                                       const Target& target, std::vector<DialStep>& steps)
{
  if (auto f = co_await socks5_authenticate(s, inbox, proxy, steps)) co_return f;
  Step step(steps, "connect to target");
  if (auto f = co_await send(s, socks5::encode_request(socks5::Command::connect, target), "SOCKS5 CONNECT")) {
    step.done(false, f->detail);
    co_return f;
  }
  auto reply = co_await read_message<socks5::Reply>(
      s, inbox, [](auto in) { return socks5::parse_reply(in, socks5::Command::connect); }, "SOCKS5 reply");
  if (reply.status == ParseStatus::failed) {
    step.done(false, reply.detail);
    co_return Failure{reply.error, fmt::format("{}: {}", target.str(), reply.detail)};
  }
  step.done(true, fmt::format("{} (proxy bound {})", target.str(), reply.value.bound.str()));
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> socks4_connect(tcp::socket& s, Inbox& inbox, const ProxySpec& proxy,
                                                       const Target& target, const DialTimeouts& t,
                                                       std::vector<DialStep>& steps)
{
  const std::string user_id = proxy.user.value_or("");  // SOCKS4 has no password field
  std::optional<Bytes> request;
  if (proxy.type == config::ProxyType::socks4a && target.is_name()) {
    request = socks4::encode_connect_4a(target.host_text(), target.port, user_id);
  } else if (const auto* v4 = std::get_if<Ipv4>(&target.host)) {
    request = socks4::encode_connect(*v4, target.port, user_id);
  } else if (target.is_name()) {
    // Plain SOCKS4 carries only IPv4 addresses: resolve the name here.
    Step resolving(steps, "resolve target");
    const Resolved r = co_await resolve(target.host_text(), target.port, t.connect, true);
    if (r.error) {
      resolving.done(false, r.error.message());
      co_return Failure{ProxyErrc::target_unreachable,
                        fmt::format("cannot resolve {} to an IPv4 address for SOCKS4: {}", target.host_text(),
                                    r.error.message())};
    }
    resolving.done(true, r.endpoints.front().address().to_string());
    const auto bytes = r.endpoints.front().address().to_v4().to_bytes();
    request = socks4::encode_connect(Ipv4{bytes[0], bytes[1], bytes[2], bytes[3]}, target.port, user_id);
  }
  Step step(steps, "connect to target");
  if (!request) {
    step.done(false, "SOCKS4 carries only IPv4 addresses (and SOCKS4a names)");
    co_return Failure{ProxyErrc::address_type_not_supported,
                      fmt::format("{}: SOCKS4 carries only IPv4 addresses, SOCKS4a also host names", target.str())};
  }
  if (auto f = co_await send(s, *request, "SOCKS4 CONNECT")) {
    step.done(false, f->detail);
    co_return f;
  }
  auto reply = co_await read_message<bool>(
      s, inbox, [](auto in) { return socks4::parse_reply(in); }, "SOCKS4 reply");
  if (reply.status == ParseStatus::failed) {
    step.done(false, reply.detail);
    co_return Failure{reply.error, fmt::format("{}: {}", target.str(), reply.detail)};
  }
  step.done(true, target.str());
  co_return std::nullopt;
}

asio::awaitable<std::optional<Failure>> http_connect_to(tcp::socket& s, Inbox& inbox, const ProxySpec& proxy,
                                                        const Target& target, std::vector<DialStep>& steps)
{
  std::optional<http_connect::Credentials> credentials;
  if (proxy.user) credentials = http_connect::Credentials{*proxy.user, proxy.password.value_or("")};
  Step step(steps, "connect to target");
  const auto request = http_connect::encode_request(target, credentials);
  if (!request) {
    step.done(false, "line breaks in the target or credentials");
    co_return Failure{ProxyErrc::auth_failed, "the user name or password contains a line break or NUL"};
  }
  if (auto f = co_await send(s, *request, "HTTP CONNECT")) {
    step.done(false, f->detail);
    co_return f;
  }
  auto reply = co_await read_message<http_connect::Reply>(
      s, inbox, [&](auto in) { return http_connect::parse_reply(in, credentials.has_value()); },
      "HTTP CONNECT reply");
  if (reply.status == ParseStatus::failed) {
    step.done(false, reply.detail);
    co_return Failure{reply.error, fmt::format("{}: {}", target.str(), reply.detail)};
  }
  step.done(true, fmt::format("{} (HTTP {})", target.str(), reply.value.status));
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<ProxyControl> connect_and_authenticate_socks5(const ProxySpec& proxy, const DialTimeouts& timeouts,
                                                              std::vector<DialStep>& steps)
{
  ProxyControl control = co_await connect_to_proxy(proxy, timeouts, steps);
  if (control.error) co_return control;
  Inbox inbox;
  auto auth = co_await net::with_timeout(socks5_authenticate(*control.socket, inbox, proxy, steps),
                                         timeouts.handshake);
  const std::optional<Failure> failure =
      !auth ? std::optional<Failure>(Failure{ProxyErrc::proxy_timeout,
                                             fmt::format("the proxy did not finish the login within {} ms",
                                                         timeouts.handshake.count())})
            : *auth;
  if (failure) {
    control.error = failure->error;
    control.detail = failure->detail;
    control.socket.reset();
  }
  co_return control;
}

Dialer::Dialer(asio::any_io_executor executor, std::optional<ProxySpec> proxy, bool strict, DialTimeouts timeouts)
    : executor_(std::move(executor)), proxy_(std::move(proxy)), strict_(strict), timeouts_(timeouts)
{
}

ProxyMode Dialer::mode() const
{
  ProxyMode m;
  if (proxy_) m.type = proxy_->type;
  m.strict = strict_;
  return m;
}

asio::awaitable<DialResult> Dialer::connect(Target target, TrafficKind kind)
{
  DialResult result;
  const RouteDecision decision = route_for(kind, mode());
  result.route = decision.route;
  if (decision.route == Route::refused) {
    result.error = ProxyErrc::refused_by_strict_mode;
    result.detail = decision.reason;
    co_return result;
  }
  if (kind == TrafficKind::local_control && strict_ && !is_loopback(target)) {
    result.route = Route::refused;
    result.error = ProxyErrc::refused_by_strict_mode;
    result.detail = fmt::format("strict mode: EC goes only to this host (loopback), not to {}", target.str());
    co_return result;
  }
  if (decision.route == Route::direct) {
    Step resolving(result.steps, "resolve target");
    const Resolved r = co_await resolve(target.host_text(), target.port, timeouts_.connect);
    if (r.error) {
      resolving.done(false, r.error.message());
      result.error = ProxyErrc::target_unreachable;
      result.detail = fmt::format("cannot resolve {}: {}", target.host_text(), r.error.message());
      co_return result;
    }
    resolving.done(true, endpoint_text(r.endpoints.front()));
    Step connecting(result.steps, "connect to target");
    Connected c = co_await connect_tcp(r.endpoints, timeouts_.connect);
    if (c.error) {
      connecting.done(false, c.error.message());
      result.error = c.error == asio::error::connection_refused ? ProxyErrc::target_refused
                                                                 : ProxyErrc::target_unreachable;
      result.detail = fmt::format("{}: {}", target.str(), c.error.message());
      co_return result;
    }
    connecting.done(true, endpoint_text(c.endpoint));
    result.socket = std::move(c.socket);
    co_return result;
  }

  DialResult proxied = co_await through_proxy(target, std::move(result), timeouts_);
  if (proxied.error == ProxyErrc::not_allowed) co_await tell_port_policy(target, proxied);
  co_return proxied;
}

asio::awaitable<DialResult> Dialer::through_proxy(const Target& target, DialResult result, DialTimeouts timeouts)
{
  ProxyControl control = co_await connect_to_proxy(*proxy_, timeouts, result.steps);
  if (control.error) {
    result.error = control.error;
    result.detail = control.detail;
    co_return result;
  }
  tcp::socket& s = *control.socket;
  Inbox inbox;
  auto handshake = [&]() -> asio::awaitable<std::optional<Failure>> {
    switch (proxy_->type) {
      case config::ProxyType::socks5: co_return co_await socks5_connect(s, inbox, *proxy_, target, result.steps);
      case config::ProxyType::socks4:
      case config::ProxyType::socks4a:
        co_return co_await socks4_connect(s, inbox, *proxy_, target, timeouts, result.steps);
      case config::ProxyType::http: co_return co_await http_connect_to(s, inbox, *proxy_, target, result.steps);
    }
    co_return Failure{ProxyErrc::protocol_violation, "unknown proxy type"};
  };
  auto outcome = co_await net::with_timeout(handshake(), timeouts.handshake);
  if (!outcome) {
    result.error = ProxyErrc::proxy_timeout;
    result.detail = fmt::format("the proxy {} did not finish the handshake within {} ms", proxy_->redacted_url(),
                                timeouts.handshake.count());
    co_return result;
  }
  if (*outcome) {
    result.error = (*outcome)->error;
    result.detail = (*outcome)->detail;
    co_return result;
  }
  result.early_bytes = std::move(inbox.bytes);
  result.socket = std::move(control.socket);
  co_return result;
}

// A refusal by the proxy's rules (HTTP 403, SOCKS5 "not allowed by
// ruleset") may be about the port only: most HTTP proxies allow CONNECT to
// 443 alone (Debian's squid: `http_access deny CONNECT !SSL_ports`). So the
// same host is asked at 443: when the proxy lets that through, or at least
// tries it (the target refuses or cannot be reached), the refusal was the
// port's. What a port showed is remembered: a client dials many peers.
asio::awaitable<void> Dialer::tell_port_policy(const Target& target, DialResult& result)
{
  if (target.port == kPortProxiesAllow) co_return;
  Step step(result.steps, "port policy");
  auto known = port_policy_.find(target.port);
  if (known == port_policy_.end() && first_refused_port_) {
    // Proven once: this proxy filters by port; no probe per peer's port.
    step.done(true, fmt::format("as port {}, which it refused while letting port {} through", *first_refused_port_,
                                kPortProxiesAllow));
    refused_by_port(target, result, *first_refused_port_);
    co_return;
  }
  if (known == port_policy_.end()) {
    Target other = target;
    other.port = kPortProxiesAllow;
    DialTimeouts quick = timeouts_;
    quick.handshake = std::min(quick.handshake, kPortProbeWait);
    DialResult blank;  // named: a temporary inside co_await is miscompiled by GCC 12
    const DialResult probe = co_await through_proxy(other, std::move(blank), quick);
    // Let through, or taken and still being tried (the target refuses, is
    // unreachable, or has not answered yet): not refused by the rules.
    const bool taken = probe.ok() || probe.error == ProxyErrc::target_refused ||
                       probe.error == ProxyErrc::target_unreachable || probe.error == ProxyErrc::proxy_timeout;
    if (port_policy_.size() >= kMaxPortPolicies) port_policy_.clear();
    known = port_policy_.emplace(target.port, taken).first;
    if (taken && !first_refused_port_) first_refused_port_ = target.port;
  }
  if (!known->second) {
    step.done(false, fmt::format("port {} is refused as well: the rules are not about the port", kPortProxiesAllow));
    co_return;
  }
  step.done(true, fmt::format("port {} is let through, port {} is not", kPortProxiesAllow, target.port));
  refused_by_port(target, result, target.port);
}

void Dialer::refused_by_port(const Target& target, DialResult& result, std::uint16_t proven_on)
{
  result.error = ProxyErrc::port_not_allowed;
  result.refused_port = target.port;
  result.detail = proven_on == target.port
                      ? fmt::format("{}; the proxy lets CONNECT to port {} through but not to port {}: its rules "
                                    "allow only some ports",
                                    result.detail, kPortProxiesAllow, target.port)
                      : fmt::format("{}; the proxy refuses ports by its rules (it let port {} through where it "
                                    "refused port {})",
                                    result.detail, kPortProxiesAllow, proven_on);
}

}  // namespace mulenet::proxy
