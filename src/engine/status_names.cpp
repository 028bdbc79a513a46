// The names of the public enums, as the status JSON and the CLI spell them.
#include <mulenet/status.hpp>

namespace mulenet {

std::string_view to_string(PortState state)
{
  switch (state) {
    case PortState::verified_open: return "verified-open";
    case PortState::mapped: return "mapped";
    case PortState::degraded: return "degraded";
    case PortState::closed: return "closed";
    case PortState::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(Protocol protocol) { return protocol == Protocol::tcp ? "tcp" : "udp"; }

std::string_view to_string(MappingVia via)
{
  switch (via) {
    case MappingVia::upnp: return "upnp";
    case MappingVia::natpmp: return "natpmp";
    case MappingVia::pcp: return "pcp";
  }
  return "unknown";
}

std::string_view to_string(Ed2kState state)
{
  switch (state) {
    case Ed2kState::high_id: return "high-id";
    case Ed2kState::low_id: return "low-id";
    case Ed2kState::connecting: return "connecting";
    case Ed2kState::disconnected: return "disconnected";
  }
  return "unknown";
}

std::string_view to_string(KadState state)
{
  switch (state) {
    case KadState::stopped: return "stopped";
    case KadState::bootstrapping: return "bootstrapping";
    case KadState::connected: return "connected";
  }
  return "unknown";
}

std::string_view to_string(Reachability r)
{
  switch (r) {
    case Reachability::open: return "open";
    case Reachability::firewalled: return "firewalled";
    case Reachability::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(ProxyType type)
{
  switch (type) {
    case ProxyType::socks5: return "socks5";
    case ProxyType::socks4: return "socks4";
    case ProxyType::socks4a: return "socks4a";
    case ProxyType::http: return "http";
  }
  return "unknown";
}

}  // namespace mulenet
