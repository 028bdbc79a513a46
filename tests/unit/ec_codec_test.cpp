// The EC codec against frames as real amulecmd 2.3.3 sends them
// (next-capabilities.md §1.3, verified on this machine), round trips in both
// framings, and hostile input (every guard of ec_packet.hpp).
#include <gtest/gtest.h>

#include <string>

#include "ec/ec_login.hpp"
#include "ec/ec_number.hpp"
#include "ec/ec_packet.hpp"

namespace mulenet::ec {
namespace {

Bytes from_hex(std::string hex)
{
  std::erase(hex, ' ');
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// A frame split into header and body, decoded.
Decoded decode_frame(const Bytes& frame, const DecodeLimits& limits = {})
{
  std::string error;
  const auto header = parse_frame_header(frame, error);
  if (!header) return Decoded{std::nullopt, error};
  EXPECT_EQ(header->length, frame.size() - kFrameHeaderSize);
  return decode_body(header->flags, std::span(frame).subspan(kFrameHeaderSize), limits);
}

// amulecmd 2.3.3's AUTH_REQ: flags 0x22 (UTF-8 numbers), 5 tags.
const char* const kAmulecmdAuthReq =
    "00000022 00000024 02 05 c880 06 09 614d756c65636d6400 c882 06 06 322e332e3300 04 03 02 0204 18 01 00 1a 01 00";

TEST(EcCodec, DecodesAmulecmdsAuthRequest)
{
  const Decoded d = decode_frame(from_hex(kAmulecmdAuthReq));
  ASSERT_TRUE(d.packet) << d.error;
  EXPECT_EQ(d.packet->opcode, Op::auth_req);
  ASSERT_EQ(d.packet->tags.size(), 5u);
  EXPECT_EQ(find_tag(d.packet->tags, tag::client_name)->as_string(), "aMulecmd");
  EXPECT_EQ(find_tag(d.packet->tags, tag::client_version)->as_string(), "2.3.3");
  EXPECT_EQ(find_tag(d.packet->tags, tag::protocol_version)->as_uint(), kProtocolVersion);
  EXPECT_NE(find_tag(d.packet->tags, tag::can_zlib), nullptr);
  EXPECT_NE(find_tag(d.packet->tags, tag::can_utf8_numbers), nullptr);
}

TEST(EcCodec, EncodesTheAuthRequestByteForByteAsAmulecmd)
{
  Packet p{Op::auth_req,
           {Tag::string(tag::client_name, "aMulecmd"), Tag::string(tag::client_version, "2.3.3"),
            Tag::u16(tag::protocol_version, kProtocolVersion), Tag::empty(tag::can_zlib),
            Tag::empty(tag::can_utf8_numbers)}};
  EXPECT_EQ(encode_frame(p, kFlagBase | kFlagUtf8Numbers), from_hex(kAmulecmdAuthReq));
}

TEST(EcCodec, StatRequestAndPasswordFramesAsAmulecmd)
{
  EXPECT_EQ(encode_frame(Packet{Op::stat_req, {Tag::u8(tag::detail_level, 0)}}, 0x22),
            from_hex("00000022 00000006 0a 01 08 02 01 00"));
  Hash16 h{};
  const Bytes frame = encode_frame(Packet{Op::auth_passwd, {Tag::hash16(tag::passwd_hash, h)}}, 0x22);
  EXPECT_EQ(Bytes(frame.begin(), frame.begin() + 13), from_hex("00000022 00000015 50 01 02 09 10"));
}

TEST(EcLogin, TheTestVectorAmulecmdAccepted)
{
  EXPECT_EQ(md5_hex("secret"), "5ebe2294ecd0e0f08eab7690d2a6ee69");
  const Hash16 h = login_hash("5EBE2294ECD0E0F08EAB7690D2A6EE69", 0x0ECB0C8A2F1D3E4DULL);
  EXPECT_EQ(Bytes(h.begin(), h.end()), from_hex("f66113e1ce9b4fb421085f5019600157"));
  EXPECT_TRUE(same_hash(h, login_hash("5ebe2294ecd0e0f08eab7690d2a6ee69", 0x0ECB0C8A2F1D3E4DULL)));
  EXPECT_FALSE(same_hash(h, login_hash("5ebe2294ecd0e0f08eab7690d2a6ee69", 0x0ECB0C8A2F1D3E4EULL)));
  EXPECT_TRUE(is_md5_hex("5ebe2294ecd0e0f08eab7690d2a6ee69"));
  EXPECT_FALSE(is_md5_hex("secret"));
  EXPECT_FALSE(is_md5_hex(""));
}

// A status answer as amuled builds it: nested tags (CONNSTATE > SERVER > NAME).
Packet sample_stats()
{
  Tag server = Tag::ipv4(tag::server, Ipv4Port{{198, 51, 100, 10}, 4661});
  server.children.push_back(Tag::string(tag::server_name, "lab server"));
  Tag conn = Tag::u8(tag::connstate, connstate::ed2k_connected | connstate::kad_running | connstate::kad_connected);
  conn.children = {server, Tag::uint(tag::ed2k_id, 0xC0A80001), Tag::uint(tag::client_id, 0xC0A80001)};
  return Packet{Op::stats, {Tag::uint(tag::stats_ul_speed, 0), Tag::uint(tag::stats_kad_nodes, 70000), conn}};
}

void expect_same(const Tag& a, const Tag& b)
{
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.data, b.data);
  ASSERT_EQ(a.children.size(), b.children.size());
  for (std::size_t i = 0; i < a.children.size(); ++i) expect_same(a.children[i], b.children[i]);
}

TEST(EcCodec, RoundTripsNestedTagsInEveryFraming)
{
  const Packet p = sample_stats();
  for (const std::uint32_t flags : {0x20u, 0x21u, 0x22u, 0x23u}) {
    const Decoded d = decode_frame(encode_frame(p, flags));
    ASSERT_TRUE(d.packet) << "flags " << flags << ": " << d.error;
    ASSERT_EQ(d.packet->tags.size(), p.tags.size());
    for (std::size_t i = 0; i < p.tags.size(); ++i) expect_same(d.packet->tags[i], p.tags[i]);
  }
  const Tag& conn = *find_tag(p.tags, tag::connstate);
  EXPECT_EQ(conn.child(tag::server)->as_ipv4()->str(), "198.51.100.10:4661");
  EXPECT_EQ(conn.child(tag::server)->child(tag::server_name)->as_string(), "lab server");
  EXPECT_EQ(conn.child(tag::ed2k_id)->type, TagType::u32);  // the smallest type that holds it
}

TEST(EcCodec, ChoosesFramingAsAmulesWritePacket)
{
  EXPECT_EQ(choose_flags(2000, true, true), 0x21u);
  EXPECT_EQ(choose_flags(100, true, true), 0x22u);
  EXPECT_EQ(choose_flags(2000, false, true), 0x22u);
  EXPECT_EQ(choose_flags(2000, false, false), 0x20u);
}

TEST(EcNumber, SixByteFormsAndTheirLimits)
{
  for (const std::uint32_t v : {0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu, 0xD800u, 0x1FFFFFu,
                                0x200000u, 0x3FFFFFFu, 0x4000000u, 0x7FFFFFFFu}) {
    Bytes out;
    ASSERT_TRUE(append_utf8_number(out, v));
    const auto n = read_utf8_number(out);
    ASSERT_TRUE(n) << v;
    EXPECT_EQ(n->value, v);
    EXPECT_EQ(n->size, out.size());
  }
  Bytes out;
  EXPECT_FALSE(append_utf8_number(out, 0x80000000u));
  EXPECT_FALSE(read_utf8_number(from_hex("c080")));    // overlong 0
  EXPECT_FALSE(read_utf8_number(from_hex("80")));      // a continuation byte first
  EXPECT_FALSE(read_utf8_number(from_hex("fe")));      // no such lead byte
  EXPECT_FALSE(read_utf8_number(from_hex("e080")));    // truncated
  EXPECT_FALSE(read_utf8_number(from_hex("c8c0")));    // not a continuation byte
}

// Hostile frames: each is refused with a reason, none crashes or allocates wildly.
TEST(EcCodecHostile, RefusesFlagsThatAreNotEcs)
{
  std::string error;
  EXPECT_FALSE(parse_frame_header(from_hex("00000000 00000000"), error));  // no 0x20
  EXPECT_FALSE(parse_frame_header(from_hex("00000060 00000000"), error));  // 0x40 set
  EXPECT_FALSE(parse_frame_header(from_hex("00000028 00000000"), error));  // unknown bit 0x08
  EXPECT_FALSE(parse_frame_header(from_hex("01000020 00000000"), error));
  EXPECT_FALSE(parse_frame_header(from_hex("000000"), error));
  EXPECT_TRUE(parse_frame_header(from_hex("00000023 00000000"), error));
}

TEST(EcCodecHostile, TagLengthShorterThanItsChildren)
{
  // STATS, 1 tag: CONNSTATE with 1 child (name 0x000B = 0x0005<<1|1), u8, length 3 < child's 7+1.
  const Bytes body = from_hex("0c 0001  000b 02 00000003 0001  000c 02 00000001 05  01");
  const Decoded d = decode_body(0x20, body);
  EXPECT_FALSE(d.packet);
  EXPECT_NE(d.error.find("less than its children"), std::string::npos) << d.error;
}

TEST(EcCodecHostile, CountsAndLengthsBeyondTheFrame)
{
  EXPECT_FALSE(decode_body(0x20, from_hex("0c ffff")).packet);                         // 65535 tags, none there
  EXPECT_FALSE(decode_body(0x20, from_hex("0c 0001 0000 06 ffffffff 41")).packet);     // 4 GiB of data announced
  EXPECT_FALSE(decode_body(0x20, from_hex("0c 0001 0000 06")).packet);                 // cut in a tag header
  EXPECT_FALSE(decode_body(0x20, from_hex("0c 0000 00")).packet);                      // a byte after the last tag
  EXPECT_FALSE(decode_body(0x22, from_hex("0c 01 c880 06 fe")).packet);                // bad UTF-8 number
  EXPECT_FALSE(decode_body(0x22, from_hex("c880 00")).packet);                         // opcode 0x200 > 1 byte
  EXPECT_TRUE(decode_body(0x20, from_hex("0c 0000")).packet);
}

TEST(EcCodecHostile, NestingDepthIsBounded)
{
  Tag t = Tag::u8(tag::connstate, 1);
  for (int i = 0; i < 40; ++i) {
    Tag parent = Tag::u8(tag::connstate, 1);
    parent.children.push_back(std::move(t));
    t = std::move(parent);
  }
  const Bytes frame = encode_frame(Packet{Op::stats, {t}}, 0x20);
  const Decoded d = decode_frame(frame);
  EXPECT_FALSE(d.packet);
  EXPECT_NE(d.error.find("nested deeper"), std::string::npos) << d.error;
}

TEST(EcCodecHostile, ZlibBombsAndBrokenStreamsAreRefused)
{
  Packet big{Op::strings, {}};
  big.tags.push_back(Tag::string(tag::string, std::string(300'000, 'a')));
  const Bytes frame = encode_frame(big, 0x21);
  EXPECT_LT(frame.size(), 5'000u);  // it compresses well: a small frame that inflates a lot
  DecodeLimits small;
  small.max_body = 64 * 1024;
  const Decoded bomb = decode_frame(frame, small);
  EXPECT_FALSE(bomb.packet);
  EXPECT_NE(bomb.error.find("more than"), std::string::npos) << bomb.error;
  EXPECT_TRUE(decode_frame(frame).packet);  // within the normal 16 MiB
  EXPECT_FALSE(decode_body(0x21, from_hex("789c0000")).packet);  // a truncated stream
}

TEST(EcCodecHostile, TooManyTagsIsBounded)
{
  Packet p{Op::server_list, {}};
  for (int i = 0; i < 300; ++i) p.tags.push_back(Tag::empty(tag::server));
  DecodeLimits limits;
  limits.max_tags = 100;
  EXPECT_FALSE(decode_frame(encode_frame(p, 0x20), limits).packet);
  EXPECT_TRUE(decode_frame(encode_frame(p, 0x20)).packet);
}

TEST(EcTag, ValuesReadOnlyFromTheirTypes)
{
  EXPECT_FALSE(Tag::string(tag::string, "12").as_uint());
  EXPECT_FALSE(Tag::uint(tag::ed2k_id, 5).as_string());
  EXPECT_EQ(Tag::uint(tag::ed2k_id, 0x1'0000'0000ULL).type, TagType::u64);
  EXPECT_EQ(Tag::uint(tag::ed2k_id, 0x1'0000'0000ULL).as_uint(), 0x1'0000'0000ULL);
  Tag broken{tag::ed2k_id, TagType::u32, {1, 2}, {}};  // a u32 of 2 bytes
  EXPECT_FALSE(broken.as_uint());
  EXPECT_FALSE((Tag{tag::server, TagType::ipv4, {1, 2, 3}, {}}).as_ipv4());
  Tag no_nul{tag::string, TagType::string, {'a', 'b'}, {}};
  EXPECT_EQ(no_nul.as_string(), "ab");
}

}  // namespace
TEST(EcCodec, APacketTooLargeForItsFieldsIsNotFramedAtAll)
{
  Packet many{Op::server_list, {}};
  many.tags.resize(70'000, Tag::u8(tag::server, 1));  // aMule 2.3.3 counts tags in 16 bits
  EXPECT_TRUE(encode_frame(many, kFlagBase).empty());
  EXPECT_TRUE(encode_frame(many, kFlagBase | kFlagUtf8Numbers).empty());
  many.tags.resize(65'535);
  EXPECT_FALSE(encode_frame(many, kFlagBase).empty());
  Packet odd_name{Op::noop, {Tag::u8(0x8000, 1)}};  // name << 1 needs 17 bits
  EXPECT_TRUE(encode_frame(odd_name, kFlagBase).empty());
}

}  // namespace mulenet::ec
