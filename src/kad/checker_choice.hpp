#pragma once
// Which Kad nodes may check our ports now, given what we did with them
// before (CheckerMemory): a verdict stands only on checkers whose answer can
// tell.
//   * UDP test: the node must not have exchanged a datagram with our Kad port
//     within the UDP flow window (a firewall or NAT may still hold that flow
//     and let its test datagram in through a closed port), nor checked us
//     within the re-check window.
//   * TCP test: the node must not have checked us (TCP or UDP) within the
//     re-check window: amuled reuses its client object for our address, with
//     a connection still open, or refuses while the last check is pending.
// Pure: no sockets, no clock (the caller passes `now`).
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "kad/checker_memory.hpp"
#include "kad/kad_messages.hpp"

namespace mulenet::kad {

struct CheckerWindows {
  // [mulenet] KadUdpFlowWindow: longer than common conntrack and router UDP
  // timeouts (Linux keeps a UDP flow seen both ways 120-180 s, many routers 300 s).
  std::chrono::seconds udp_flow{600};
  // [mulenet] KadRecheckWindow: longer than amuled's memory of our address
  // (a client object while its check is queued or connecting, ~45 s; its
  // connection idles out after 40 s) and its flood bucket (2 requests a
  // minute). Seen against the lab's amuled 2.3.3: a node asked again 22-45 s
  // after it checked us answers FIREWALLED_RES and never connects (11 of 11
  // such runs said "firewalled" with the port open); after 55 s it connects.
  // A node that checked us gets our Kad port from the Hello and adds it to its
  // routing table: it declines our UDP test for a long while after.
  std::chrono::seconds recheck{300};
};

// The moment a node becomes fit again for each test (<= now: fit now).
[[nodiscard]] UnixSeconds tcp_fit_at(const PeerNotes* notes, const CheckerWindows& w);
[[nodiscard]] UnixSeconds udp_fit_at(const PeerNotes* notes, const CheckerWindows& w);

struct CheckerChoice {
  std::vector<Contact> tcp;          // asked to check our TCP port (and to tell our UDP port)
  std::vector<Contact> udp;          // asked for the UDP test
  std::vector<Contact> udp_backups;  // asked instead when one of `udp` does not take the request
  std::size_t tcp_fit = 0;           // candidates fit for the TCP test
  std::size_t udp_fit = 0;           // candidates fit for the UDP test
  std::size_t checked_recently = 0;  // candidates that checked us within the re-check window
  std::size_t udp_flow_recent = 0;   // candidates that exchanged UDP with our port within the flow window
  // When enough known nodes are fit again for a verdict (2 for TCP, 1 for
  // UDP), if more are needed than are fit now.
  std::optional<UnixSeconds> tcp_enough_at;
  std::optional<UnixSeconds> udp_enough_at;
};

inline constexpr std::size_t kMinTcpCheckers = 2;  // aMule: open after 2 ACKs
inline constexpr std::size_t kMaxUdpBackups = 4;

// From `candidates` (in order of preference: the TCP checkers come from the
// front, the UDP checkers from the back, as they were found), the TCP and UDP
// checkers. The TCP test has first claim on a node fit for both, up to what it
// wants, unless it cannot reach a verdict anyway (fewer than 2 fit).
[[nodiscard]] CheckerChoice choose_checkers(const std::vector<Contact>& candidates, const CheckerMemory& memory,
                                            UnixSeconds now, const CheckerWindows& windows, std::size_t tcp_wanted,
                                            std::size_t udp_wanted);

}  // namespace mulenet::kad
