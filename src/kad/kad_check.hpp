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
// What earlier runs did is remembered (CheckerMemory, next to amule.conf):
// a node that exchanged UDP with our port, or checked us, a short while ago
// is not asked again (checker_choice.hpp); the verdicts stand only on nodes
// that can tell, else they are "unknown" with the reason (kad_verdicts.hpp).
// No HELLO before the verdicts: a node that knows us refuses the UDP test
// ("I already know your IP"), and the verdicts do not need it. Afterwards,
// as a good citizen, we HELLO the TCP checkers (with the ACK handshake) so
// that they keep us as a verified contact.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "ed2k/wire.hpp"
#include "kad/checker_choice.hpp"
#include "kad/checker_memory.hpp"
#include "kad/kad_messages.hpp"
#include "kad/kad_services.hpp"
#include "kad/kad_verdicts.hpp"
#include "kad/nodes_dat.hpp"
#include "kad/routing_table.hpp"
#include "proxy/target.hpp"

namespace mulenet::kad {

struct KadCheckReport;

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
  // The memory of earlier runs (checker_memory_path(amule.conf)); empty:
  // none is read or written (each run starts fresh).
  std::filesystem::path memory_path;
  // `nodes` came from aMule's nodes.dat, last written then: when that is
  // recent and not our own writing, aMule (at its exit) may have UDP flows
  // open with each of them.
  std::optional<UnixSeconds> nodes_dat_written;
  std::function<void(std::string_view)> progress;
  // Called once the verdicts are given, before the join and the lookup of our
  // own ID (seconds more): a daemon shows the verdicts at once.
  std::function<void(const KadCheckReport&)> on_verdicts;
};

struct KadEvidence {
  std::chrono::milliseconds at{0};  // since the start
  std::string node;                 // "100.64.1.1:4672"
  std::string said;                 // "KADEMLIA_FIREWALLED_RES: you are 203.0.113.2"
};

struct KadMemoryReport {
  std::string path;
  std::size_t nodes = 0;           // nodes remembered after this run
  bool written = false;
  std::vector<std::string> notes;  // what was ignored in the file, or why it was not written
};

struct KadCheckReport {
  Verdict tcp = Verdict::unknown;
  Verdict udp = Verdict::unknown;
  std::string tcp_reason;       // why, in words (for unknown: why it could not be decided)
  std::string udp_reason;
  std::optional<std::int64_t> retry_after_s;  // an unknown verdict can be decided by a check after this long
  std::size_t tcp_checkers = 0;  // nodes asked to check our TCP port
  std::size_t udp_checkers = 0;  // nodes that took the UDP test request
  KadMemoryReport memory;
  std::optional<std::uint16_t> external_udp_port;
  bool udp_remapped = false;
  bool udp_port_unstable = false;
  std::optional<std::uint16_t> udp_working_port;  // the port a FIREWALLUDP arrived for
  std::optional<std::string> public_ip;
  std::size_t contacts = 0;
  std::size_t tcp_acks = 0;     // ACKs that came before the check ended (they follow the connections)
  std::size_t tcp_reached = 0;  // checkers that connected to our TCP port (Hello) or acknowledged
  std::size_t tcp_answers = 0;
  std::size_t verified_by = 0;  // nodes that list us as a contact after the HELLO exchange
  std::size_t lookup_queries = 0;     // KADEMLIA2_REQ sent by node lookups
  bool udp_via_proxy = false;         // Kad UDP went through the SOCKS5 proxy's UDP association
  std::string udp_path;               // "direct" or "through the SOCKS5 relay A:P"
  std::vector<RoutingEntry> routing;  // our routing table at the end (what nodes.dat keeps)
  std::vector<KadEvidence> evidence;
  std::string error;  // nothing could be asked (no contacts, port taken)
  std::error_code code;  // with error: its KadErrc (kad_error.hpp)
  std::chrono::milliseconds elapsed{0};
};

// The check on services borrowed from their owner (who keeps them running
// afterwards: our node stays in the network).
boost::asio::awaitable<KadCheckReport> check_kad(KadServices& services, KadCheckOptions options);
// The same on services of its own, opened for it and stopped after it.
boost::asio::awaitable<KadCheckReport> check_kad(KadCheckOptions options);

}  // namespace mulenet::kad
