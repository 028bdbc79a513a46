#include "ed2k/hello.hpp"

#include <fmt/format.h>

namespace mulenet::ed2k {
namespace {

std::uint64_t integer_tag(const std::vector<Tag>& tags, std::uint8_t id)
{
  const Tag* t = find_tag(tags, id);
  return t && t->is_integer() ? t->integer : 0;
}

void encode_body(WireWriter& w, const Hello& h)
{
  w.bytes(h.user_hash);
  w.u32(h.user_id);
  w.u16(h.tcp_port);
  w.u32(static_cast<std::uint32_t>(h.tags.size()));
  for (const Tag& t : h.tags) write_tag(w, t);
  w.u32(h.server_ip);
  w.u16(h.server_port);
}

}  // namespace

std::string Hello::nick() const
{
  const Tag* t = find_tag(tags, CT_NAME);
  return t && t->is_string() ? printable(t->text, 256) : std::string();
}

std::uint16_t Hello::kad_udp_port() const
{
  return static_cast<std::uint16_t>((integer_tag(tags, CT_EMULE_UDPPORTS) >> 16) & 0xFFFF);
}

std::uint16_t Hello::ed2k_udp_port() const
{
  return static_cast<std::uint16_t>(integer_tag(tags, CT_EMULE_UDPPORTS) & 0xFFFF);
}

unsigned Hello::kad_version() const { return static_cast<unsigned>(integer_tag(tags, CT_EMULE_MISCOPTIONS2) & 0x0F); }

std::uint16_t Hello::announced_tcp_port() const
{
  const Tag* t = find_tag(tags, CT_PORT);
  return t && t->is_integer() ? static_cast<std::uint16_t>(t->integer) : tcp_port;
}

std::vector<Tag> hello_tags(const Identity& me)
{
  const std::uint32_t kad_port = me.kad_running ? me.udp_port : 0;
  // MISCOPTIONS1: unicode (bit 28) and UDP version 4 (bits 24-27); nothing
  // we would have to serve (compression, source exchange, comments, ...).
  const std::uint32_t misc1 = (1u << 28) | (4u << 24);
  // MISCOPTIONS2: the Kad version in bits 0-3 (>= 7: a Kad firewall check
  // acknowledges over TCP); no crypt bits, no large files.
  const std::uint32_t misc2 = me.kad_running ? kOurKadVersion : 0;
  std::vector<Tag> tags;
  tags.reserve(6);
  tags.push_back(Tag::make_string(CT_NAME, me.nick));
  tags.push_back(Tag::make_uint32(CT_VERSION, kEdonkeyVersion));
  tags.push_back(Tag::make_uint32(CT_EMULE_UDPPORTS, (kad_port << 16) | me.udp_port));
  tags.push_back(Tag::make_uint32(CT_EMULE_VERSION, kAmuleVersion));
  tags.push_back(Tag::make_uint32(CT_EMULE_MISCOPTIONS1, misc1));
  tags.push_back(Tag::make_uint32(CT_EMULE_MISCOPTIONS2, misc2));
  return tags;
}

Hello make_hello(const Identity& me)
{
  Hello h;
  h.user_hash = me.user_hash;
  h.user_id = me.user_id;
  h.tcp_port = me.tcp_port;
  h.tags = hello_tags(me);
  return h;
}

Packet encode_hello(const Hello& hello)
{
  WireWriter w;
  w.u8(16);
  encode_body(w, hello);
  return Packet{kProtoEdonkey, OP_HELLO, w.take()};
}

Packet encode_hello_answer(const Hello& hello)
{
  WireWriter w;
  encode_body(w, hello);
  return Packet{kProtoEdonkey, OP_HELLOANSWER, w.take()};
}

Decoded<Hello> decode_hello(const Packet& packet)
{
  if (packet.protocol != kProtoEdonkey || (packet.opcode != OP_HELLO && packet.opcode != OP_HELLOANSWER))
    return {std::nullopt, fmt::format("not a Hello: protocol 0x{:02X} opcode 0x{:02X}", packet.protocol, packet.opcode)};
  WireReader r(packet.payload);
  if (packet.opcode == OP_HELLO) {
    const std::uint8_t hash_size = r.u8();
    if (r.ok() && hash_size != 16) return {std::nullopt, fmt::format("OP_HELLO with hash size {}, not 16", hash_size)};
  }
  Hello h;
  h.user_hash = r.hash16();
  h.user_id = r.u32();
  h.tcp_port = r.u16();
  const std::uint32_t count = r.u32();
  if (!r.ok()) return {std::nullopt, "Hello shorter than its fixed fields"};
  std::string error;
  auto tags = read_tags(r, count, &error);
  if (!tags) return {std::nullopt, "Hello tags: " + error};
  h.tags = std::move(*tags);
  h.server_ip = r.u32();
  h.server_port = r.u16();
  if (!r.ok()) return {std::nullopt, "Hello without its server address (6 bytes after the tags)"};
  return {std::move(h), {}};
}

}  // namespace mulenet::ed2k
