#pragma once
// What earlier runs did with which Kad node, kept across runs in one small
// file next to amule.conf (mulenet-kad-memory.json), so that a check run a
// minute after another one asks only nodes whose answer can tell:
//   * a node that exchanged UDP with our Kad port recently may still have a
//     flow open in our firewall's or router's connection tracking (30 s to
//     several minutes): its UDP test datagram would come in even through a
//     closed port. Each datagram our Kad node sends or receives is noted.
//   * a node that checked us recently may not check again: amuled reuses the
//     client object (and a connection still open) for our address, or
//     refuses while its last check is pending. Each check is noted with what
//     came of it.
// aMule's own files are never touched for this. The file is bounded
// (kMaxRememberedPeers, kMaxMemoryBytes), written atomically with mode 0600
// under a lock (two runs at once merge, none loses the other's notes), and
// whatever in it is unknown or corrupt is ignored with a note: never fatal.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mulenet::kad {

// Unix time in seconds: the memory outlives the process (a steady clock does not).
using UnixSeconds = std::int64_t;

inline constexpr std::size_t kMaxRememberedPeers = 2048;
inline constexpr std::size_t kMaxMemoryBytes = 1 << 20;
// Older notes than this say nothing about the state of a NAT or of amuled.
inline constexpr UnixSeconds kMemoryMaxAge = 7 * 24 * 3600;

enum class TcpCheckOutcome : std::uint8_t {
  acked,      // it connected to our TCP port and acknowledged
  no_ack,     // it said it would try (FIREWALLED_RES), nothing arrived
  silent,     // it did not even answer the request
};
enum class UdpCheckOutcome : std::uint8_t {
  arrived,    // its KADEMLIA2_FIREWALLUDP reached our UDP port
  declined,   // it answered "I already know your IP" (test not run)
  silent,     // it took the request, nothing arrived
};

[[nodiscard]] const char* to_string(TcpCheckOutcome o);
[[nodiscard]] const char* to_string(UdpCheckOutcome o);
[[nodiscard]] std::optional<TcpCheckOutcome> parse_tcp_outcome(std::string_view text);
[[nodiscard]] std::optional<UdpCheckOutcome> parse_udp_outcome(std::string_view text);

struct PeerNotes {
  std::optional<UnixSeconds> udp_exchange;  // last datagram between our Kad port and it (either way)
  std::optional<UnixSeconds> tcp_check;     // it was last asked to check our TCP port
  TcpCheckOutcome tcp_outcome = TcpCheckOutcome::silent;
  std::optional<UnixSeconds> udp_check;     // it was last asked to check our UDP port
  UdpCheckOutcome udp_outcome = UdpCheckOutcome::silent;
  std::optional<UnixSeconds> hello;         // we last sent it a HELLO (it may keep us as a contact)

  // The latest of its notes: what decides which entries a full file keeps.
  [[nodiscard]] UnixSeconds latest() const;
  // When it last checked us in any way (a TCP or a UDP check), if ever.
  [[nodiscard]] std::optional<UnixSeconds> last_check() const;
};

struct CheckerMemory {
  std::map<std::uint32_t, PeerNotes> peers;  // by Kad-order IPv4 address
  // The modification time of the nodes.dat we wrote last: a newer one was
  // written by someone else (aMule at its exit, whose flows may still be open).
  std::optional<UnixSeconds> nodes_dat_written;

  PeerNotes& at(std::uint32_t ip) { return peers[ip]; }
  [[nodiscard]] const PeerNotes* find(std::uint32_t ip) const;  // nullptr: nothing noted
  void note_udp_exchange(std::uint32_t ip, UnixSeconds when);
  void note_tcp_check(std::uint32_t ip, UnixSeconds when, TcpCheckOutcome outcome);
  void note_udp_check(std::uint32_t ip, UnixSeconds when, UdpCheckOutcome outcome);
  void note_hello(std::uint32_t ip, UnixSeconds when);
};

// Per address, the later of each note (a check's outcome goes with its time).
void merge_memory(CheckerMemory& into, const CheckerMemory& from);
// Drops notes older than max_age (a note from the future, a clock that went
// back, is taken as now), then keeps the max_peers most recent addresses.
void prune_memory(CheckerMemory& memory, UnixSeconds now, UnixSeconds max_age = kMemoryMaxAge,
                  std::size_t max_peers = kMaxRememberedPeers);

struct ParsedMemory {
  CheckerMemory memory;
  std::vector<std::string> notes;  // what was ignored, and why (never fatal)
};
[[nodiscard]] ParsedMemory parse_checker_memory(std::string_view text);
[[nodiscard]] std::string serialize_checker_memory(const CheckerMemory& memory);

// <dir of amule.conf>/mulenet-kad-memory.json
[[nodiscard]] std::filesystem::path checker_memory_path(const std::filesystem::path& config_path);
// An absent file is an empty memory; an unreadable, oversized or corrupt one
// too, with a note.
[[nodiscard]] ParsedMemory load_checker_memory(const std::filesystem::path& path);
// Merges `ours` into what the file holds now (another run may have written
// since we read it), prunes, writes atomically with mode 0600. The lock is
// waited for at most about 2 s. False with `error` set when it cannot be written.
// `remembered`, when given, gets how many nodes the file holds afterwards.
[[nodiscard]] bool save_checker_memory(const std::filesystem::path& path, const CheckerMemory& ours, UnixSeconds now,
                                       std::string& error, std::size_t* remembered = nullptr);

[[nodiscard]] UnixSeconds unix_now();
// A file's last modification, in unix seconds; nullopt when it has none to tell.
[[nodiscard]] std::optional<UnixSeconds> modification_time(const std::filesystem::path& path);

}  // namespace mulenet::kad
