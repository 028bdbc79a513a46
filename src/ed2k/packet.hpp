#pragma once
// eD2k TCP framing (reference §1.1), the same for server and client sockets:
//
//   protocol:1  length:4 (LE, payload + 1 for the opcode)  opcode:1  payload
//
// protocol 0xE3 eDonkey, 0xC5 eMule extended, 0xD4 zlib-packed (the payload
// is zlib data, the opcode stays in clear). A length of 0, more than
// kMaxPacketSize, or another protocol byte kills the connection in aMule, and
// does here too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ed2k/wire.hpp"

namespace mulenet::ed2k {

inline constexpr std::uint8_t kProtoEdonkey = 0xE3;
inline constexpr std::uint8_t kProtoPacked = 0xD4;
inline constexpr std::uint8_t kProtoEmule = 0xC5;
inline constexpr std::size_t kHeaderSize = 6;
inline constexpr std::uint32_t kMaxPacketSize = 2'000'000;  // MAX_PACKET_SIZE
inline constexpr std::size_t kMaxInflatedSize = 250'000;    // what aMule inflates on a server socket

struct Packet {
  std::uint8_t protocol = kProtoEdonkey;
  std::uint8_t opcode = 0;
  Bytes payload;
};

enum class FrameStatus { complete, need_more, failed };

struct Frame {
  FrameStatus status = FrameStatus::need_more;
  Packet packet;             // complete
  std::size_t consumed = 0;  // complete: bytes of this packet at the front of the buffer
  std::string error;         // failed: what was wrong, for humans
};

// The first packet in `buffered` (all bytes received and not yet consumed).
// need_more while the header or body is incomplete; failed as soon as the
// header is known to be bad (so a hostile peer cannot make us buffer more).
[[nodiscard]] Frame parse_frame(ByteView buffered);

[[nodiscard]] Bytes encode_packet(const Packet& packet);

// 0xD4 form of a packet (zlib, best compression), or the packet unchanged
// when packing does not make it smaller (as aMule does).
[[nodiscard]] Packet pack(const Packet& packet);

struct Unpacked {
  bool ok = false;
  Packet packet;  // protocol set to `as_protocol`
  std::string error;
};
// Inflates a 0xD4 packet; more than `max_size` bytes inflated, or bad zlib
// data, is an error (a zlib bomb costs at most max_size bytes of memory).
[[nodiscard]] Unpacked unpack(const Packet& packed, std::uint8_t as_protocol, std::size_t max_size = kMaxInflatedSize);

}  // namespace mulenet::ed2k
