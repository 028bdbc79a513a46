// eD2k framing, zlib packing, tags in both layouts, login and server
// packets: vectors written from the layouts in reference §0-§1 (and checked
// against a real amuled in tests/lab/cases/ed2k_*.sh), plus hostile input.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "ed2k/hello.hpp"
#include "ed2k/packet.hpp"
#include "ed2k/server_login.hpp"
#include "ed2k/server_messages.hpp"
#include "ed2k/server_udp_messages.hpp"
#include "ed2k/tag.hpp"

using namespace mulenet::ed2k;

namespace {

Bytes bytes(std::initializer_list<int> list)
{
  Bytes b;
  for (int v : list) b.push_back(static_cast<std::uint8_t>(v));
  return b;
}

}  // namespace

TEST(Ed2kFrame, EncodesHeaderWithLengthCountingTheOpcode)
{
  const Bytes wire = encode_packet(Packet{kProtoEdonkey, 0x38, bytes({0xAA, 0xBB})});
  EXPECT_EQ(wire, bytes({0xE3, 0x03, 0x00, 0x00, 0x00, 0x38, 0xAA, 0xBB}));
}

TEST(Ed2kFrame, ParsesWhateverTheSegmentation)
{
  Bytes wire = encode_packet(Packet{kProtoEmule, 0x01, bytes({1, 2, 3})});
  const Bytes second = encode_packet(Packet{kProtoEdonkey, 0x40, bytes({9, 9, 9, 9})});
  wire.insert(wire.end(), second.begin(), second.end());
  for (std::size_t cut = 0; cut < 9; ++cut) {
    const Frame f = parse_frame(ByteView(wire).first(cut));
    EXPECT_EQ(f.status, FrameStatus::need_more) << cut;
  }
  const Frame f = parse_frame(wire);
  ASSERT_EQ(f.status, FrameStatus::complete);
  EXPECT_EQ(f.consumed, 9u);
  EXPECT_EQ(f.packet.protocol, kProtoEmule);
  EXPECT_EQ(f.packet.opcode, 0x01);
  EXPECT_EQ(f.packet.payload, bytes({1, 2, 3}));
  const Frame g = parse_frame(ByteView(wire).subspan(f.consumed));
  ASSERT_EQ(g.status, FrameStatus::complete);
  EXPECT_EQ(g.packet.opcode, 0x40);
}

TEST(Ed2kFrame, RefusesBadHeadersAtOnce)
{
  EXPECT_EQ(parse_frame(bytes({0x47, 0x45, 0x54})).status, FrameStatus::failed);  // "GET"
  EXPECT_EQ(parse_frame(bytes({0xE3, 0, 0, 0, 0})).status, FrameStatus::failed);  // length 0
  const Frame big = parse_frame(bytes({0xE3, 0xFF, 0xFF, 0xFF, 0x7F}));           // 2 GiB
  EXPECT_EQ(big.status, FrameStatus::failed);
  EXPECT_NE(big.error.find("over the limit"), std::string::npos);
  // Exactly at the limit is fine (body 2,000,000 bytes): need more, not failed.
  const std::uint32_t at_limit = kMaxPacketSize + 1;
  EXPECT_EQ(parse_frame(bytes({0xE3, static_cast<int>(at_limit & 0xFF), static_cast<int>((at_limit >> 8) & 0xFF),
                               static_cast<int>((at_limit >> 16) & 0xFF), 0}))
                .status,
            FrameStatus::need_more);
}

TEST(Ed2kPacked, RoundTripsAndKeepsTheOpcodeInClear)
{
  Packet p{kProtoEdonkey, 0x38, Bytes(5000, 'a')};
  const Packet packed = pack(p);
  EXPECT_EQ(packed.protocol, kProtoPacked);
  EXPECT_EQ(packed.opcode, 0x38);
  EXPECT_LT(packed.payload.size(), 100u);
  const Unpacked u = unpack(packed, kProtoEdonkey);
  ASSERT_TRUE(u.ok) << u.error;
  EXPECT_EQ(u.packet.payload, p.payload);
  EXPECT_EQ(u.packet.protocol, kProtoEdonkey);
}

TEST(Ed2kPacked, IncompressibleStaysUnpacked)
{
  Packet p{kProtoEdonkey, 0x38, bytes({1, 2, 3})};
  EXPECT_EQ(pack(p).protocol, kProtoEdonkey);
}

TEST(Ed2kPacked, ZlibBombAndGarbageAreRefused)
{
  const Packet bomb = pack(Packet{kProtoEdonkey, 0x38, Bytes(1'000'000, 0)});
  ASSERT_EQ(bomb.protocol, kProtoPacked);
  const Unpacked u = unpack(bomb, kProtoEdonkey, 250'000);
  EXPECT_FALSE(u.ok);
  EXPECT_NE(u.error.find("more than 250000"), std::string::npos);
  EXPECT_FALSE(unpack(Packet{kProtoPacked, 0x38, bytes({1, 2, 3, 4})}, kProtoEdonkey).ok);
  EXPECT_FALSE(unpack(Packet{kProtoPacked, 0x38, {}}, kProtoEdonkey).ok);
  Packet cut = pack(Packet{kProtoEdonkey, 0x38, Bytes(5000, 'b')});
  cut.payload.resize(cut.payload.size() / 2);
  EXPECT_FALSE(unpack(cut, kProtoEdonkey).ok);
}

TEST(Ed2kTag, OldLayoutAsAmuleWritesIt)
{
  WireWriter w;
  write_tag(w, Tag::make_uint32(CT_VERSION, 0x3C));
  write_tag(w, Tag::make_string(CT_NAME, "ab"));
  EXPECT_EQ(w.data(), bytes({0x03, 0x01, 0x00, 0x11, 0x3C, 0, 0, 0,  //
                             0x02, 0x01, 0x00, 0x01, 0x02, 0x00, 'a', 'b'}));
}

TEST(Ed2kTag, ReadsTheCompactLayoutAndShortStrings)
{
  // 0x89 = UINT8 | 0x80, id 0xFA, value 7; 0x93 = STR3 | 0x80, id 0x01, "xyz";
  // 0x88 = UINT16 compact; a string-named old tag "users" UINT32.
  const Bytes wire = bytes({0x89, 0xFA, 0x07, 0x93, 0x01, 'x', 'y', 'z', 0x88, 0x20, 0x34, 0x12,  //
                            0x03, 0x05, 0x00, 'u', 's', 'e', 'r', 's', 0x10, 0, 0, 0});
  WireReader r(wire);
  const auto tags = read_tags(r, 4);
  ASSERT_TRUE(tags);
  EXPECT_EQ((*tags)[0].id, 0xFA);
  EXPECT_EQ((*tags)[0].integer, 7u);
  EXPECT_EQ((*tags)[1].text, "xyz");
  EXPECT_TRUE((*tags)[1].is_string());
  EXPECT_EQ((*tags)[2].integer, 0x1234u);
  EXPECT_EQ((*tags)[3].name, "users");
  EXPECT_EQ((*tags)[3].integer, 16u);
  EXPECT_EQ(find_tag(*tags, "users"), &(*tags)[3]);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Ed2kTag, EveryTypeRoundTrips)
{
  std::vector<Tag> in;
  Tag t;
  t.id = 0x42;
  t.type = TagType::hash16; t.hash.fill(0x5A); in.push_back(t);
  t = Tag{}; t.id = 1; t.type = TagType::float32; t.real = 1.5f; in.push_back(t);
  t = Tag{}; t.id = 2; t.type = TagType::boolean; t.integer = 1; in.push_back(t);
  t = Tag{}; t.id = 3; t.type = TagType::blob; t.blob = bytes({1, 2, 3}); in.push_back(t);
  t = Tag{}; t.id = 4; t.type = TagType::bsob; t.blob = bytes({4, 5}); in.push_back(t);
  t = Tag{}; t.id = 5; t.type = TagType::uint64; t.integer = 0x1122334455667788ull; in.push_back(t);
  t = Tag{}; t.id = 6; t.type = TagType::uint16; t.integer = 0xBEEF; in.push_back(t);
  t = Tag{}; t.id = 7; t.type = TagType::uint8; t.integer = 0x7F; in.push_back(t);
  t = Tag{}; t.id = 8; t.type = TagType::bool_array; t.blob = bytes({0xFF, 0x01}); in.push_back(t);
  t = Tag{}; t.name = "description"; t.type = TagType::string; t.text = "héllo"; in.push_back(t);
  WireWriter w;
  for (const Tag& x : in) write_tag(w, x);
  WireReader r(w.data());
  const auto out = read_tags(r, static_cast<std::uint32_t>(in.size()));
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), in.size());
  EXPECT_EQ((*out)[0].hash, in[0].hash);
  EXPECT_EQ((*out)[1].real, 1.5f);
  EXPECT_EQ((*out)[3].blob, in[3].blob);
  EXPECT_EQ((*out)[4].blob, in[4].blob);
  EXPECT_EQ((*out)[5].integer, in[5].integer);
  EXPECT_EQ((*out)[8].blob, in[8].blob);
  EXPECT_EQ((*out)[9].text, "héllo");
  EXPECT_EQ((*out)[9].name, "description");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Ed2kTag, HostileTagsFailWithoutAllocating)
{
  std::string error;
  {  // unknown type
    const Bytes wire = bytes({0x0C, 0x01, 0x00, 0x01, 0, 0, 0, 0});
    WireReader r(wire);
    EXPECT_FALSE(read_tag(r, &error));
    EXPECT_NE(error.find("unknown tag type 0x0C"), std::string::npos);
  }
  {  // a blob claiming 4 GiB
    const Bytes wire = bytes({0x07, 0x01, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2});
    WireReader r(wire);
    EXPECT_FALSE(read_tag(r));
  }
  {  // a string longer than the packet
    const Bytes wire = bytes({0x02, 0x01, 0x00, 0x01, 0x00, 0x10, 'a'});
    WireReader r(wire);
    EXPECT_FALSE(read_tag(r));
  }
  {  // a tag count no packet could hold
    const Bytes wire = bytes({0x09, 0x01, 0x00, 0x01, 0x05});
    WireReader r(wire);
    EXPECT_FALSE(read_tags(r, 0xFFFFFFFF, &error));
    EXPECT_NE(error.find("tags announced"), std::string::npos);
  }
}

TEST(Ed2kLogin, TheBytesAmuleSends)
{
  LoginRequest login;
  for (std::size_t i = 0; i < 16; ++i) login.user_hash[i] = static_cast<std::uint8_t>(i);
  login.tcp_port = 4662;
  login.nick = "me";
  const Packet p = encode_login(login);
  EXPECT_EQ(p.protocol, 0xE3);
  EXPECT_EQ(p.opcode, 0x01);
  const Bytes expected_head = bytes({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,  // hash
                                     0, 0, 0, 0,                                            // id
                                     0x36, 0x12,                                            // 4662
                                     4, 0, 0, 0,                                            // tag count
                                     0x02, 0x01, 0x00, 0x01, 0x02, 0x00, 'm', 'e',          // CT_NAME
                                     0x03, 0x01, 0x00, 0x11, 0x3C, 0, 0, 0,                 // CT_VERSION
                                     0x03, 0x01, 0x00, 0x20, 0x1D, 0x01, 0, 0,              // CT_SERVER_FLAGS
                                     0x03, 0x01, 0x00, 0xFB, 0x80, 0x0D, 0x04, 0x03});      // CT_EMULE_VERSION
  EXPECT_EQ(p.payload, expected_head);
  const auto back = decode_login(p);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->tcp_port, 4662);
  EXPECT_EQ(back.value->nick, "me");
  EXPECT_EQ(back.value->user_hash, login.user_hash);
}

TEST(Ed2kServer, IdChangeInAllItsLengths)
{
  auto id = decode_id_change(Packet{0xE3, OP_IDCHANGE, bytes({0x0A, 0x00, 0x00, 0x00})});
  ASSERT_TRUE(id);
  EXPECT_EQ(id.value->id, 10u);
  EXPECT_TRUE(is_low_id(id.value->id));
  EXPECT_FALSE(id.value->tcp_flags);
  id = decode_id_change(Packet{0xE3, OP_IDCHANGE, bytes({203, 0, 113, 2, 0x19, 0x05, 0, 0, 0, 0, 0, 0,  //
                                                         203, 0, 113, 2, 0, 0, 0, 0})});
  ASSERT_TRUE(id);
  EXPECT_FALSE(is_low_id(id.value->id));
  EXPECT_EQ(dotted_text(id.value->id), "203.0.113.2");
  EXPECT_EQ(id.value->tcp_flags, 0x0519u);
  EXPECT_EQ(dotted_text(*id.value->reported_ip), "203.0.113.2");
  EXPECT_FALSE(decode_id_change(Packet{0xE3, OP_IDCHANGE, bytes({1, 2, 3})}));
}

// The RESULT column of `mulenet ed2k login` and its progress lines.
TEST(Ed2kServer, LoginOutcomeNamesForTheTextOutput)
{
  EXPECT_STREQ(to_string(LoginOutcome::high_id), "High ID");
  EXPECT_STREQ(to_string(LoginOutcome::low_id), "Low ID");
  EXPECT_STREQ(to_string(LoginOutcome::failed), "failed");
}

TEST(Ed2kServer, LoginOutcomeFollowsTheId)
{
  LoginResult r;
  EXPECT_EQ(r.outcome(), LoginOutcome::failed);
  r.id = IdChange{};
  r.id->id = 10;
  EXPECT_EQ(r.outcome(), LoginOutcome::low_id);
  r.id->id = 0x027100CB;  // 203.0.113.2
  EXPECT_EQ(r.outcome(), LoginOutcome::high_id);
}

TEST(Ed2kServer, MessagesStatusIdentList)
{
  const auto m = decode_server_message(
      Packet{0xE3, OP_SERVERMESSAGE, bytes({0x0F, 0x00, 'h', 'i', '\r', '\n', 'E', 'R', 'R', 'O', 'R', '\x01', ' ', 'x', '\n'})});
  ASSERT_TRUE(m);
  ASSERT_EQ(m.value->size(), 2u);
  EXPECT_EQ((*m.value)[0], "hi");
  EXPECT_EQ((*m.value)[1], "ERROR x");  // the control byte is dropped
  // The length field is not trusted (as in aMule): the rest of the packet is the text.
  const auto lying = decode_server_message(Packet{0xE3, OP_SERVERMESSAGE, bytes({0x10, 0x00, 'a', 0, 'b'})});
  ASSERT_TRUE(lying);
  EXPECT_EQ(*lying.value, std::vector<std::string>{"a"});
  EXPECT_FALSE(decode_server_message(Packet{0xE3, OP_SERVERMESSAGE, bytes({0x10})}));

  const auto s = decode_server_status(Packet{0xE3, OP_SERVERSTATUS, bytes({1, 0, 0, 0, 2, 0, 0, 0})});
  ASSERT_TRUE(s);
  EXPECT_EQ(s.value->users, 1u);
  EXPECT_EQ(s.value->files, 2u);
  EXPECT_FALSE(decode_server_status(Packet{0xE3, OP_SERVERSTATUS, bytes({1, 0, 0})}));

  WireWriter w;
  w.bytes(Bytes(16, 0x11));
  w.u32(ed2k_order({203, 0, 113, 10}));
  w.u16(4661);
  w.u32(2);
  write_tag(w, Tag::make_string(ST_SERVERNAME, "lab server"));
  write_tag(w, Tag::make_string(ST_DESCRIPTION, "for tests"));
  const auto ident = decode_server_ident(Packet{0xE3, OP_SERVERIDENT, w.take()});
  ASSERT_TRUE(ident) << ident.error;
  EXPECT_EQ(ident.value->name, "lab server");
  EXPECT_EQ(ident.value->description, "for tests");
  EXPECT_EQ(dotted_text(ident.value->ip), "203.0.113.10");
  EXPECT_FALSE(decode_server_ident(Packet{0xE3, OP_SERVERIDENT, Bytes(20, 0)}));

  const auto list = decode_server_list(Packet{0xE3, OP_SERVERLIST, bytes({1, 10, 0, 0, 1, 0x35, 0x12})});
  ASSERT_TRUE(list);
  EXPECT_EQ(dotted_text((*list.value)[0].ip), "10.0.0.1");
  EXPECT_EQ((*list.value)[0].port, 4661);
  EXPECT_FALSE(decode_server_list(Packet{0xE3, OP_SERVERLIST, bytes({5, 10, 0})}));
}

TEST(Ed2kHello, RoundTripAndTheTagsWeAnnounce)
{
  Identity me;
  me.user_hash.fill(0x33);
  me.tcp_port = 4811;
  me.udp_port = 4711;
  me.kad_running = true;
  const Hello h = make_hello(me);
  const Packet hello = encode_hello(h);
  EXPECT_EQ(hello.opcode, OP_HELLO);
  EXPECT_EQ(hello.payload[0], 16);  // hash size, only in OP_HELLO
  const auto back = decode_hello(hello);
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->user_hash, me.user_hash);
  EXPECT_EQ(back.value->tcp_port, 4811);
  EXPECT_EQ(back.value->kad_udp_port(), 4711);
  EXPECT_EQ(back.value->ed2k_udp_port(), 4711);
  EXPECT_EQ(back.value->kad_version(), kOurKadVersion);
  EXPECT_EQ(back.value->nick(), "mulenet");

  const Packet answer = encode_hello_answer(h);
  EXPECT_EQ(answer.opcode, OP_HELLOANSWER);
  EXPECT_EQ(answer.payload.size() + 1, hello.payload.size());
  ASSERT_TRUE(decode_hello(answer));

  me.kad_running = false;
  const auto no_kad = decode_hello(encode_hello(make_hello(me)));
  EXPECT_EQ(no_kad.value->kad_udp_port(), 0);
}

TEST(Ed2kHello, RefusesWhatAmuleRefuses)
{
  Bytes wrong_hash_size = encode_hello(make_hello(Identity{})).payload;
  wrong_hash_size[0] = 15;
  EXPECT_FALSE(decode_hello(Packet{0xE3, OP_HELLO, wrong_hash_size}));
  Bytes no_server = encode_hello(make_hello(Identity{})).payload;
  no_server.resize(no_server.size() - 6);
  const auto d = decode_hello(Packet{0xE3, OP_HELLO, no_server});
  EXPECT_FALSE(d);
  EXPECT_NE(d.error.find("server address"), std::string::npos);
  EXPECT_FALSE(decode_hello(Packet{0xE3, 0x58, {}}));
  EXPECT_FALSE(decode_hello(Packet{0xC5, OP_HELLO, no_server}));
}

TEST(Ed2kServerUdp, StatusPing)
{
  EXPECT_EQ(encode_status_request(make_challenge(0x1234)), bytes({0xE3, 0x96, 0x34, 0x12, 0xAA, 0x55}));
  const auto s = decode_status_response(bytes({0xE3, 0x97, 0x34, 0x12, 0xAA, 0x55, 5, 0, 0, 0, 6, 0, 0, 0, 100, 0, 0, 0}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s.value->challenge, 0x55AA1234u);
  EXPECT_EQ(s.value->users, 5u);
  EXPECT_EQ(s.value->max_users, 100u);
  EXPECT_FALSE(s.value->soft_files);
  EXPECT_FALSE(decode_status_response(bytes({0xE3, 0x97, 1, 2})));
  EXPECT_FALSE(decode_status_response(bytes({0xE4, 0x97, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})));
}

TEST(Ed2kHello, DecodesTheAnswerOfARealAmuled)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/ed2k/amuled-2.3.3-hello-answer.bin", std::ios::binary);
  const Bytes wire((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Frame f = parse_frame(wire);
  ASSERT_EQ(f.status, FrameStatus::complete);
  EXPECT_EQ(f.consumed, wire.size());
  const auto h = decode_hello(f.packet);
  ASSERT_TRUE(h) << h.error;
  EXPECT_EQ(f.packet.opcode, OP_HELLOANSWER);
  EXPECT_EQ(h.value->nick(), "lab-amuled");
  EXPECT_EQ(h.value->tcp_port, 4851);
  EXPECT_EQ(h.value->ed2k_udp_port(), 4861);
  EXPECT_EQ(h.value->kad_udp_port(), 0);  // Kad off in that amuled
  EXPECT_EQ(h.value->kad_version(), 8u);  // aMule 2.3.3 announces its Kad version anyway
  EXPECT_EQ(h.value->user_hash[5], 14);   // an eMule-style hash
  EXPECT_EQ(h.value->user_hash[14], 111);
  EXPECT_EQ(h.value->tags.size(), 7u);
  const Tag* version = find_tag(h.value->tags, CT_EMULE_VERSION);
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->integer, kAmuleVersion);
  // Re-encoded from what we decoded: the same bytes (old tag layout, as aMule).
  EXPECT_EQ(encode_packet(encode_hello_answer(*h.value)), wire);
}
