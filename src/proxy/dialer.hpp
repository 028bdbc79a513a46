#pragma once
// The Dialer opens every outgoing TCP connection of the engine: directly, or
// through the configured proxy (SOCKS5, SOCKS4, SOCKS4a, HTTP CONNECT), as the
// routing table says for the kind of traffic, or not at all in strict mode.
// Each step is timed, so `mulenet proxy test` can show where time goes.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/proxy_error.hpp"
#include "proxy/proxy_spec.hpp"
#include "proxy/routing.hpp"
#include "proxy/target.hpp"

namespace mulenet::proxy {

struct DialTimeouts {
  std::chrono::milliseconds connect{10'000};    // TCP connect (to the proxy or the target)
  std::chrono::milliseconds handshake{10'000};  // the whole proxy handshake
};

struct DialStep {
  std::string name;  // "resolve proxy", "connect to proxy", "auth", "connect to target", ...
  bool ok = false;
  std::chrono::microseconds elapsed{0};
  std::string detail;
};

struct DialResult {
  std::error_code error;  // a ProxyErrc, or empty on success
  std::string detail;     // what exactly happened, for humans (never the password)
  std::optional<boost::asio::ip::tcp::socket> socket;
  std::vector<std::uint8_t> early_bytes;  // tunnel bytes that came with the proxy's reply
  std::vector<DialStep> steps;
  Route route = Route::direct;
  std::optional<std::uint16_t> refused_port;  // port-not-allowed: the target port the proxy's rules refuse

  [[nodiscard]] bool ok() const { return !error && socket.has_value(); }
};

class Dialer {
 public:
  Dialer(boost::asio::any_io_executor executor, std::optional<ProxySpec> proxy, bool strict,
         DialTimeouts timeouts = {});

  boost::asio::awaitable<DialResult> connect(Target target, TrafficKind kind = TrafficKind::client_tcp);

  [[nodiscard]] const std::optional<ProxySpec>& proxy() const { return proxy_; }
  [[nodiscard]] ProxyMode mode() const;
  [[nodiscard]] const DialTimeouts& timeouts() const { return timeouts_; }

  // The port the proxy is asked for when it refused another by its rules:
  // the one nearly every proxy allows (HTTPS).
  static constexpr std::uint16_t kPortProxiesAllow = 443;

 private:
  boost::asio::awaitable<DialResult> through_proxy(const Target& target, DialResult result, DialTimeouts timeouts);
  boost::asio::awaitable<void> tell_port_policy(const Target& target, DialResult& result);
  static void refused_by_port(const Target& target, DialResult& result, std::uint16_t proven_on);

  static constexpr std::size_t kMaxPortPolicies = 1024;
  // A proxy that refuses by rule answers at once; one still busy after this
  // long took the request (it is connecting to the target).
  static constexpr std::chrono::milliseconds kPortProbeWait{3000};
  boost::asio::any_io_executor executor_;
  std::optional<ProxySpec> proxy_;
  bool strict_ = false;
  DialTimeouts timeouts_;
  std::map<std::uint16_t, bool> port_policy_;  // refused port -> the proxy lets 443 through to the same host
  std::optional<std::uint16_t> first_refused_port_;  // the first port proven refused by the proxy's port rules
};

// The socket connected (and authenticated) to the proxy itself, before any
// command: the first half of every proxied connection, shared with UDP ASSOCIATE.
struct ProxyControl {
  std::error_code error;
  std::string detail;
  std::optional<boost::asio::ip::tcp::socket> socket;
  boost::asio::ip::tcp::endpoint proxy_endpoint;
};
boost::asio::awaitable<ProxyControl> connect_to_proxy(const ProxySpec& proxy, const DialTimeouts& timeouts,
                                                      std::vector<DialStep>& steps);
boost::asio::awaitable<ProxyControl> connect_and_authenticate_socks5(const ProxySpec& proxy,
                                                                     const DialTimeouts& timeouts,
                                                                     std::vector<DialStep>& steps);

}  // namespace mulenet::proxy
