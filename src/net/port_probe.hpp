#pragma once
// Can this process bind a local port right now? Asks the kernel by binding
// exactly the way a server would, then lets go at once.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/port_plan.hpp"

namespace mulenet::net {

enum class BindStatus {
  free,                 // the bind worked
  in_use,               // EADDRINUSE: someone listens on / is bound to it
  permission_denied,    // EACCES: e.g. a port below 1024 without the privilege
  address_unavailable,  // EADDRNOTAVAIL: the bind address is not on this host
  error,                // anything else, including an unparsable bind address
};

[[nodiscard]] const char* to_string(BindStatus status);

struct BindProbe {
  BindStatus status = BindStatus::error;
  std::string detail;  // the system's text for the error; empty when free
};

// bind_address: "" means all IPv4 addresses (0.0.0.0), as aMule does; else
// an IPv4 or IPv6 literal. TCP sets SO_REUSEADDR and listens, like a real
// server, so a port only in TIME_WAIT counts as free while a port with a
// listener counts as in use. UDP binds without SO_REUSEADDR. Never throws.
[[nodiscard]] BindProbe probe_bind(config::Protocol protocol, std::uint16_t port,
                                   std::string_view bind_address);

}  // namespace mulenet::net
