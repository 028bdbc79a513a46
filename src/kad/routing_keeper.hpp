#pragma once
// Our node's routing table kept as aMule keeps its own, for as long as the
// node runs (the daemon; a one-shot check does not need it):
//   - every round (aMule: a minute, CRoutingZone::OnSmallTimer) one
//     KADEMLIA2_HELLO_REQ per zone to the longest-silent contact whose time
//     is up, obfuscated with its ID when its version is 6 or more; contacts
//     asked twice in vain are removed (RoutingTable::upkeep);
//   - a lookup of our own ID after 3 rounds and then every 4 hours (aMule's
//     self-lookup: 3 minutes after start, then every 4 hours), which finds
//     the nodes nearest to us and fills the table.
// Its answers reach the table through the node (HELLO_RES types a contact
// by age again; a lookup's answers add what they list).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

namespace mulenet::kad {

class KadNode;

struct RoutingKeeperOptions {
  std::chrono::seconds round_every{60};
  std::chrono::seconds self_lookup_every{4 * 3600};
  std::uint16_t tcp_port = 0;  // what our HELLOs say
  // Our HELLO's KADMISCOPTIONS now (bit 0 UDP firewalled, bit 1 TCP firewalled).
  std::function<std::uint8_t()> misc_options;
  // After each round: how many contacts the table holds.
  std::function<void(std::size_t contacts)> on_round;
};

struct RoutingKeeperCounters {
  std::size_t rounds = 0;
  std::size_t hellos_sent = 0;
  std::size_t removed = 0;
  std::size_t self_lookups = 0;
};

class RoutingKeeper {
 public:
  struct State;
  static std::shared_ptr<RoutingKeeper> start(boost::asio::any_io_executor executor, std::shared_ptr<KadNode> node,
                                              RoutingKeeperOptions options);
  explicit RoutingKeeper(std::shared_ptr<State> state);
  ~RoutingKeeper();
  RoutingKeeper(const RoutingKeeper&) = delete;
  RoutingKeeper& operator=(const RoutingKeeper&) = delete;
  // Ends the rounds; nothing is sent after it and no callback is called.
  void stop();
  [[nodiscard]] RoutingKeeperCounters counters() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mulenet::kad
