#pragma once
// Kad datagrams (reference §3.1): protocol:1 opcode:1 payload, no length.
// 0xE4 plain, 0xE5 packed (the payload after the opcode is zlib). aMule packs
// a payload over 200 bytes; a received packed one inflates to at most
// len*10+300 bytes there, and to at most kMaxInflated here.
#include <cstdint>
#include <optional>
#include <string>

#include "ed2k/wire.hpp"

namespace mulenet::kad {

using ed2k::ByteView;
using ed2k::Bytes;

inline constexpr std::uint8_t kProtoKad = 0xE4;
inline constexpr std::uint8_t kProtoKadPacked = 0xE5;
inline constexpr std::uint8_t kProtoEmule = 0xC5;
inline constexpr std::size_t kPackAbove = 200;
inline constexpr std::size_t kMaxDatagram = 16384;  // UDP_BUFFER_SIZE
inline constexpr std::size_t kMaxInflated = 64 * 1024;

struct Datagram {
  std::uint8_t protocol = kProtoKad;  // kProtoKad or kProtoEmule after decoding (never packed)
  std::uint8_t opcode = 0;
  Bytes payload;
};

// Plain bytes (packed with zlib when the payload is over 200 bytes and that helps).
[[nodiscard]] Bytes encode_datagram(const Datagram& d);

struct DecodedDatagram {
  std::optional<Datagram> datagram;
  std::string error;
};
// One plain (already de-obfuscated) datagram; 0xE5 is inflated. Fails on
// fewer than 2 bytes, another protocol, or bad / oversized zlib data.
[[nodiscard]] DecodedDatagram decode_datagram(ByteView bytes);

}  // namespace mulenet::kad
