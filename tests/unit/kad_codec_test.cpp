// Kad: IDs, datagrams, messages, tags, obfuscation and verify keys, against
// real amuled 2.3.3 answers (tests/fixtures/kad/, see its README) and
// hand-written vectors from reference §3-§4.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "kad/kad_messages.hpp"
#include "kad/udp_obfuscation.hpp"

using namespace mulenet::kad;
using mulenet::ed2k::Bytes;

namespace {

Bytes fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/kad/" + name, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const KadId kKad1 = *KadId::from_hex("4542D8EED795CA7BB80FC9DFEA47FCB0");
const KadId kOurs = *KadId::from_hex("00112233445566778899AABBCCDDEEFF");
constexpr std::uint32_t kKad1UdpKey = 72625551;

std::uint32_t ed2k_ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
{
  return static_cast<std::uint32_t>(a) | (static_cast<std::uint32_t>(b) << 8) | (static_cast<std::uint32_t>(c) << 16) |
         (static_cast<std::uint32_t>(d) << 24);
}

}  // namespace

TEST(KadId, WireFormAndHash)
{
  const KadId id = *KadId::from_hex("00112233445566778899AABBCCDDEEFF");
  // Four chunks, most significant first, each little-endian.
  EXPECT_EQ(id.wire[0], 0x33);
  EXPECT_EQ(id.wire[3], 0x00);
  EXPECT_EQ(id.wire[4], 0x77);
  EXPECT_EQ(id.hex(), "00112233445566778899AABBCCDDEEFF");
  EXPECT_EQ(id.bit(0), 0u);
  EXPECT_EQ(id.bit(127), 1u);
  EXPECT_TRUE((id ^ id).is_zero());
  EXPECT_TRUE(*KadId::from_hex("00000000000000000000000000000001") < *KadId::from_hex("00000000000000000000000000000002"));
  EXPECT_FALSE(KadId::from_hex("xyz"));
  std::array<std::uint8_t, 16> hash{};
  for (std::size_t i = 0; i < 16; ++i) hash[i] = static_cast<std::uint8_t>(i);
  const KadId h = KadId::from_hash(hash);
  EXPECT_EQ(h.wire[0], 3);  // h3 h2 h1 h0 ...
  EXPECT_EQ(h.wire[3], 0);
  EXPECT_EQ(h.to_hash(), hash);
  EXPECT_EQ((~KadId{}).hex(), "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
}

TEST(KadAmuled, BootstrapResFromARealNode)
{
  const auto d = decode_datagram(fixture("bootstrap_res.bin"));
  ASSERT_TRUE(d.datagram) << d.error;
  const auto b = decode_bootstrap_res(*d.datagram);
  ASSERT_TRUE(b) << b.error;
  EXPECT_EQ(b.value->id, kKad1);
  EXPECT_EQ(b.value->version, 8);
  EXPECT_EQ(b.value->tcp_port, 4662);
  ASSERT_FALSE(b.value->contacts.empty());
  for (const Contact& c : b.value->contacts) {
    EXPECT_EQ(c.ip >> 24, 100u) << kad_ip_text(c.ip);  // 100.64.N.1: the lab's other nodes
    EXPECT_EQ(c.udp_port, 4672);
    EXPECT_EQ(c.version, 8);
  }
  EXPECT_EQ(encode_datagram(encode_bootstrap_res(*b.value)), fixture("bootstrap_res.bin"));
}

TEST(KadAmuled, HelloResIsObfuscatedWithOurIdAndCarriesItsVerifyKey)
{
  const Bytes raw = fixture("hello_res_obfuscated.bin");
  ASSERT_FALSE(raw.empty());
  EXPECT_FALSE(looks_plain(raw));
  EXPECT_EQ(raw[0] & 0x03, 0);  // marker: node-ID key
  const auto plain = deobfuscate(raw, kOurs, 12345);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->with_node_id_key);
  EXPECT_EQ(plain->receiver_verify_key, 0u);  // we gave it no key (plain request)
  // Its sender key is its verify key for our address, computed as aMule does.
  EXPECT_EQ(plain->sender_verify_key, verify_key(kKad1UdpKey, ed2k_ip(198, 51, 100, 30)));
  const auto d = decode_datagram(plain->plain);
  ASSERT_TRUE(d.datagram) << d.error;
  const auto hello = decode_hello(*d.datagram);
  ASSERT_TRUE(hello) << hello.error;
  EXPECT_EQ(d.datagram->opcode, KADEMLIA2_HELLO_RES);
  EXPECT_EQ(hello.value->id, kKad1);
  EXPECT_EQ(hello.value->version, 8);
  EXPECT_EQ(hello.value->tcp_port, 4662);
  EXPECT_TRUE(hello.value->wants_ack());  // we are unverified: it asks for HELLO_RES_ACK
  // With another ID it is not for us.
  EXPECT_FALSE(deobfuscate(raw, kKad1, 1));
  // Our obfuscation of the same datagram, keys and random part: amuled's bytes exactly.
  const ObfuscationParams p{plain->receiver_verify_key, plain->sender_verify_key, {raw[1], raw[2]}, raw[0]};
  EXPECT_EQ(obfuscate(plain->plain, kOurs, p), raw);
}

TEST(KadAmuled, PongNamesThePortItSaw)
{
  const auto d = decode_datagram(fixture("pong.bin"));
  ASSERT_TRUE(d.datagram);
  const auto port = decode_pong(*d.datagram);
  ASSERT_TRUE(port);
  EXPECT_EQ(*port.value, 4799);
}

TEST(KadAmuled, Kademlia2ResOfItsNeighbourhood)
{
  const auto d = decode_datagram(fixture("kademlia2_res.bin"));
  ASSERT_TRUE(d.datagram);
  const auto res = decode_kademlia2_res(*d.datagram);
  ASSERT_TRUE(res) << res.error;
  EXPECT_EQ(res.value->target, kKad1);
  for (const Contact& c : res.value->contacts) EXPECT_NE(c.id, kKad1);
  EXPECT_EQ(encode_datagram(encode_kademlia2_res(*res.value)), fixture("kademlia2_res.bin"));
}

TEST(KadObfuscation, RoundTripWithEitherKey)
{
  const Bytes plain = encode_datagram(encode_ping());
  ObfuscationParams p;
  p.receiver_verify_key = 0xAABBCCDD;
  p.sender_verify_key = 0x11223344;
  p.random = {0x12, 0x34};
  for (std::uint8_t marker = 0; marker < 255; marker = static_cast<std::uint8_t>(marker + 17)) {
    p.marker_random = marker;
    const Bytes by_id = obfuscate(plain, kKad1, p);
    EXPECT_FALSE(looks_plain(by_id));
    EXPECT_EQ(by_id[0] & 0x03, 0);
    const auto back = deobfuscate(by_id, kKad1, 999);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->plain, plain);
    EXPECT_EQ(back->receiver_verify_key, 0xAABBCCDDu);
    EXPECT_EQ(back->sender_verify_key, 0x11223344u);
    const Bytes by_key = obfuscate(plain, std::uint32_t{0xAABBCCDD}, p);
    EXPECT_EQ(by_key[0] & 0x03, 2);
    const auto back2 = deobfuscate(by_key, kOurs, 0xAABBCCDD);
    ASSERT_TRUE(back2);
    EXPECT_FALSE(back2->with_node_id_key);
    EXPECT_EQ(back2->plain, plain);
  }
}

TEST(KadObfuscation, GarbageIsNotMistakenForUs)
{
  EXPECT_TRUE(looks_plain(Bytes{0xE4, 0x60}));
  EXPECT_TRUE(looks_plain(Bytes(8, 0x33)));
  EXPECT_FALSE(deobfuscate(Bytes(40, 0x33), kOurs, 7));
  EXPECT_FALSE(deobfuscate(Bytes(12, 0x20), kOurs, 7));
}

TEST(KadVerifyKey, NeverZeroAndPerAddress)
{
  EXPECT_NE(verify_key(1, 2), 0u);
  EXPECT_NE(verify_key(kKad1UdpKey, ed2k_ip(1, 2, 3, 4)), verify_key(kKad1UdpKey, ed2k_ip(1, 2, 3, 5)));
  EXPECT_EQ(verify_key(5, 6), verify_key(5, 6));
}

TEST(KadMessages, RoundTripsAndStrictSizes)
{
  Hello h;
  h.id = kOurs;
  h.tcp_port = 4662;
  h.tags = hello_tags(std::uint16_t{4672}, 0x04);
  const auto back = decode_hello(encode_hello(h, false));
  ASSERT_TRUE(back) << back.error;
  EXPECT_EQ(back.value->source_udp_port(), std::optional<std::uint16_t>(4672));
  EXPECT_TRUE(back.value->wants_ack());
  // The tags in Kad layout: type, u16 name length 1, name, value.
  const Datagram hd = encode_hello(Hello{kOurs, 1, 8, hello_tags(std::nullopt, 0x06)}, true);
  EXPECT_EQ(hd.opcode, KADEMLIA2_HELLO_RES);
  EXPECT_EQ(Bytes(hd.payload.end() - 6, hd.payload.end()), (Bytes{0x01, 0x09, 0x01, 0x00, 0xF2, 0x06}));

  EXPECT_TRUE(decode_firewalled_req(encode_firewalled_req(4662)));
  EXPECT_FALSE(decode_firewalled_req(Datagram{kProtoKad, KADEMLIA_FIREWALLED_REQ, {1, 2, 3}}));
  Firewalled2Req f2{4662, KadId::from_hash({}), 0x02};
  const auto f2b = decode_firewalled2_req(encode_firewalled2_req(f2));
  ASSERT_TRUE(f2b);
  EXPECT_EQ(f2b.value->connect_options, 0x02);
  EXPECT_EQ(decode_firewalled_res(encode_firewalled_res(0x64400101)).value, 0x64400101u);
  EXPECT_EQ(kad_ip_text(0x64400101), "100.64.1.1");
  EXPECT_TRUE(is_firewalled_ack_res(encode_firewalled_ack_res()));
  EXPECT_FALSE(is_firewalled_ack_res(Datagram{kProtoKad, KADEMLIA_FIREWALLED_ACK_RES, {0}}));
  EXPECT_EQ(decode_firewall_udp(encode_firewall_udp({0, 4672})).value->port_tested, 4672);
  EXPECT_FALSE(decode_firewall_udp(Datagram{kProtoKad, KADEMLIA2_FIREWALLUDP, {0, 1}}));
  const auto q = decode_fwcheck_udp_req_payload(encode_fwcheck_udp_req_payload({4672, 4673, 0xDEADBEEF}));
  ASSERT_TRUE(q);
  EXPECT_EQ(q.value->sender_verify_key, 0xDEADBEEFu);
  Kademlia2Res res{kOurs, {Contact{kKad1, 0x64400101, 4672, 4662, 8}}};
  Datagram rd = encode_kademlia2_res(res);
  rd.payload.push_back(0);  // one byte too many: aMule drops it, so do we
  EXPECT_FALSE(decode_kademlia2_res(rd));
  EXPECT_FALSE(decode_kademlia2_req(Datagram{kProtoKad, KADEMLIA2_REQ, Bytes(33, 0)}));  // 0 contacts wanted
}

TEST(KadDatagram, PackedAboveTwoHundredBytesAndBombsRefused)
{
  Kademlia2Res big{kOurs, std::vector<Contact>(10, Contact{kKad1, 1, 2, 3, 8})};
  const Bytes wire = encode_datagram(encode_kademlia2_res(big));
  EXPECT_EQ(wire[0], kProtoKadPacked);
  const auto d = decode_datagram(wire);
  ASSERT_TRUE(d.datagram) << d.error;
  EXPECT_EQ(d.datagram->protocol, kProtoKad);
  EXPECT_EQ(decode_kademlia2_res(*d.datagram).value->contacts.size(), 10u);
  EXPECT_FALSE(decode_datagram(Bytes{0xE5, 0x29, 1, 2, 3}).datagram);
  EXPECT_FALSE(decode_datagram(Bytes{0xE4}).datagram);
  EXPECT_FALSE(decode_datagram(Bytes{0x47, 0x45, 0x54}).datagram);
}
