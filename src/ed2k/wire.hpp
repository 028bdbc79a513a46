#pragma once
// Little-endian reading and writing for eD2k packets and files (every eD2k
// integer is little-endian, reference §0.1). The reader never reads past its
// end: a short read sets `failed` and returns zeros, so a decoder checks
// `ok()` once at the end instead of after every field.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mulenet::ed2k {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Hash16 = std::array<std::uint8_t, 16>;

class WireReader {
 public:
  explicit WireReader(ByteView data) : data_(data) {}

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  float f32();
  Hash16 hash16();
  // n raw bytes (empty and failed when fewer remain).
  ByteView bytes(std::size_t n);
  std::string text(std::size_t n);

  [[nodiscard]] bool ok() const { return !failed_; }
  [[nodiscard]] std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  void fail() { failed_ = true; }

 private:
  bool take(std::size_t n);
  ByteView data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

class WireWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void f32(float v);
  void bytes(ByteView b);
  void text(std::string_view s);
  // Overwrites 4 bytes at `offset` (a length or count known only later).
  void patch_u32(std::size_t offset, std::uint32_t v);

  [[nodiscard]] std::size_t size() const { return out_.size(); }
  [[nodiscard]] const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// IPv4 in ed2k order (reference §0.2): the integer a + b<<8 + c<<16 + d<<24
// for a.b.c.d, written little-endian, so the wire bytes are a b c d.
[[nodiscard]] std::uint32_t ed2k_order(const std::array<std::uint8_t, 4>& dotted);
[[nodiscard]] std::array<std::uint8_t, 4> dotted_from_ed2k(std::uint32_t id);
[[nodiscard]] std::string dotted_text(std::uint32_t ed2k_ip);  // "a.b.c.d"

}  // namespace mulenet::ed2k
