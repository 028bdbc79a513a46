#pragma once
// An EC tag: a name, a type, its own data and child tags (an EC packet is an
// opcode and a list of tags). Values are made and read here; how tags are
// framed on the wire is ec_packet's job. Integers are big-endian on the wire
// and sent in the smallest type that holds them, as aMule does (InitInt).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ec/ec_codes.hpp"

namespace mulenet::ec {

using Bytes = std::vector<std::uint8_t>;
using Hash16 = std::array<std::uint8_t, 16>;

struct Ipv4Port {
  std::array<std::uint8_t, 4> address{};  // dotted order
  std::uint16_t port = 0;
  [[nodiscard]] std::string str() const;  // "a.b.c.d:port"
};

struct Tag {
  std::uint16_t name = 0;
  TagType type = TagType::custom;
  Bytes data;                // this tag's own value, without its children
  std::vector<Tag> children;

  // Tags of each type. `uint` chooses u8/u16/u32/u64 by the value.
  static Tag empty(std::uint16_t name);  // the CAN_* flags: custom, no data
  static Tag uint(std::uint16_t name, std::uint64_t value);
  static Tag u8(std::uint16_t name, std::uint8_t value);
  static Tag u16(std::uint16_t name, std::uint16_t value);
  static Tag u64(std::uint16_t name, std::uint64_t value);
  static Tag string(std::uint16_t name, std::string_view text);
  static Tag ipv4(std::uint16_t name, const Ipv4Port& endpoint);
  static Tag hash16(std::uint16_t name, const Hash16& hash);
  static Tag uint128(std::uint16_t name, const Hash16& value);

  // The value, when the tag has that type (any integer type for as_uint).
  [[nodiscard]] std::optional<std::uint64_t> as_uint() const;
  [[nodiscard]] std::optional<std::string> as_string() const;
  [[nodiscard]] std::optional<Ipv4Port> as_ipv4() const;
  [[nodiscard]] std::optional<Hash16> as_hash16() const;  // hash16 or uint128

  // The first child with that name, or nullptr.
  [[nodiscard]] const Tag* child(std::uint16_t child_name) const;

  // aMule's GetTagLen: own data plus each child's length and its fixed-width
  // header (7 bytes, 2 more when it has children). The same in both framings.
  [[nodiscard]] std::uint64_t logical_length() const;
};

// The first tag with that name in a list, or nullptr.
[[nodiscard]] const Tag* find_tag(const std::vector<Tag>& tags, std::uint16_t name);

}  // namespace mulenet::ec
