#pragma once
// Events: what changed, as it happens. The Engine delivers each one to the
// handler given to Engine::on_event (threading: docs/EMBEDDING.md). Every
// event is also folded into the Status, so a client that misses one loses
// nothing: Engine::status() has the result.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <mulenet/export.hpp>
#include <mulenet/status.hpp>

namespace mulenet {

struct EngineStarted {
  std::string config_path;
};
// A port's state changed: mapped, lost and put back, refused by the router, ...
struct PortChanged {
  PortStatus port;
  std::optional<PortState> previous;  // none: the first state of this port
};
// The router's external address changed (or became known).
struct ExternalAddressChanged {
  std::optional<std::string> previous;
  std::string current;
  bool double_nat = false;
};
// The router lost its mappings (it restarted: the PCP/NAT-PMP epoch went back);
// the Engine has asked for them again.
struct RouterRestarted {
  std::string detail;
};
// This host's addresses or routes changed (a new LAN address, another
// gateway): the Engine finds the router again, maps there, checks again.
struct NetworkChanged {
  std::string detail;
};
// Kad's UDP through the SOCKS5 proxy: the proxy ended the association
// ("down", made again after `retry_in_ms`), or it is made again ("up", with
// the new relay: peers see another port, so Kad is checked again).
struct UdpRelayChanged {
  std::string state;   // "down" or "up"
  std::string relay;   // "address:port" when up
  std::string detail;  // why it went down (never a password)
  std::optional<std::int64_t> retry_in_ms;
};
// Nothing could be mapped (no router, none of PCP/NAT-PMP/UPnP answers,
// UPnP off in amule.conf): the reason and what to do.
struct RouterProblem {
  std::string message;
  std::string code;  // a stable name: "no-gateway", "no-protocol", "nothing-to-map", ...
};
struct Ed2kIdChanged {
  Ed2kStatus ed2k;
};
struct KadStatusChanged {
  KadStatus kad;
};
struct ProxyProblem {
  std::string code;     // a stable name: "auth-failed", ...
  std::string message;  // never the password
};
// A service could not run or a check could not be made: which, why, what to do.
struct ServiceProblem {
  std::string service;  // "kad", "ed2k", "listener"
  std::string message;
  std::string code;  // a stable name ("udp-port-unavailable", "no-nodes", "port-unavailable", ...), or empty
};
// stop() finished: what was removed from the router, and what was not.
struct EngineStopped {
  unsigned mappings_removed = 0;
  unsigned mappings_left = 0;  // > 0: the router did not answer; the journal keeps them for the next start
  std::string error;
  unsigned mappings_kept = 0;  // Engine::stop_keeping_mappings(): left in place for the next Engine
};

using Event = std::variant<EngineStarted, PortChanged, ExternalAddressChanged, RouterRestarted, RouterProblem,
                           Ed2kIdChanged, KadStatusChanged, ProxyProblem, ServiceProblem, EngineStopped,
                           NetworkChanged, UdpRelayChanged>;

// "engine-started", "port-changed", ...: the `event` field of to_json(Event).
[[nodiscard]] MULENET_API std::string_view event_name(const Event& event);
// One line for people: "tcp 4662 (ed2k-tcp): mapped via pcp at external port 4662".
[[nodiscard]] MULENET_API std::string describe(const Event& event);
// {"event":"port-changed", ...}: one line of JSON.
[[nodiscard]] MULENET_API std::string to_json(const Event& event);

}  // namespace mulenet
