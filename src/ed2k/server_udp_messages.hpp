#pragma once
// The server status ping over UDP (reference §1.6): from the client's
// TCP+3 socket to the server's TCP+4 port. UDP datagrams carry no length:
//   request   E3 96 challenge:4              (challenge = 0x55AA0000 + random 16 bits)
//   response  E3 97 challenge:4 users:4 files:4 [max_users:4 [soft:4 hard:4 [udp_flags:4
//             [low_id_users:4 [udp_obf_port:2 tcp_obf_port:2 udp_key:4]]]]]
#include <cstdint>
#include <optional>

#include "ed2k/server_messages.hpp"

namespace mulenet::ed2k {

inline constexpr std::uint16_t kServerUdpOffset = 4;  // server UDP port = its TCP port + 4
inline constexpr std::uint16_t kClientServerUdpOffset = 3;  // our socket: our TCP port + 3

[[nodiscard]] constexpr std::uint32_t make_challenge(std::uint16_t random) { return 0x55AA0000u + random; }
[[nodiscard]] Bytes encode_status_request(std::uint32_t challenge);

struct ServerUdpStatus {
  std::uint32_t challenge = 0;
  std::uint32_t users = 0;
  std::uint32_t files = 0;
  std::optional<std::uint32_t> max_users;
  std::optional<std::uint32_t> soft_files;
  std::optional<std::uint32_t> hard_files;
  std::optional<std::uint32_t> udp_flags;
  std::optional<std::uint32_t> low_id_users;
};
// One datagram; fails on another protocol/opcode or fewer than 12 payload bytes.
[[nodiscard]] Decoded<ServerUdpStatus> decode_status_response(ByteView datagram);

}  // namespace mulenet::ed2k
