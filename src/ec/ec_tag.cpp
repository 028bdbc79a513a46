#include "ec/ec_tag.hpp"

#include <fmt/format.h>

namespace mulenet::ec {
namespace {

Bytes big_endian(std::uint64_t value, std::size_t size)
{
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[size - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  return out;
}

std::optional<std::size_t> integer_size(TagType type)
{
  switch (type) {
    case TagType::u8: return 1;
    case TagType::u16: return 2;
    case TagType::u32: return 4;
    case TagType::u64: return 8;
    default: return std::nullopt;
  }
}

}  // namespace

std::string Ipv4Port::str() const
{
  return fmt::format("{}.{}.{}.{}:{}", address[0], address[1], address[2], address[3], port);
}

Tag Tag::empty(std::uint16_t name) { return Tag{name, TagType::custom, {}, {}}; }
Tag Tag::u8(std::uint16_t name, std::uint8_t value) { return Tag{name, TagType::u8, big_endian(value, 1), {}}; }
Tag Tag::u16(std::uint16_t name, std::uint16_t value) { return Tag{name, TagType::u16, big_endian(value, 2), {}}; }
Tag Tag::u64(std::uint16_t name, std::uint64_t value) { return Tag{name, TagType::u64, big_endian(value, 8), {}}; }

Tag Tag::uint(std::uint16_t name, std::uint64_t value)
{
  if (value <= 0xFF) return u8(name, static_cast<std::uint8_t>(value));
  if (value <= 0xFFFF) return u16(name, static_cast<std::uint16_t>(value));
  if (value <= 0xFFFFFFFF) return Tag{name, TagType::u32, big_endian(value, 4), {}};
  return u64(name, value);
}

Tag Tag::string(std::uint16_t name, std::string_view text)
{
  Tag t{name, TagType::string, Bytes(text.begin(), text.end()), {}};
  t.data.push_back(0);
  return t;
}

Tag Tag::ipv4(std::uint16_t name, const Ipv4Port& endpoint)
{
  Tag t{name, TagType::ipv4, Bytes(endpoint.address.begin(), endpoint.address.end()), {}};
  t.data.push_back(static_cast<std::uint8_t>(endpoint.port >> 8));
  t.data.push_back(static_cast<std::uint8_t>(endpoint.port));
  return t;
}

Tag Tag::hash16(std::uint16_t name, const Hash16& hash) { return Tag{name, TagType::hash16, Bytes(hash.begin(), hash.end()), {}}; }
Tag Tag::uint128(std::uint16_t name, const Hash16& value)
{
  return Tag{name, TagType::uint128, Bytes(value.begin(), value.end()), {}};
}

std::optional<std::uint64_t> Tag::as_uint() const
{
  const auto size = integer_size(type);
  if (!size || data.size() != *size) return std::nullopt;
  std::uint64_t value = 0;
  for (const std::uint8_t b : data) value = (value << 8) | b;
  return value;
}

std::optional<std::string> Tag::as_string() const
{
  if (type != TagType::string && type != TagType::dbl) return std::nullopt;
  std::string text(data.begin(), data.end());
  if (const auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
  return text;
}

std::optional<Ipv4Port> Tag::as_ipv4() const
{
  if (type != TagType::ipv4 || data.size() != 6) return std::nullopt;
  Ipv4Port e;
  for (std::size_t i = 0; i < 4; ++i) e.address[i] = data[i];
  e.port = static_cast<std::uint16_t>(data[4] << 8 | data[5]);
  return e;
}

std::optional<Hash16> Tag::as_hash16() const
{
  if ((type != TagType::hash16 && type != TagType::uint128) || data.size() != 16) return std::nullopt;
  Hash16 h{};
  for (std::size_t i = 0; i < 16; ++i) h[i] = data[i];
  return h;
}

const Tag* Tag::child(std::uint16_t child_name) const { return find_tag(children, child_name); }

std::uint64_t Tag::logical_length() const
{
  std::uint64_t length = data.size();
  for (const Tag& c : children) length += c.logical_length() + 7 + (c.children.empty() ? 0 : 2);
  return length;
}

const Tag* find_tag(const std::vector<Tag>& tags, std::uint16_t name)
{
  for (const Tag& t : tags) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace mulenet::ec
