#pragma once
// Our Kad routing table as aMule keeps it (reference §3.3, §7.4): a binary
// tree over the XOR distance from our own ID whose leaves are k-buckets
// ("bins") of K = 10 contacts. A full bin splits only while it is near the
// root (level < KBASE = 4) or among the KK = 5 zones closest to us, so the
// table knows many nodes near our ID and a few far away. A full bin that
// cannot split keeps its old contacts (long-lived nodes are the reliable
// ones) and refuses the new one.
// aMule's IP rules are kept: one contact per IP, at most 2 per /24 in one
// bin and 10 per /24 in the table, no reserved or LAN addresses (unless the
// table is told to accept them: tests on loopback), and a contact's verify
// key cannot be replaced by another (anti-hijack).
// Pure data: no sockets, no clock of its own (times are passed in).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "kad/kad_id.hpp"
#include "kad/kad_messages.hpp"

namespace mulenet::kad {

inline constexpr std::size_t kBucketSize = 10;  // K
inline constexpr unsigned kSplitLevels = 4;     // KBASE: always split this near the root
inline constexpr unsigned kSplitCloseZones = 5; // KK: zones this close to us split too

struct RoutingEntry {
  Contact contact;
  std::uint32_t udp_key = 0;  // the sender verify key it gave us (0: none yet)
  std::uint32_t key_ip = 0;   // our IP (Kad order) that key is bound to
  bool verified = false;      // it gave back the verify key we sent: its address is proven
  // aMule's contact type: 3 when new, 2..0 once seen alive again (older = lower).
  std::uint8_t type = 3;
  std::chrono::steady_clock::time_point created{};
  std::chrono::steady_clock::time_point last_seen{};
  // When it is asked again (HELLO) if it stays silent; type 4: when it is removed.
  std::chrono::steady_clock::time_point expires{};
  std::chrono::steady_clock::time_point type_set{};  // the last upkeep step (CContact::m_lastTypeSet)
};

enum class AddOutcome {
  added,
  updated,
  bucket_full,       // its bin is full and may not split
  refused_self,      // our own ID
  refused_address,   // reserved, LAN (unless accepted), port 0, or version < 2
  refused_ip_limit,  // another contact on that IP, or too many in its /24
  refused_key,       // it presents another verify key than the one we keep for it
  already_known,     // listed by another node, and we have it: left as it is
};
[[nodiscard]] const char* to_string(AddOutcome o);

// aMule's IsGoodIP with LAN filtering (reference §7.4), over a Kad-order IPv4.
[[nodiscard]] bool is_routable_kad_ip(std::uint32_t kad_ip);
[[nodiscard]] bool is_lan_kad_ip(std::uint32_t kad_ip);

class RoutingTable {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RoutingTable(KadId own, bool accept_lan = false);
  ~RoutingTable();
  RoutingTable(RoutingTable&&) noexcept;
  RoutingTable& operator=(RoutingTable&&) noexcept;

  // A contact we heard from ourselves (it asked or answered us). An update
  // marks it alive again and may upgrade it to verified; it never replaces
  // a kept verify key, lowers the version, or moves a contact that gave a
  // key (or is verified) to another IP; a move obeys the IP limits.
  AddOutcome add(const Contact& c, std::uint32_t udp_key, bool verified, Clock::time_point now);
  // A contact another node listed (BOOTSTRAP_RES, KADEMLIA2_RES): added when
  // new, unverified; an entry we have is left exactly as it is (aMule adds
  // these with update=false: a hostile list cannot move or refresh anyone).
  AddOutcome add_listed(const Contact& c, Clock::time_point now);
  // A contact from nodes.dat: added when new, with its stored key (bound to
  // key_ip, our public IP then) and verified flag.
  AddOutcome add_saved(const Contact& c, std::uint32_t udp_key, std::uint32_t key_ip, bool verified,
                       Clock::time_point now);
  // It gave back our verify key (HELLO_RES_ACK, or any packet with a valid
  // receiver key): its address is proven.
  bool mark_verified(const KadId& id, std::uint32_t ip);
  bool remove(const KadId& id);
  // One round of aMule's routing-table upkeep (CRoutingZone::OnSmallTimer,
  // every minute): in each zone, contacts asked twice in vain are removed
  // (counted in `removed`), and the longest silent whose time is up is
  // returned, to be sent a HELLO_REQ, one step lower in trust (type + 1, at
  // most 4) with 2 minutes to answer. An answer (add) types it by age again.
  [[nodiscard]] std::vector<RoutingEntry> upkeep(Clock::time_point now, std::size_t& removed);

  [[nodiscard]] const RoutingEntry* find(const KadId& id) const;
  [[nodiscard]] bool knows_ip(std::uint32_t kad_ip) const;
  // The n contacts closest to target by XOR distance; with only_proven, those
  // aMule would hand out (verified and seen alive again: type <= 2).
  [[nodiscard]] std::vector<RoutingEntry> closest_to(const KadId& target, std::size_t n, bool only_proven) const;
  // Up to n contacts from the top of the tree (spread over the ID space), as
  // aMule's BOOTSTRAP_RES.
  [[nodiscard]] std::vector<RoutingEntry> bootstrap_contacts(std::size_t n) const;
  [[nodiscard]] std::vector<RoutingEntry> all() const;
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t bucket_count() const;  // leaves of the tree
  [[nodiscard]] std::vector<std::size_t> bucket_sizes() const;
  [[nodiscard]] const KadId& own_id() const { return own_; }

  struct Zone;

 private:
  enum class Source { heard, listed, saved };
  AddOutcome insert(const Contact& c, std::uint32_t udp_key, std::uint32_t key_ip, bool verified, Source source,
                    Clock::time_point now);
  [[nodiscard]] bool subnet_full(std::uint32_t ip, const Zone& bin) const;

  KadId own_;
  bool accept_lan_;
  std::unique_ptr<Zone> root_;
  std::size_t size_ = 0;
};

}  // namespace mulenet::kad
