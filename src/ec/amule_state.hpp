#pragma once
// What a running aMule says about its connectivity over EC, read from its
// answers as amulecmd reads them (next-capabilities.md §1.4): the
// EC_TAG_CONNSTATE bits and children, and the Kad tags aMule adds only while
// Kad is connected. Pure functions: packets in, plain values out; what aMule
// did not say stays nullopt.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ec/ec_packet.hpp"

namespace mulenet::ec {

enum class AmuleEd2k { connected, connecting, disconnected };
enum class AmuleKad { running_connected, running_not_connected, not_running };
enum class BuddyState { none, connecting, connected };  // aMule's buddyState 0/1/2

struct AmuleServer {
  Ipv4Port address;
  std::string name;  // empty when aMule gave none
};

struct AmuleState {
  AmuleEd2k ed2k = AmuleEd2k::disconnected;
  std::optional<std::uint32_t> ed2k_id;  // the server-assigned ID while connected
  std::optional<AmuleServer> server;     // while connected
  AmuleKad kad = AmuleKad::not_running;
  // The TCP firewall bit, meaningful only while Kad runs (aMule sets it when Kad is off too).
  std::optional<bool> kad_tcp_firewalled;
  std::optional<bool> kad_udp_firewalled;  // only while Kad is connected
  std::optional<std::array<std::uint8_t, 4>> kad_ip;  // our address as the Kad network sees it (dotted order)
  std::optional<bool> kad_lan_mode;
  std::optional<BuddyState> buddy;
  std::optional<Ipv4Port> buddy_address;
  std::optional<std::uint64_t> kad_nodes;   // Kad users aMule estimates
  std::optional<std::uint64_t> ed2k_users;

  [[nodiscard]] std::optional<bool> high_id() const;  // while connected: ID >= 2^24
};

// The answer to STAT_REQ (EC_OP_STATS); nullopt with `error` when it is not one.
[[nodiscard]] std::optional<AmuleState> read_stats(const Packet& stats, std::string& error);

// The answer to GET_SERVER_LIST (EC_OP_SERVER_LIST).
[[nodiscard]] std::optional<std::vector<AmuleServer>> read_server_list(const Packet& list, std::string& error);

// The requests amulecmd sends for `status` and `show servers` (detail CMD).
[[nodiscard]] Packet stat_request();
[[nodiscard]] Packet server_list_request();

[[nodiscard]] const char* to_string(AmuleEd2k s);    // "connected", "connecting", "disconnected"
[[nodiscard]] const char* to_string(AmuleKad s);     // "connected", "not-connected", "not-running"
[[nodiscard]] const char* to_string(BuddyState s);   // "none", "connecting", "connected"

}  // namespace mulenet::ec
