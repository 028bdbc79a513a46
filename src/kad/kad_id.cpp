#include "kad/kad_id.hpp"

#include <fmt/format.h>

namespace mulenet::kad {

std::uint32_t KadId::chunk(int i) const
{
  const auto at = static_cast<std::size_t>(i) * 4;
  return static_cast<std::uint32_t>(wire[at]) | (static_cast<std::uint32_t>(wire[at + 1]) << 8) |
         (static_cast<std::uint32_t>(wire[at + 2]) << 16) | (static_cast<std::uint32_t>(wire[at + 3]) << 24);
}

unsigned KadId::bit(unsigned n) const
{
  const std::uint32_t c = chunk(static_cast<int>(n / 32));
  return (c >> (31 - n % 32)) & 1u;
}

KadId KadId::operator^(const KadId& other) const
{
  KadId r;
  for (std::size_t i = 0; i < 16; ++i) r.wire[i] = static_cast<std::uint8_t>(wire[i] ^ other.wire[i]);
  return r;
}

KadId KadId::operator~() const
{
  KadId r;
  for (std::size_t i = 0; i < 16; ++i) r.wire[i] = static_cast<std::uint8_t>(~wire[i]);
  return r;
}

bool KadId::is_zero() const
{
  for (const auto b : wire)
    if (b != 0) return false;
  return true;
}

bool KadId::operator<(const KadId& other) const
{
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t a = chunk(i), b = other.chunk(i);
    if (a != b) return a < b;
  }
  return false;
}

std::string KadId::hex() const
{
  return fmt::format("{:08X}{:08X}{:08X}{:08X}", chunk(0), chunk(1), chunk(2), chunk(3));
}

KadId KadId::from_hash(const std::array<std::uint8_t, 16>& h)
{
  KadId id;
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t b = 0; b < 4; ++b) id.wire[c * 4 + b] = h[c * 4 + 3 - b];
  return id;
}

std::array<std::uint8_t, 16> KadId::to_hash() const
{
  std::array<std::uint8_t, 16> h{};
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t b = 0; b < 4; ++b) h[c * 4 + 3 - b] = wire[c * 4 + b];
  return h;
}

std::optional<KadId> KadId::from_hex(std::string_view text)
{
  if (text.size() != 32) return std::nullopt;
  KadId id;
  for (int c = 0; c < 4; ++c) {
    std::uint32_t value = 0;
    for (std::size_t d = 0; d < 8; ++d) {
      const char ch = text[static_cast<std::size_t>(c) * 8 + d];
      unsigned v = 0;
      if (ch >= '0' && ch <= '9') v = static_cast<unsigned>(ch - '0');
      else if (ch >= 'a' && ch <= 'f') v = static_cast<unsigned>(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F') v = static_cast<unsigned>(ch - 'A' + 10);
      else return std::nullopt;
      value = (value << 4) | v;
    }
    for (std::size_t b = 0; b < 4; ++b)
      id.wire[static_cast<std::size_t>(c) * 4 + b] = static_cast<std::uint8_t>((value >> (8 * b)) & 0xFF);
  }
  return id;
}

}  // namespace mulenet::kad
