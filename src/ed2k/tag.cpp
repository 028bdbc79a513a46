#include "ed2k/tag.hpp"

#include <fmt/format.h>

namespace mulenet::ed2k {
namespace {

// The smallest tag: compact layout, one-byte value.
constexpr std::size_t kMinTagSize = 3;

bool set_error(std::string* error, std::string text)
{
  if (error) *error = std::move(text);
  return false;
}

}  // namespace

bool Tag::is_integer() const
{
  return type == TagType::uint8 || type == TagType::uint16 || type == TagType::uint32 || type == TagType::uint64 ||
         type == TagType::boolean;
}

bool Tag::is_string() const
{
  const auto t = static_cast<std::uint8_t>(type);
  return type == TagType::string || (t >= 0x11 && t <= 0x20);
}

Tag Tag::make_uint32(std::uint8_t id, std::uint32_t value)
{
  Tag t;
  t.type = TagType::uint32;
  t.id = id;
  t.integer = value;
  return t;
}

Tag Tag::make_string(std::uint8_t id, std::string value)
{
  Tag t;
  t.type = TagType::string;
  t.id = id;
  t.text = std::move(value);
  return t;
}

Tag Tag::make_named_uint32(std::string name, std::uint32_t value)
{
  Tag t = make_uint32(0, value);
  t.name = std::move(name);
  return t;
}

bool read_tag_value(WireReader& r, Tag& t)
{
  const auto type = static_cast<std::uint8_t>(t.type);
  if (type >= 0x11 && type <= 0x20) {
    t.text = r.text(type - 0x10u);
    return true;
  }
  switch (t.type) {
    case TagType::hash16: t.hash = r.hash16(); break;
    case TagType::string: t.text = r.text(r.u16()); break;
    case TagType::uint32: t.integer = r.u32(); break;
    case TagType::float32: t.real = r.f32(); break;
    case TagType::boolean: t.integer = r.u8(); break;
    case TagType::bool_array: {
      const std::uint16_t bits = r.u16();
      const ByteView b = r.bytes(bits / 8u + 1u);
      t.blob.assign(b.begin(), b.end());
      break;
    }
    case TagType::blob: {
      const std::uint32_t n = r.u32();
      if (n > r.remaining()) {  // never allocate more than what arrived
        r.fail();
        break;
      }
      const ByteView b = r.bytes(n);
      t.blob.assign(b.begin(), b.end());
      break;
    }
    case TagType::uint16: t.integer = r.u16(); break;
    case TagType::uint8: t.integer = r.u8(); break;
    case TagType::bsob: {
      const ByteView b = r.bytes(r.u8());
      t.blob.assign(b.begin(), b.end());
      break;
    }
    case TagType::uint64: t.integer = r.u64(); break;
    default: return false;
  }
  return true;
}

void write_tag_value(WireWriter& w, const Tag& t)
{
  const auto type = static_cast<std::uint8_t>(t.type);
  if (type >= 0x11 && type <= 0x20) {
    w.text(std::string_view(t.text).substr(0, type - 0x10u));
    return;
  }
  switch (t.type) {
    case TagType::hash16: w.bytes(t.hash); break;
    case TagType::string:
      w.u16(static_cast<std::uint16_t>(std::min<std::size_t>(t.text.size(), 0xFFFF)));
      w.text(std::string_view(t.text).substr(0, 0xFFFF));
      break;
    case TagType::uint32: w.u32(static_cast<std::uint32_t>(t.integer)); break;
    case TagType::float32: w.f32(t.real); break;
    case TagType::boolean: w.u8(static_cast<std::uint8_t>(t.integer)); break;
    case TagType::bool_array:
      w.u16(static_cast<std::uint16_t>(t.blob.empty() ? 0 : (t.blob.size() - 1) * 8));
      w.bytes(t.blob);
      break;
    case TagType::blob:
      w.u32(static_cast<std::uint32_t>(t.blob.size()));
      w.bytes(t.blob);
      break;
    case TagType::uint16: w.u16(static_cast<std::uint16_t>(t.integer)); break;
    case TagType::uint8: w.u8(static_cast<std::uint8_t>(t.integer)); break;
    case TagType::bsob:
      w.u8(static_cast<std::uint8_t>(std::min<std::size_t>(t.blob.size(), 0xFF)));
      w.bytes(ByteView(t.blob).first(std::min<std::size_t>(t.blob.size(), 0xFF)));
      break;
    case TagType::uint64: w.u64(t.integer); break;
    default: break;
  }
}

std::optional<Tag> read_tag(WireReader& r, std::string* error)
{
  Tag t;
  std::uint8_t type = r.u8();
  if (type & 0x80) {  // compact: the id follows, no name length
    type = static_cast<std::uint8_t>(type & 0x7F);
    t.id = r.u8();
  } else {
    const std::uint16_t name_length = r.u16();
    if (name_length == 1) t.id = r.u8();
    else t.name = r.text(name_length);
  }
  if (!r.ok()) {
    set_error(error, "tag cut short in its name");
    return std::nullopt;
  }
  t.type = static_cast<TagType>(type);
  if (!read_tag_value(r, t)) {
    r.fail();
    set_error(error, fmt::format("unknown tag type 0x{:02X}", type));
    return std::nullopt;
  }
  if (!r.ok()) {
    set_error(error, fmt::format("tag of type 0x{:02X} cut short in its value", type));
    return std::nullopt;
  }
  return t;
}

std::optional<std::vector<Tag>> read_tags(WireReader& r, std::uint32_t count, std::string* error)
{
  if (count > r.remaining() / kMinTagSize) {
    set_error(error, fmt::format("{} tags announced, but only {} bytes follow", count, r.remaining()));
    r.fail();
    return std::nullopt;
  }
  std::vector<Tag> tags;
  tags.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    auto t = read_tag(r, error);
    if (!t) return std::nullopt;
    tags.push_back(std::move(*t));
  }
  return tags;
}

void write_tag(WireWriter& w, const Tag& t)
{
  w.u8(static_cast<std::uint8_t>(t.type));
  if (t.name.empty()) {
    w.u16(1);
    w.u8(t.id);
  } else {
    w.u16(static_cast<std::uint16_t>(t.name.size()));
    w.text(t.name);
  }
  write_tag_value(w, t);
}

const Tag* find_tag(const std::vector<Tag>& tags, std::uint8_t id)
{
  for (const Tag& t : tags)
    if (t.name.empty() && t.id == id) return &t;
  return nullptr;
}

const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name)
{
  for (const Tag& t : tags)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace mulenet::ed2k
