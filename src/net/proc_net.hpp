#pragma once
// The kernel's socket tables, /proc/net/{tcp,tcp6,udp,udp6}: which local
// ports have sockets, in which state, and the inode that ties each socket to
// the process holding it (through /proc/PID/fd/* -> "socket:[INODE]").
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/port_plan.hpp"

namespace mulenet::net {

// Kernel TCP state numbers as printed in the "st" column.
inline constexpr std::uint8_t kTcpStateListen = 0x0A;

struct ProcNetSocket {
  // The local address as raw bytes in network order: 4 for IPv4 (tcp, udp),
  // 16 for IPv6 (tcp6, udp6). E.g. 127.0.0.1 is "\x7f\x00\x00\x01".
  std::string local_address;
  std::uint16_t local_port = 0;
  // TCP: 0x0A LISTEN, 0x01 ESTABLISHED, 0x06 TIME_WAIT, ...
  // UDP: 0x07 for a merely bound socket, 0x01 once connect()ed.
  std::uint8_t state = 0;
  // 0 for sockets no process owns any more (e.g. TCP TIME_WAIT).
  std::uint64_t inode = 0;
};

// Parses the text of one such file. The header line and every line that is
// not a well-formed socket entry are skipped, so partial or garbled input
// only loses those lines. The address words are decoded in this host's byte
// order, as the kernel of this host printed them.
[[nodiscard]] std::vector<ProcNetSocket> parse_proc_net(std::string_view text);

// Reads and parses both the IPv4 and the IPv6 table of the protocol under
// proc_root ("/proc" normally). A table that cannot be read (no IPv6, a
// test tree without it) contributes nothing.
[[nodiscard]] std::vector<ProcNetSocket> read_proc_net(config::Protocol protocol,
                                                       const std::filesystem::path& proc_root);

}  // namespace mulenet::net
