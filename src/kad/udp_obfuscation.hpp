#pragma once
// Kad UDP obfuscation (reference §4.3): a datagram is sent as
//   marker:1  random:2  RC4( magic 0x395F2EC1:4  pad_len:1  padding  receiver_key:4  sender_key:4
//                            original datagram )
// with RC4 keyed by MD5(receiver's node ID ‖ random) ("node-ID key", marker
// low bits 00) or MD5(receiver verify key ‖ random) ("receiver-key key",
// marker low bits 10); no keystream discard. The marker is random but never
// a protocol byte, so plain datagrams (first byte 0xE4, 0xE5, 0xC5, ...) are
// told apart. Pure functions; MD5 and RC4 from OpenSSL.
#include <array>
#include <cstdint>
#include <optional>
#include <variant>

#include "ed2k/wire.hpp"
#include "kad/kad_id.hpp"

namespace mulenet::kad {

using ed2k::ByteView;
using ed2k::Bytes;

inline constexpr std::uint32_t kObfuscationMagic = 0x395F2EC1;

// What keys the RC4 stream: the receiver's node ID, or the verify key it gave us.
using ObfuscationKey = std::variant<KadId, std::uint32_t>;

struct ObfuscationParams {
  std::uint32_t receiver_verify_key = 0;  // the key the receiver gave us (0: none yet)
  std::uint32_t sender_verify_key = 0;    // ours for the receiver (verify_key(...))
  std::array<std::uint8_t, 2> random{};   // the random key part
  std::uint8_t marker_random = 0;         // random bits for the marker byte
};

[[nodiscard]] Bytes obfuscate(ByteView plain, const ObfuscationKey& key, const ObfuscationParams& params);

// The first byte of a plain datagram, or a datagram too short to be obfuscated:
// passed through untouched, as aMule does.
[[nodiscard]] bool looks_plain(ByteView datagram);

struct Deobfuscated {
  Bytes plain;                      // the original datagram, protocol byte first
  std::uint32_t receiver_verify_key = 0;
  std::uint32_t sender_verify_key = 0;
  bool with_node_id_key = false;    // else with the receiver-key key
};

// Tries our node ID key and our verify key for the sender (the marker's low
// bits say which first). nullopt: not an obfuscated Kad datagram for us
// (wrong magic with both keys, or too short).
[[nodiscard]] std::optional<Deobfuscated> deobfuscate(ByteView datagram, const KadId& own_id,
                                                      std::uint32_t own_verify_key_for_sender);

// The verify key we give peer `ip_ed2k` (reference §3.4): MD5 of the 8-byte LE
// value (udp_key << 32 | ip), the four LE words of the digest XORed, then
// % 0xFFFFFFFE + 1 (never 0).
[[nodiscard]] std::uint32_t verify_key(std::uint32_t udp_key, std::uint32_t ip_ed2k);

}  // namespace mulenet::kad
