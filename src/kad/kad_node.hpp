#pragma once
// Our Kad node on the UDP port: receives every datagram (de-obfuscating what
// is obfuscated for us), answers what other nodes ask as a good citizen
// (PING -> PONG with the port we saw, HELLO_REQ -> HELLO_RES, BOOTSTRAP_REQ,
// KADEMLIA2_REQ -> the closest proven contacts of our routing table, FIREWALLED(2)_REQ -> FIREWALLED_RES and
// their TCP check: connect, Hello, ACK), with
// aMule's per-IP flood limits, never much more bytes out than in to a peer
// that has not proven its address, and hands everything else to whoever waits
// for it (the checks). Sends obfuscated as aMule does: requests to version
// >= 6 nodes with their node-ID key, answers with the requester's own key.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "ed2k/wire.hpp"
#include "kad/kad_messages.hpp"
#include "kad/routing_table.hpp"
#include "proxy/dialer.hpp"
#include "proxy/proxied_udp_link.hpp"
#include "proxy/socks5_udp.hpp"

namespace mulenet::kad {

struct KadNodeOptions {
  KadId id;
  std::uint32_t udp_key = 0;  // behind our verify keys
  std::string bind_address;   // "" = all
  std::uint16_t udp_port = 0; // 0: any free port (tests)
  std::uint16_t tcp_port = 0;
  ed2k::Hash16 user_hash{};
  // Set: we do the TCP check other nodes ask for with FIREWALLED(2)_REQ
  // (connect to their TCP port through it, Hello, acknowledge), as aMule does.
  std::shared_ptr<proxy::Dialer> dialer;
  // aMule never lets LAN or loopback addresses into its routing table; tests
  // on loopback do.
  bool accept_lan_contacts = false;
  // Set: every Kad datagram goes through this SOCKS5 UDP association (peers
  // see the relay's address), and udp_port/bind_address are not used.
  std::shared_ptr<proxy::Socks5UdpAssociation> udp_relay;
  // Set instead (the daemon): through this link, which makes the association
  // again when the proxy ends it.
  std::shared_ptr<proxy::ProxiedUdpLink> udp_link;
};

struct Received {
  boost::asio::ip::udp::endpoint from;
  Datagram datagram;
  bool obfuscated = false;
  bool valid_receiver_key = false;   // it carried the verify key we gave that address
  std::uint32_t sender_verify_key = 0;
  std::size_t wire_size = 0;  // bytes as received
};

// An answer to a peer that has not proven its address (it did not give back
// the verify key we gave it) is at most this much larger than its request:
// we never amplify traffic towards a spoofed address.
inline constexpr std::size_t kUnverifiedAnswerSlack = 24;

// How to send: plain, keyed by the peer's node ID, or by the key it gave us.
struct SendKey {
  std::optional<KadId> node_id;
  std::uint32_t receiver_verify_key = 0;  // the peer's sender key (0: none)
  [[nodiscard]] static SendKey plain() { return {}; }
};

struct KadNodeCounters {
  std::size_t received = 0;
  std::size_t answered = 0;
  std::size_t dropped_flood = 0;
  std::size_t dropped_malformed = 0;
  std::size_t trimmed_unverified = 0;  // answers cut down (or not sent) for an unproven address
  std::size_t tcp_checks_done = 0;     // others' TCP ports we reached and acknowledged
  std::size_t tcp_checks_failed = 0;
  std::size_t udp_checks_answered = 0;
};

// Every datagram that matches, from the moment it is opened until it is
// destroyed: nothing is lost while its owner is busy sending (wait_for only
// sees what arrives while it waits). Bounded: the oldest are dropped past 256.
class KadInbox {
 public:
  struct State;
  explicit KadInbox(std::shared_ptr<State> state);
  ~KadInbox();
  KadInbox(const KadInbox&) = delete;
  KadInbox& operator=(const KadInbox&) = delete;
  // The next matching datagram within timeout; nullopt on timeout or stop.
  boost::asio::awaitable<std::optional<Received>> next(std::chrono::milliseconds timeout);

 private:
  std::shared_ptr<State> state_;
};

class KadNode {
 public:
  static std::shared_ptr<KadNode> start(boost::asio::any_io_executor executor, KadNodeOptions options,
                                        std::string& error);

  boost::asio::awaitable<std::error_code> send(boost::asio::ip::udp::endpoint to, const Datagram& d, SendKey key);
  // The next datagram for which `match` is true, within `timeout` (the node
  // keeps answering others meanwhile); nullopt on timeout or stop.
  boost::asio::awaitable<std::optional<Received>> wait_for(std::function<bool(const Received&)> match,
                                                           std::chrono::milliseconds timeout);
  [[nodiscard]] std::unique_ptr<KadInbox> open_inbox(std::function<bool(const Received&)> match);

  [[nodiscard]] std::uint16_t local_port() const;
  [[nodiscard]] const KadId& id() const;
  [[nodiscard]] std::uint32_t verify_key_for(const boost::asio::ip::address_v4& peer) const;
  [[nodiscard]] KadNodeCounters counters() const;
  [[nodiscard]] std::string udp_path() const;  // "direct" or "through the SOCKS5 relay A:P"
  [[nodiscard]] bool udp_lost() const;         // the UDP port (or the proxy's association) went away
  [[nodiscard]] std::uint64_t udp_losses() const;  // associations the proxy ended and the link made again
  // Every address (Kad order) our port sent a datagram to or got one from,
  // and when last: flows a firewall or NAT may still hold open.
  [[nodiscard]] std::map<std::uint32_t, std::chrono::steady_clock::time_point> udp_exchanges() const;
  // When our port last sent that address (Kad order) a datagram on its own
  // initiative (not an answer to one of its datagrams), if ever.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> last_sent_to(std::uint32_t kad_ip) const;
  // The routing table: who answered us or asked us (HELLO), and who others listed.
  [[nodiscard]] std::vector<RoutingEntry> contacts() const;
  [[nodiscard]] const RoutingTable& table() const;
  // One upkeep round of the table (RoutingTable::upkeep): the contacts to
  // send a HELLO_REQ now; those asked in vain removed.
  [[nodiscard]] std::vector<RoutingEntry> table_upkeep(std::chrono::steady_clock::time_point now,
                                                       std::size_t& removed);
  // A node that asked or answered us (its key: the sender key it gave us).
  AddOutcome remember(const Contact& c, std::uint32_t their_key, bool verified = false);
  // A node another node listed: added when new, never changes what we have.
  AddOutcome learn(const Contact& c);
  // A node from nodes.dat, with its stored key and verified flag.
  AddOutcome restore(const Contact& c, std::uint32_t their_key, std::uint32_t key_ip, bool verified);
  // Another node's UDP test (OP_FWCHECKUDPREQ, which arrives over TCP on the
  // client listener): send KADEMLIA2_FIREWALLUDP to its internal and, when
  // different, external Kad port, keyed with the key it sent. Error code 1
  // ("I already know your IP") when it is among our contacts, as aMule.
  void answer_udp_check(const boost::asio::ip::address_v4& peer, const FwCheckUdpReq& request);
  void stop();

  struct State;
  explicit KadNode(std::shared_ptr<State> state);
  ~KadNode();

 private:
  std::shared_ptr<State> state_;
};

// ed2k-order integer of an IPv4 address (what verify keys are computed over).
[[nodiscard]] std::uint32_t ed2k_ip_of(const boost::asio::ip::address_v4& a);
[[nodiscard]] std::uint32_t kad_ip_of(const boost::asio::ip::address_v4& a);

}  // namespace mulenet::kad
