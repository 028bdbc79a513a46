#pragma once
// The client-to-client handshake (reference §2.1): OP_HELLO (0x01, starts
// with a hash-size byte of 16) and OP_HELLOANSWER (0x4C, without it), both
//   user_hash:16  user_id:4  tcp_port:2  tag_count:4  tags  server_ip:4  server_port:2
// A server checking a login for a High ID, and a Kad node checking our TCP
// port, connect to us and send OP_HELLO; our answer tells them who we are.
#include <cstdint>
#include <string>
#include <vector>

#include "ed2k/server_messages.hpp"

namespace mulenet::ed2k {

struct Hello {
  Hash16 user_hash{};
  std::uint32_t user_id = 0;  // ed2k order; 0 = none yet
  std::uint16_t tcp_port = 0;
  std::vector<Tag> tags;
  std::uint32_t server_ip = 0;  // the server the sender is on (0: none)
  std::uint16_t server_port = 0;

  // From the tags, as aMule reads them.
  [[nodiscard]] std::string nick() const;
  [[nodiscard]] std::uint16_t kad_udp_port() const;   // CT_EMULE_UDPPORTS high 16 bits
  [[nodiscard]] std::uint16_t ed2k_udp_port() const;  // ... low 16 bits
  [[nodiscard]] unsigned kad_version() const;         // CT_EMULE_MISCOPTIONS2 bits 0-3
  [[nodiscard]] std::uint16_t announced_tcp_port() const;  // CT_PORT when present, else tcp_port
};

// Who we say we are: what aMule 2.3.3 says, minus what mulenet does not do
// (no transfers, no source exchange, no obfuscation): a peer that asks us for
// more gets the connection closed, so we do not advertise it.
struct Identity {
  Hash16 user_hash{};
  std::uint32_t user_id = 0;
  std::uint16_t tcp_port = 0;
  std::uint16_t udp_port = 0;      // /eMule/UDPPort (extended eMule UDP and Kad); 0 = disabled
  bool kad_running = false;        // announce the Kad port (and version) only then
  std::string nick = "mulenet";
};
[[nodiscard]] std::vector<Tag> hello_tags(const Identity& me);
[[nodiscard]] Hello make_hello(const Identity& me);

[[nodiscard]] Packet encode_hello(const Hello& hello);         // OP_HELLO
[[nodiscard]] Packet encode_hello_answer(const Hello& hello);  // OP_HELLOANSWER
// Either opcode (0xE3); the hash size byte of OP_HELLO must be 16.
[[nodiscard]] Decoded<Hello> decode_hello(const Packet& packet);

inline constexpr unsigned kOurKadVersion = 8;  // aMule 2.3.3's KADEMLIA_VERSION

}  // namespace mulenet::ed2k
