#pragma once
// 128-bit Kad values (reference §0.4): node IDs, targets, and MD4 hashes
// carried in Kad fields. Kept as their 16 wire bytes (four 32-bit chunks,
// most significant chunk first, each chunk little-endian): only distances
// and comparisons need the numeric value.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::kad {

struct KadId {
  std::array<std::uint8_t, 16> wire{};

  // The numeric value's 32-bit chunk i (0 = most significant).
  [[nodiscard]] std::uint32_t chunk(int i) const;
  // Bit n of the number (0 = most significant), as CUInt128::GetBitNumber.
  [[nodiscard]] unsigned bit(unsigned n) const;
  [[nodiscard]] KadId operator^(const KadId& other) const;  // XOR distance
  [[nodiscard]] KadId operator~() const;                    // bitwise NOT (buddy IDs)
  [[nodiscard]] bool is_zero() const;
  // Numeric order (of distances, say).
  [[nodiscard]] bool operator<(const KadId& other) const;
  bool operator==(const KadId&) const = default;

  [[nodiscard]] std::string hex() const;  // the number, most significant digit first (as aMule prints it)

  // An MD4 hash h0..h15 as aMule puts it in a Kad field (SetValueBE: byte 0 is
  // the most significant): wire h3 h2 h1 h0 h7 h6 h5 h4 ...
  [[nodiscard]] static KadId from_hash(const std::array<std::uint8_t, 16>& hash);
  [[nodiscard]] std::array<std::uint8_t, 16> to_hash() const;  // the inverse
  [[nodiscard]] static std::optional<KadId> from_hex(std::string_view hex);  // 32 hex digits, as hex()
};

}  // namespace mulenet::kad
