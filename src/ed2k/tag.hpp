#pragma once
// eD2k tags (reference §0.5): a typed value named by a one-byte id or a
// string. Read in both layouts aMule reads:
//   old      type:1  name_length:2  name  value      (name_length 1: the name is an id)
//   compact  type|0x80:1  id:1  value                 (STR1..STR16 carry their length in the type)
// and written in the old layout, as aMule writes login, Hello and server.met
// tags. Values: integers (UINT8/16/32/64, BOOL), strings (STRING = length:2
// + bytes, STRn), FLOAT32, HASH16, BLOB (length:4), BSOB (length:1),
// BOOLARRAY (bits:2 + bits/8+1 bytes). An unknown type ends the parse, as in
// aMule.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ed2k/wire.hpp"

namespace mulenet::ed2k {

enum class TagType : std::uint8_t {
  hash16 = 0x01,
  string = 0x02,
  uint32 = 0x03,
  float32 = 0x04,
  boolean = 0x05,
  bool_array = 0x06,
  blob = 0x07,
  uint16 = 0x08,
  uint8 = 0x09,
  bsob = 0x0A,
  uint64 = 0x0B,
  str1 = 0x11,   // STR1..STR16: 0x11..0x20, a string of (type - 0x10) bytes
  str16 = 0x20,
};

struct Tag {
  TagType type = TagType::uint32;
  std::uint8_t id = 0;     // the name, when it is one byte
  std::string name;        // the name, when it is a string (then id is 0)
  std::uint64_t integer = 0;  // uint8/16/32/64, boolean
  std::string text;           // string, str1..str16
  float real = 0;             // float32
  Hash16 hash{};              // hash16
  Bytes blob;                 // blob, bsob, bool_array

  [[nodiscard]] bool is_integer() const;
  [[nodiscard]] bool is_string() const;

  static Tag make_uint32(std::uint8_t id, std::uint32_t value);
  static Tag make_string(std::uint8_t id, std::string value);
  static Tag make_named_uint32(std::string name, std::uint32_t value);
};

// One tag from `r`; nullopt (and r.fail()) on a short read or an unknown type.
[[nodiscard]] std::optional<Tag> read_tag(WireReader& r, std::string* error = nullptr);
// `count` tags; nullopt on the first bad one. A count that cannot fit in
// what remains (every tag takes 3 bytes at least) fails at once.
[[nodiscard]] std::optional<std::vector<Tag>> read_tags(WireReader& r, std::uint32_t count,
                                                         std::string* error = nullptr);

void write_tag(WireWriter& w, const Tag& tag);  // old layout

// The value alone, by tag.type (set before reading), shared by the eD2k and
// Kad tag layouts, which differ only in how the type and name are written.
// read_tag_value: false for a type it does not know (nothing read).
[[nodiscard]] bool read_tag_value(WireReader& r, Tag& tag);
void write_tag_value(WireWriter& w, const Tag& tag);

// The first tag named `id` in `tags`.
[[nodiscard]] const Tag* find_tag(const std::vector<Tag>& tags, std::uint8_t id);
[[nodiscard]] const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name);

}  // namespace mulenet::ed2k
