#pragma once
// The port plan: every local port aMule/mulenet uses, what it is for, which
// amule.conf key sets it, and whether UPnP forwards it given the toggles.
#include <cstdint>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace mulenet::config {

enum class Protocol { tcp, udp };
[[nodiscard]] const char* to_string(Protocol protocol);

struct PlannedPort {
  std::string name;        // stable id: ed2k-tcp, server-udp, kad-udp, ec-tcp, web-tcp, upnp-control-tcp
  Protocol protocol = Protocol::tcp;
  std::uint16_t port = 0;
  std::string direction;   // "incoming+outgoing", "incoming", ...
  std::string purpose;     // one line for humans
  std::string key;         // the amule.conf key that sets it, e.g. /eMule/Port
  bool upnp = false;       // forwarded by UPnP given the toggles
  bool active = true;      // a service listens on it with this config
};

struct PortPlan {
  std::vector<PlannedPort> ports;
};

// The one function that decides the plan. Assumes a validated tcp_port
// (<= 65532) so that TCP+3 fits; an out-of-range TCP+3 is left out.
[[nodiscard]] PortPlan make_port_plan(const Settings& settings);

}  // namespace mulenet::config
