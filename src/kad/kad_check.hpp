#pragma once
// The Kad verdicts (Network Connectivity: open or firewalled, for TCP and UDP
// separately, and whether the NAT remaps the UDP port), asked of several
// real nodes at once instead of aMule's one-at-a-time hourly cadence:
//   * TCP: KADEMLIA_FIREWALLED2_REQ to several nodes; each answers
//     FIREWALLED_RES (the address it sees us at) and then tries to connect to
//     our TCP port, says Hello, and acknowledges (OP_KAD_FWTCPCHECK_ACK over
//     TCP, or KADEMLIA_FIREWALLED_ACK_RES over UDP). 2 ACKs: open; answers
//     but no ACK within tcp_wait: firewalled.
//   * external UDP port: KADEMLIA2_PING to the same nodes; the port two of
//     them saw; "remapped" when it is not our own, "unstable" when they all
//     disagree.
//   * UDP: OP_FWCHECKUDPREQ over TCP to other nodes (that never heard from
//     our UDP port, so that no NAT state lets their answer in), which send
//     KADEMLIA2_FIREWALLUDP to our internal and external port: one arrives:
//     open (and which port works); none: firewalled.
// No HELLO before the verdicts: a node that knows us refuses the UDP test
// ("I already know your IP"), and the verdicts do not need it. Afterwards,
// as a good citizen, we HELLO the TCP checkers (with the ACK handshake) so
// that they keep us as a verified contact.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "ed2k/wire.hpp"
#include "kad/kad_messages.hpp"
#include "kad/nodes_dat.hpp"
#include "kad/routing_table.hpp"
#include "proxy/target.hpp"

namespace mulenet::kad {

struct KadCheckOptions {
  config::Settings settings;  // ports, bind address, proxy
  ed2k::Hash16 user_hash{};
  KadId id;
  std::uint32_t udp_key = 0;
  std::vector<NodesDatEntry> nodes;          // from nodes.dat (with their keys and verified flags)
  std::vector<proxy::Target> bootstrap;      // asked for contacts (BOOTSTRAP_REQ) when given
  std::size_t tcp_checkers = 3;
  std::size_t udp_checkers = 2;
  std::chrono::milliseconds answer_wait{4000};  // for FIREWALLED_RES, PONG, BOOTSTRAP_RES
  std::chrono::milliseconds tcp_wait{10000};    // for the ACKs after the answers
  std::chrono::milliseconds udp_wait{10000};    // for FIREWALLUDP after the request
  bool join = true;  // afterwards, HELLO the TCP checkers (with the ACK) so they keep us as a verified contact
  // Too few nodes to ask: find more with a node lookup; and when joining, a
  // lookup of our own ID (as aMule after its start) so our neighbours know us.
  bool lookup = true;
  std::function<void(std::string_view)> progress;
};

struct KadEvidence {
  std::chrono::milliseconds at{0};  // since the start
  std::string node;                 // "100.64.1.1:4672"
  std::string said;                 // "KADEMLIA_FIREWALLED_RES: you are 203.0.113.2"
};

struct KadCheckReport {
  std::string tcp = "unknown";  // open | firewalled | unknown
  std::string udp = "unknown";
  std::optional<std::uint16_t> external_udp_port;
  bool udp_remapped = false;
  bool udp_port_unstable = false;
  std::optional<std::uint16_t> udp_working_port;  // the port a FIREWALLUDP arrived for
  std::optional<std::string> public_ip;
  std::size_t contacts = 0;
  std::size_t tcp_acks = 0;
  std::size_t tcp_answers = 0;
  std::size_t verified_by = 0;  // nodes that list us as a contact after the HELLO exchange
  std::size_t lookup_queries = 0;
  bool udp_via_proxy = false;         // Kad UDP went through the SOCKS5 proxy's UDP association
  std::string udp_path;               // "direct" or "through the SOCKS5 relay A:P"     // KADEMLIA2_REQ sent by node lookups
  std::vector<RoutingEntry> routing;  // our routing table at the end (what nodes.dat keeps)
  std::vector<KadEvidence> evidence;
  std::string error;  // nothing could be asked (no contacts, port taken)
  std::chrono::milliseconds elapsed{0};
};

boost::asio::awaitable<KadCheckReport> check_kad(KadCheckOptions options);

}  // namespace mulenet::kad
