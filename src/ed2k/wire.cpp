#include "ed2k/wire.hpp"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace mulenet::ed2k {

bool WireReader::take(std::size_t n)
{
  if (failed_ || data_.size() - pos_ < n) {
    failed_ = true;
    return false;
  }
  return true;
}

std::uint8_t WireReader::u8()
{
  if (!take(1)) return 0;
  return data_[pos_++];
}

std::uint16_t WireReader::u16()
{
  if (!take(2)) return 0;
  const auto v = static_cast<std::uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
  pos_ += 2;
  return v;
}

std::uint32_t WireReader::u32()
{
  if (!take(4)) return 0;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(data_[pos_ + i]) << (8 * i);
  pos_ += 4;
  return v;
}

std::uint64_t WireReader::u64()
{
  const std::uint64_t low = u32();
  const std::uint64_t high = u32();
  return low | (high << 32);
}

float WireReader::f32() { return std::bit_cast<float>(u32()); }

Hash16 WireReader::hash16()
{
  Hash16 h{};
  if (!take(16)) return h;
  std::memcpy(h.data(), data_.data() + pos_, 16);
  pos_ += 16;
  return h;
}

ByteView WireReader::bytes(std::size_t n)
{
  if (!take(n)) return {};
  const ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

std::string WireReader::text(std::size_t n)
{
  const ByteView v = bytes(n);
  return std::string(v.begin(), v.end());
}

void WireWriter::u16(std::uint16_t v)
{
  out_.push_back(static_cast<std::uint8_t>(v & 0xFF));
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
}

void WireWriter::u32(std::uint32_t v)
{
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
}

void WireWriter::u64(std::uint64_t v)
{
  u32(static_cast<std::uint32_t>(v & 0xFFFFFFFFu));
  u32(static_cast<std::uint32_t>(v >> 32));
}

void WireWriter::f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }

// resize + memcpy rather than vector::insert: GCC 12 at -O2 warns falsely
// (-Wstringop-overflow) about inserting a range into a vector.
void WireWriter::bytes(ByteView b)
{
  if (b.empty()) return;
  const std::size_t at = out_.size();
  out_.resize(at + b.size());
  std::memcpy(out_.data() + at, b.data(), b.size());
}

void WireWriter::text(std::string_view s)
{
  if (s.empty()) return;
  const std::size_t at = out_.size();
  out_.resize(at + s.size());
  std::memcpy(out_.data() + at, s.data(), s.size());
}

void WireWriter::patch_u32(std::size_t offset, std::uint32_t v)
{
  if (offset + 4 > out_.size()) return;
  for (std::size_t i = 0; i < 4; ++i) out_[offset + i] = static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF);
}

std::uint32_t ed2k_order(const std::array<std::uint8_t, 4>& d)
{
  return static_cast<std::uint32_t>(d[0]) | (static_cast<std::uint32_t>(d[1]) << 8) |
         (static_cast<std::uint32_t>(d[2]) << 16) | (static_cast<std::uint32_t>(d[3]) << 24);
}

std::array<std::uint8_t, 4> dotted_from_ed2k(std::uint32_t id)
{
  return {static_cast<std::uint8_t>(id & 0xFF), static_cast<std::uint8_t>((id >> 8) & 0xFF),
          static_cast<std::uint8_t>((id >> 16) & 0xFF), static_cast<std::uint8_t>(id >> 24)};
}

std::string dotted_text(std::uint32_t ed2k_ip)
{
  const auto d = dotted_from_ed2k(ed2k_ip);
  return fmt::format("{}.{}.{}.{}", d[0], d[1], d[2], d[3]);
}

}  // namespace mulenet::ed2k
