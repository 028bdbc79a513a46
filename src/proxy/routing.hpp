#pragma once
// Which traffic goes through the proxy: the table of aMule's Proxy page, in
// one function, plus mulenet's strict mode in which everything that would go
// direct is refused instead (nothing leaves the host but through the proxy).
#include <optional>
#include <span>
#include <string>

#include "config/settings.hpp"

namespace mulenet::proxy {

enum class TrafficKind {
  server_tcp,     // TCP to eD2k servers
  client_tcp,     // TCP to other eD2k clients (our downloads and uploads)
  server_udp,     // UDP to eD2k servers (TCP+3 socket)
  kad_udp,        // Kad and extended eMule UDP
  http_download,  // auxiliary HTTP downloads: server.met, nodes.dat, IP filter, version check
  incoming,       // connections other peers open to us
  local_control,  // EC to aMule on this host (amulecmd's way in): never through a proxy
};
enum class Route { via_proxy, direct, refused };

struct RouteDecision {
  Route route = Route::direct;
  std::string reason;  // one line: why, in the Proxy page's words
};

struct ProxyMode {
  std::optional<config::ProxyType> type;  // nullopt: no proxy enabled
  bool strict = false;
};

[[nodiscard]] RouteDecision route_for(TrafficKind kind, const ProxyMode& mode);
// Incoming connections, and EC to this host (the Dialer refuses local_control
// to another host in strict mode): no proxy could carry them, nothing leaks.
[[nodiscard]] bool stays_on_host(TrafficKind kind);
[[nodiscard]] ProxyMode proxy_mode_from(const config::ProxySettings& settings);

[[nodiscard]] std::span<const TrafficKind> all_traffic_kinds();
[[nodiscard]] const char* to_string(TrafficKind kind);  // "server-tcp", ...
[[nodiscard]] const char* describe(TrafficKind kind);   // "TCP to eD2k servers"
[[nodiscard]] const char* to_string(Route route);       // "proxy", "direct", "refused"

}  // namespace mulenet::proxy
