#pragma once
// EC's "UTF-8 numbers" (frames with flag 0x02): every integer of the frame
// and tag headers is written as one character of the old FSS-UTF form, 1 to 6
// bytes for values up to 0x7FFFFFFF, not RFC 3629 UTF-8 (which stops at
// 0x10FFFF and refuses surrogates, both of which tag lengths reach).
// Pure functions; overlong forms are refused as aMule's utf8_mbtowc refuses them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mulenet::ec {

inline constexpr std::uint32_t kMaxUtf8Number = 0x7FFFFFFF;

// Appends the shortest form of `value` (<= kMaxUtf8Number) to `out`; false when too big.
bool append_utf8_number(std::vector<std::uint8_t>& out, std::uint32_t value);

struct Utf8Number {
  std::uint32_t value = 0;
  std::size_t size = 0;  // bytes taken
};
// The number at the start of `in`; nullopt when truncated, overlong or malformed.
[[nodiscard]] std::optional<Utf8Number> read_utf8_number(std::span<const std::uint8_t> in);

}  // namespace mulenet::ec
