#pragma once
// Who holds a local port? Looks the port up in the kernel's socket tables
// and then finds the process with that socket among /proc/PID/fd/*.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "config/port_plan.hpp"

namespace mulenet::net {

struct PortHolder {
  int pid = 0;
  std::string command;  // /proc/PID/comm, e.g. "amuled"
  std::string cmdline;  // /proc/PID/cmdline, NULs turned into spaces, at most 200 chars
};

// TCP: a socket listening on the port (state LISTEN) in tcp or tcp6.
// UDP: any socket bound to the port in udp or udp6.
// nullopt when no such socket exists, or when its owner cannot be seen
// (without root, other users' /proc/PID/fd are unreadable and skipped) --
// port_listed_in_proc tells these two apart. If several processes share the
// socket (e.g. after fork), the first one found is returned. The scan stops
// after 100000 descriptors.
[[nodiscard]] std::optional<PortHolder> find_port_holder(config::Protocol protocol, std::uint16_t port,
                                                         const std::filesystem::path& proc_root = "/proc");

// True when the kernel's tables list a socket holding the port in the sense
// above, whether or not we may see which process owns it.
[[nodiscard]] bool port_listed_in_proc(config::Protocol protocol, std::uint16_t port,
                                       const std::filesystem::path& proc_root = "/proc");

}  // namespace mulenet::net
