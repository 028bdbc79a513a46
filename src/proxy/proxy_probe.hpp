#pragma once
// `mulenet proxy test` as a library function: reach the proxy, log in,
// CONNECT to an address and to a name, UDP ASSOCIATE and an echo round trip,
// each timed; then which eD2k/Kad traffic would use the proxy, go direct
// (and so leak the real address) or be refused in strict mode.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "proxy/dialer.hpp"

namespace mulenet::proxy {

struct ProbeRequest {
  ProxySpec proxy;
  std::optional<Target> tcp_target;  // --target
  std::optional<Target> udp_echo;    // --udp-echo
  bool strict = false;
  DialTimeouts timeouts;
  std::chrono::milliseconds udp_reply_timeout{5000};
};

struct ProbeCheck {
  std::string name;      // "reach proxy", "authenticate", "connect to address", ...
  bool ok = false;
  bool skipped = false;  // not applicable (e.g. no separate login for SOCKS4)
  std::chrono::microseconds elapsed{0};
  std::string detail;
  std::vector<DialStep> steps;  // the dialer's own steps, for --json
  std::error_code error;
};

struct ProbeRoute {
  TrafficKind kind;
  RouteDecision decision;
  bool leaks = false;  // goes out directly while a proxy is configured: reveals the real address
};

struct ProbeReport {
  std::vector<ProbeCheck> tcp;
  std::vector<ProbeCheck> udp;
  bool udp_requested = false;
  std::vector<ProbeRoute> routing;
  std::optional<ProbeCheck> first_failure;
  std::optional<std::uint16_t> refused_port;  // port-not-allowed: the target port the proxy's rules refuse

  [[nodiscard]] bool tcp_ok() const;
  [[nodiscard]] bool udp_ok() const;
  [[nodiscard]] bool all_ok() const { return tcp_ok() && (!udp_requested || udp_ok()); }
};

// `on_check` is told about each check as it finishes, for live progress.
boost::asio::awaitable<ProbeReport> probe_proxy(ProbeRequest request,
                                                std::function<void(const ProbeCheck&)> on_check);

[[nodiscard]] std::vector<ProbeRoute> routing_report(const ProxyMode& mode);

}  // namespace mulenet::proxy
