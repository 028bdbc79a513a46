#include "proxy/routing.hpp"

#include <array>

#include <fmt/format.h>

namespace mulenet::proxy {
namespace {


// The Proxy page's table, before strict mode.
RouteDecision documented_route(TrafficKind kind, config::ProxyType type)
{
  const std::string name = config::display_name(type);
  switch (kind) {
    case TrafficKind::server_tcp:
    case TrafficKind::client_tcp:
      return {Route::via_proxy, fmt::format("TCP goes through any proxy type ({})", name)};
    case TrafficKind::server_udp:
    case TrafficKind::kad_udp:
      if (type == config::ProxyType::socks5) return {Route::via_proxy, "UDP goes through SOCKS5 (UDP ASSOCIATE)"};
      return {Route::direct, fmt::format("an {} proxy cannot carry UDP, so it goes out directly", name)};
    case TrafficKind::http_download:
      if (type == config::ProxyType::http) return {Route::via_proxy, "HTTP downloads go through an HTTP proxy"};
      return {Route::direct, fmt::format("HTTP downloads use only an HTTP proxy, not {}", name)};
    case TrafficKind::incoming:
      return {Route::direct, "incoming connections never go through a proxy (they need port forwarding)"};
    case TrafficKind::local_control:
      return {Route::direct, "EC goes straight to aMule on this host, as amulecmd does (it does not leave the host)"};
  }
  return {Route::direct, ""};
}

}  // namespace

bool stays_on_host(TrafficKind kind) { return kind == TrafficKind::incoming || kind == TrafficKind::local_control; }

RouteDecision route_for(TrafficKind kind, const ProxyMode& mode)
{
  if (!mode.type) return {Route::direct, "no proxy is enabled"};
  RouteDecision d = documented_route(kind, *mode.type);
  // Incoming connections and EC to this host do not leave it: strict mode leaves them alone.
  if (mode.strict && d.route == Route::direct && !stays_on_host(kind)) {
    return {Route::refused, "strict mode: " + d.reason + " -- so it is not sent at all"};
  }
  return d;
}

ProxyMode proxy_mode_from(const config::ProxySettings& settings)
{
  ProxyMode mode;
  if (settings.enabled) mode.type = settings.type;
  mode.strict = settings.strict;
  return mode;
}

std::span<const TrafficKind> all_traffic_kinds()
{
  static constexpr std::array kinds{TrafficKind::server_tcp, TrafficKind::client_tcp, TrafficKind::server_udp,
                                    TrafficKind::kad_udp,    TrafficKind::http_download, TrafficKind::incoming,
                                    TrafficKind::local_control};
  return kinds;
}

const char* to_string(TrafficKind kind)
{
  switch (kind) {
    case TrafficKind::server_tcp: return "server-tcp";
    case TrafficKind::client_tcp: return "client-tcp";
    case TrafficKind::server_udp: return "server-udp";
    case TrafficKind::kad_udp: return "kad-udp";
    case TrafficKind::http_download: return "http-download";
    case TrafficKind::incoming: return "incoming";
    case TrafficKind::local_control: return "local-control";
  }
  return "unknown";
}

const char* describe(TrafficKind kind)
{
  switch (kind) {
    case TrafficKind::server_tcp: return "TCP to eD2k servers";
    case TrafficKind::client_tcp: return "TCP to other eD2k clients";
    case TrafficKind::server_udp: return "UDP to eD2k servers";
    case TrafficKind::kad_udp: return "Kad and extended eMule UDP";
    case TrafficKind::http_download: return "auxiliary HTTP downloads (server.met, nodes.dat, IP filter)";
    case TrafficKind::incoming: return "incoming connections from other clients";
    case TrafficKind::local_control: return "EC to aMule on this host (mulenet amule status, the doctor)";
  }
  return "unknown";
}

const char* to_string(Route route)
{
  switch (route) {
    case Route::via_proxy: return "proxy";
    case Route::direct: return "direct";
    case Route::refused: return "refused";
  }
  return "unknown";
}

}  // namespace mulenet::proxy
