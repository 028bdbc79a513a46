#include "ec/ec_packet.hpp"

#include <fmt/format.h>

#include "ec/ec_number.hpp"
#include "net/zlib_stream.hpp"

namespace mulenet::ec {
namespace {

// Header integers: fixed-width big-endian, or FSS-UTF numbers (flag 0x02).
// Writes the header integers in one framing. A value that framing cannot
// carry (over its field's `width` bytes, or over 0x7FFFFFFF as an FSS-UTF
// number: e.g. more than 65535 tags under one parent) makes the whole packet unencodable,
// never a frame with a silently cut or mixed-width number.
class HeaderWriter {
 public:
  explicit HeaderWriter(bool utf8) : utf8_(utf8) {}
  void number(std::uint64_t value, std::size_t width)
  {
    // The field's own size bounds it in both framings (aMule reads a count
    // into 16 bits even when it came as an FSS-UTF number).
    if (width < 8 && value >> (8 * width) != 0) {
      ok_ = false;
      return;
    }
    if (utf8_) {
      if (value > 0x7FFFFFFFu || !append_utf8_number(out_, static_cast<std::uint32_t>(value))) ok_ = false;
      return;
    }
    for (std::size_t i = width; i > 0; --i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * (i - 1))));
  }
  void raw(const Bytes& data) { out_.insert(out_.end(), data.begin(), data.end()); }
  [[nodiscard]] bool ok() const { return ok_; }
  Bytes take() { return std::move(out_); }

 private:
  bool utf8_;
  bool ok_ = true;
  Bytes out_;
};

void write_tag(HeaderWriter& w, const Tag& t)
{
  const bool has_children = !t.children.empty();
  w.number(static_cast<std::uint32_t>(t.name) << 1 | (has_children ? 1u : 0u), 2);
  w.number(static_cast<std::uint32_t>(t.type), 1);
  w.number(t.logical_length(), 4);
  if (has_children) {
    w.number(t.children.size(), 2);
    for (const Tag& c : t.children) write_tag(w, c);
  }
  w.raw(t.data);
}

class BodyReader {
 public:
  BodyReader(std::span<const std::uint8_t> body, bool utf8, const DecodeLimits& limits)
      : body_(body), utf8_(utf8), limits_(limits)
  {
  }

  std::optional<Packet> packet()
  {
    const auto opcode = number(1, "opcode");
    const auto count = opcode ? number(2, "tag count") : std::nullopt;
    if (!count) return std::nullopt;
    Packet p;
    p.opcode = static_cast<Op>(*opcode);
    if (!tags(*count, 0, p.tags)) return std::nullopt;
    if (pos_ != body_.size()) return fail(fmt::format("{} byte(s) after the last tag", body_.size() - pos_));
    return p;
  }

  std::string error;

 private:
  std::nullopt_t fail(std::string why)
  {
    if (error.empty()) error = std::move(why);
    return std::nullopt;
  }

  std::optional<std::uint32_t> number(std::size_t width, const char* field)
  {
    const std::span<const std::uint8_t> rest = body_.subspan(pos_);
    if (utf8_) {
      const auto n = read_utf8_number(rest);
      if (!n) return fail(fmt::format("{} at byte {}: not a UTF-8 number", field, pos_));
      if (width < 4 && n->value >> (8 * width) != 0) {
        return fail(fmt::format("{} at byte {}: {} does not fit {} byte(s)", field, pos_, n->value, width));
      }
      pos_ += n->size;
      return n->value;
    }
    if (rest.size() < width) return fail(fmt::format("{} at byte {}: the frame ends", field, pos_));
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = value << 8 | rest[i];
    pos_ += width;
    return value;
  }

  bool tags(std::uint32_t count, std::size_t depth, std::vector<Tag>& out)
  {
    for (std::uint32_t i = 0; i < count; ++i) {
      // Each tag takes at least 3 bytes: a count larger than the frame fails here, not by allocating.
      if (pos_ >= body_.size()) {
        fail(fmt::format("{} tag(s) announced, the frame ends after {}", count, i));
        return false;
      }
      auto t = tag(depth);
      if (!t) return false;
      out.push_back(std::move(*t));
    }
    return true;
  }

  std::optional<Tag> tag(std::size_t depth)
  {
    if (depth >= limits_.max_depth) return fail(fmt::format("tags nested deeper than {}", limits_.max_depth));
    if (++tag_count_ > limits_.max_tags) return fail(fmt::format("more than {} tags", limits_.max_tags));
    const std::size_t start = pos_;
    const auto name = number(2, "tag name");
    const auto type = name ? number(1, "tag type") : std::nullopt;
    const auto length = type ? number(4, "tag length") : std::nullopt;
    if (!length) return std::nullopt;
    Tag t;
    t.name = static_cast<std::uint16_t>(*name >> 1);
    t.type = static_cast<TagType>(*type);
    if (*name & 1) {
      const auto count = number(2, "child count");
      if (!count || !tags(*count, depth + 1, t.children)) return std::nullopt;
    }
    std::uint64_t children_length = 0;
    for (const Tag& c : t.children) children_length += c.logical_length() + 7 + (c.children.empty() ? 0 : 2);
    // aMule 2.3.3 subtracts without looking (an unsigned wrap): refuse it.
    if (children_length > *length) {
      return fail(fmt::format("tag 0x{:04X} at byte {}: length {} is less than its children's {}", t.name, start,
                              *length, children_length));
    }
    const std::uint64_t data_length = *length - children_length;
    if (data_length > body_.size() - pos_) {
      return fail(fmt::format("tag 0x{:04X} at byte {}: {} data byte(s) announced, {} left", t.name, start,
                              data_length, body_.size() - pos_));
    }
    t.data.assign(body_.begin() + static_cast<std::ptrdiff_t>(pos_),
                  body_.begin() + static_cast<std::ptrdiff_t>(pos_ + data_length));
    pos_ += static_cast<std::size_t>(data_length);
    return t;
  }

  std::span<const std::uint8_t> body_;
  bool utf8_;
  const DecodeLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t tag_count_ = 0;
};

}  // namespace

std::optional<FrameHeader> parse_frame_header(std::span<const std::uint8_t> bytes, std::string& error)
{
  if (bytes.size() < kFrameHeaderSize) {
    error = "an EC frame header has 8 bytes";
    return std::nullopt;
  }
  auto u32 = [&](std::size_t at) {
    return std::uint32_t{bytes[at]} << 24 | std::uint32_t{bytes[at + 1]} << 16 | std::uint32_t{bytes[at + 2]} << 8 |
           bytes[at + 3];
  };
  FrameHeader h{u32(0), u32(4)};
  if ((h.flags & 0x60) != kFlagBase || (h.flags & kFlagUnknownMask) != 0) {
    error = fmt::format("not an EC frame: flags 0x{:08X}", h.flags);
    return std::nullopt;
  }
  return h;
}

Decoded decode_body(std::uint32_t flags, std::span<const std::uint8_t> body, const DecodeLimits& limits)
{
  Decoded d;
  net::Inflated inflated;
  if (flags & kFlagZlib) {
    inflated = net::inflate_bounded(body, limits.max_body);
    if (!inflated.ok()) {
      d.error = "zlib body: " + inflated.error;
      return d;
    }
    body = inflated.data;
  } else if (body.size() > limits.max_body) {
    d.error = fmt::format("body of {} bytes, more than {}", body.size(), limits.max_body);
    return d;
  }
  BodyReader reader(body, (flags & kFlagUtf8Numbers) != 0, limits);
  d.packet = reader.packet();
  d.error = std::move(reader.error);
  return d;
}

Bytes encode_body(const Packet& packet, bool utf8_numbers)
{
  HeaderWriter w(utf8_numbers);
  w.number(static_cast<std::uint32_t>(packet.opcode), 1);
  w.number(packet.tags.size(), 2);
  for (const Tag& t : packet.tags) write_tag(w, t);
  return w.ok() ? w.take() : Bytes{};
}

Bytes encode_frame(const Packet& packet, std::uint32_t flags)
{
  Bytes body = encode_body(packet, (flags & kFlagUtf8Numbers) != 0);
  if (body.empty()) return {};  // unencodable (a body always holds at least the opcode and count)
  if (flags & kFlagZlib) {
    if (auto packed = net::deflate_best(body)) {
      body = std::move(*packed);
    } else {
      flags &= ~kFlagZlib;
    }
  }
  Bytes frame;
  frame.reserve(kFrameHeaderSize + body.size());
  for (const std::uint32_t v : {flags, static_cast<std::uint32_t>(body.size())}) {
    for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

std::uint32_t choose_flags(std::size_t body_size, bool peer_can_zlib, bool peer_can_utf8_numbers)
{
  if (body_size > 1024 && peer_can_zlib) return kFlagBase | kFlagZlib;
  if (peer_can_utf8_numbers) return kFlagBase | kFlagUtf8Numbers;
  return kFlagBase;
}

}  // namespace mulenet::ec
