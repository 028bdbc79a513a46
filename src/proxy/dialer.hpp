#pragma once
// The Dialer opens every outgoing TCP connection of the engine: directly, or
// through the configured proxy (SOCKS5, SOCKS4, SOCKS4a, HTTP CONNECT), as the
// routing table says for the kind of traffic, or not at all in strict mode.
// Each step is timed, so `mulenet proxy test` can show where time goes.
#include <chrono>
#include <cstdint>
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

 private:
  boost::asio::any_io_executor executor_;
  std::optional<ProxySpec> proxy_;
  bool strict_ = false;
  DialTimeouts timeouts_;
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
