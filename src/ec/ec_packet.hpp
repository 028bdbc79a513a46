#pragma once
// EC frames, as pure functions (reference next-capabilities.md §1.2):
//   flags u32 BE | length u32 BE (bytes after these 8) | body
//   body = opcode, tag count, tags; with flag 0x01 the whole body is one zlib
//   stream, with flag 0x02 the header integers are FSS-UTF numbers.
//   tag  = name<<1|has_children (u16), type (u8), length (u32: own data plus
//          each child's logical size), [child count (u16), children], data
// The decoder is for hostile input: every length is checked against what is
// there, nesting and the number of tags are bounded, zlib output is bounded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ec/ec_codes.hpp"
#include "ec/ec_tag.hpp"

namespace mulenet::ec {

struct Packet {
  Op opcode = Op::noop;
  std::vector<Tag> tags;
};

inline constexpr std::size_t kFrameHeaderSize = 8;
// Before a login succeeds a server refuses frames that would not fit aMule's
// 2 KiB receive buffer (EC_SOCKET_BUFFER_SIZE); afterwards aMule 2.3.3 takes
// up to 16 MiB.
inline constexpr std::size_t kMaxFrameBeforeLogin = 2048;
inline constexpr std::size_t kMaxFrame = 16 * 1024 * 1024;

struct DecodeLimits {
  std::size_t max_body = kMaxFrame;  // after inflating
  std::size_t max_depth = 16;        // nesting of tags (aMule's deepest is 3)
  std::size_t max_tags = 200'000;    // in one packet (a server list of thousands)
};

struct FrameHeader {
  std::uint32_t flags = 0;
  std::uint32_t length = 0;  // body bytes on the wire
};
// The header at the start of `bytes` (at least 8); nullopt with `error` set
// when the flags are not EC's (flags & 0x60 != 0x20, or an unknown bit).
[[nodiscard]] std::optional<FrameHeader> parse_frame_header(std::span<const std::uint8_t> bytes, std::string& error);

struct Decoded {
  std::optional<Packet> packet;
  std::string error;  // why not, naming the byte or field
};
[[nodiscard]] Decoded decode_body(std::uint32_t flags, std::span<const std::uint8_t> body,
                                  const DecodeLimits& limits = {});

// A whole frame (header and body) with these flags (kFlagBase, maybe
// kFlagZlib and/or kFlagUtf8Numbers). Zlib is left out if it fails. Empty
// when the packet cannot be framed so (a count or length too large for it).
[[nodiscard]] Bytes encode_frame(const Packet& packet, std::uint32_t flags);

// The flags aMule's WritePacket chooses: zlib for bodies over 1 KiB when the
// peer can inflate, else UTF-8 numbers when it reads them, else neither.
[[nodiscard]] std::uint32_t choose_flags(std::size_t body_size, bool peer_can_zlib, bool peer_can_utf8_numbers);

// The body alone (used by choose_flags callers to learn the size); empty when unencodable.
[[nodiscard]] Bytes encode_body(const Packet& packet, bool utf8_numbers);

}  // namespace mulenet::ec
