#pragma once
// The Status model: what the user sees about the node's reachability, as the
// Engine keeps it. Every field is measured or absent (std::nullopt, `null` in
// JSON): never a stale or made-up value. to_json(Status) is the status JSON
// of the daemon's API (docs/EMBEDDING.md spells it out field by field).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mulenet/export.hpp>

namespace mulenet {

// One port of the plan (the names of `mulenet ports`: ed2k-tcp, server-udp, kad-udp, ec-tcp, web-tcp).
enum class PortState {
  verified_open,  // an outside peer reached it
  mapped,         // the router says it forwards it, not yet verified from outside
  degraded,       // mapped, but at another external port or behind a second NAT (private/CGNAT WAN address)
  closed,         // an outside peer tried and failed
  unknown,        // not mapped by us and not tested (yet), or the router refused: see `evidence`
};
enum class Protocol { tcp, udp };
enum class MappingVia { upnp, natpmp, pcp };
enum class Ed2kState { high_id, low_id, connecting, disconnected };
enum class KadState { stopped, bootstrapping, connected };
enum class Reachability { open, firewalled, unknown };
enum class ProxyType { socks5, socks4, socks4a, http };

[[nodiscard]] MULENET_API std::string_view to_string(PortState state);  // "verified-open", ...
[[nodiscard]] MULENET_API std::string_view to_string(Protocol protocol);  // "tcp", "udp"
[[nodiscard]] MULENET_API std::string_view to_string(MappingVia via);  // "upnp", "natpmp", "pcp"
[[nodiscard]] MULENET_API std::string_view to_string(Ed2kState state);  // "high-id", ...
[[nodiscard]] MULENET_API std::string_view to_string(KadState state);  // "stopped", "bootstrapping", "connected"
[[nodiscard]] MULENET_API std::string_view to_string(Reachability r);  // "open", "firewalled", "unknown"
[[nodiscard]] MULENET_API std::string_view to_string(ProxyType type);  // "socks5", "socks4", "socks4a", "http"

struct PortStatus {
  std::string name;  // ed2k-tcp, server-udp, kad-udp, ec-tcp, web-tcp
  Protocol protocol = Protocol::tcp;
  std::uint16_t port = 0;
  PortState state = PortState::unknown;
  std::optional<std::uint16_t> external_port;  // as the router forwards it
  std::optional<MappingVia> via;               // how it was mapped
  std::string evidence;                        // why this state, in plain words, with its source
  // Why the router did not forward it, as a stable code ("conflict",
  // "not-authorized", "no-answer", ...); none while it is forwarded or not asked.
  std::optional<std::string> problem;
  // mulenet is asked to forward it: its UPnP toggle selects it and the
  // Engine maps ports. (The others are not ours to keep open.)
  bool selected = false;
};

struct RouterStatus {
  std::optional<std::string> gateway;      // the router's LAN address
  std::optional<std::string> external_ip;  // as the router reports it
  std::optional<MappingVia> via;           // the protocol our mappings use
  std::optional<bool> double_nat;          // the external address is private or CGNAT
};

struct Ed2kStatus {
  std::optional<Ed2kState> state;
  std::optional<std::uint32_t> id;
  std::optional<bool> high_id;
  std::optional<std::string> server;  // "ip:port"
  std::optional<std::string> server_name;  // as the server calls itself, when known
};

struct KadStatus {
  std::optional<KadState> state;
  std::optional<Reachability> tcp;
  std::optional<Reachability> udp;
  std::optional<std::uint16_t> external_udp_port;
  std::optional<bool> udp_remapped;  // the NAT changes our UDP source port
  std::optional<std::string> tcp_reason;  // why the TCP verdict is what it is (for unknown: what could not tell)
  std::optional<std::string> udp_reason;
  // Contacts in our node's routing table (aMule's Kad Info panel shows the
  // same), counted after each upkeep round; none before the first.
  std::optional<std::size_t> contacts;
};

struct ProxyStatus {
  ProxyType type = ProxyType::socks5;
  std::string host;
  std::uint16_t port = 0;
  bool strict = false;  // nothing that cannot go through the proxy leaves the host
};

struct Status {
  std::vector<PortStatus> ports;
  RouterStatus router;
  Ed2kStatus ed2k;
  KadStatus kad;
  std::optional<ProxyStatus> proxy;  // none configured
  std::optional<std::chrono::system_clock::time_point> updated_at;  // nothing measured yet
};

// The status JSON (one line, UTF-8). Field names and values: docs/EMBEDDING.md.
[[nodiscard]] MULENET_API std::string to_json(const Status& status);

}  // namespace mulenet
