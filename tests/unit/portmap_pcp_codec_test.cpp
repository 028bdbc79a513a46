// PCP codec: requests byte for byte, every response field, result code and
// option kind. Vectors written by hand from the layouts of RFC 6887; hostile
// input is in portmap_pcp_hostile_test.cpp, real miniupnpd traffic in
// portmap_pcp_miniupnpd_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "portmap/pcp/pcp_codec.hpp"

using namespace mulenet::portmap::pcp;

namespace {

Bytes from_hex(std::string_view hex)
{
  Bytes out;
  out.reserve(hex.size() / 2);
  std::string digits;
  for (const char c : hex)
    if (c != ' ') digits.push_back(c);
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return out;
}

const Ipv6 kClient = ipv4_mapped({192, 168, 1, 10});
const Nonce kNonce = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};

// A MAP success response: lifetime 3600, epoch 1000, TCP 4662 -> 4662 on 198.51.100.7.
constexpr std::string_view kMapOk =
    "02 81 00 00 00000e10 000003e8 000000000000000000000000"
    "0102030405060708090a0b0c 06 000000 1236 1236 00000000000000000000ffffc6336407";

MapRequest tcp_request()
{
  MapRequest r;
  r.nonce = kNonce;
  r.protocol = Protocol::tcp;
  r.internal_port = 4662;
  r.suggested_external_port = 4662;
  r.lifetime_seconds = 7200;
  r.client = kClient;
  return r;
}

}  // namespace

TEST(PortmapPcpCodec, Ipv4MappedAddresses)
{
  EXPECT_EQ(ipv4_mapped({192, 168, 1, 10}), (Ipv6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 10}));
  EXPECT_EQ(ipv4_mapped({0, 0, 0, 0}), kAnyIpv4);
  EXPECT_EQ(unmapped_ipv4(ipv4_mapped({203, 0, 113, 2})), (Ipv4{203, 0, 113, 2}));
  EXPECT_EQ(unmapped_ipv4(kAnyIpv4), (Ipv4{0, 0, 0, 0}));
  EXPECT_FALSE(unmapped_ipv4(kAnyIpv6).has_value());  // ::
  Ipv6 v6{0x20, 0x01, 0x0d, 0xb8};
  v6[15] = 1;
  EXPECT_FALSE(unmapped_ipv4(v6).has_value());  // 2001:db8::1
  Ipv6 almost = ipv4_mapped({1, 2, 3, 4});
  almost[9] = 1;  // ::1:ffff:102:304 is not IPv4-mapped
  EXPECT_FALSE(unmapped_ipv4(almost).has_value());
}

TEST(PortmapPcpCodec, AnnounceRequest)
{
  // version 2, R=0 opcode 0, reserved, lifetime 0, client ::ffff:192.168.1.10
  EXPECT_EQ(encode_announce_request(kClient),
            from_hex("02 00 0000 00000000 00000000000000000000ffffc0a8010a"));
  EXPECT_EQ(encode_announce_request(kClient).size(), kHeaderSize);
}

TEST(PortmapPcpCodec, MapRequestByteForByte)
{
  EXPECT_EQ(encode_map_request(tcp_request()),
            from_hex("02 01 0000 00001c20 00000000000000000000ffffc0a8010a"  // header
                     "0102030405060708090a0b0c 06 000000 1236 1236"          // nonce, TCP, ports
                     "00000000000000000000ffff00000000"));                   // suggested ::ffff:0.0.0.0
  EXPECT_EQ(encode_map_request(tcp_request()).size(), kHeaderSize + kMapBodySize);
}

TEST(PortmapPcpCodec, MapRequestEveryField)
{
  MapRequest r;
  r.nonce = {0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44};
  r.protocol = Protocol::udp;
  r.internal_port = 4672;
  r.suggested_external_port = 0;
  r.suggested_external_address = ipv4_mapped({203, 0, 113, 2});
  r.lifetime_seconds = 0xFFFFFFFFu;
  r.client = ipv4_mapped({10, 0, 0, 2});
  EXPECT_EQ(encode_map_request(r), from_hex("02 01 0000 ffffffff 00000000000000000000ffff0a000002"
                                            "ffeeddccbbaa998877665544 11 000000 1240 0000"
                                            "00000000000000000000ffffcb007102"));
  // IPv6 "any"
  r.suggested_external_address = kAnyIpv6;
  const Bytes any6 = encode_map_request(r);
  EXPECT_EQ(Bytes(any6.begin() + 44, any6.end()), Bytes(16, 0));
  // Default: IPv4 "any", the recommended 7200 s.
  EXPECT_EQ(MapRequest{}.suggested_external_address, kAnyIpv4);
  EXPECT_EQ(MapRequest{}.lifetime_seconds, 7200u);
  EXPECT_FALSE(MapRequest{}.prefer_failure);
}

TEST(PortmapPcpCodec, MapRequestWithPreferFailure)
{
  MapRequest r = tcp_request();
  r.prefer_failure = true;
  const Bytes out = encode_map_request(r);
  ASSERT_EQ(out.size(), 64u);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 60), encode_map_request(tcp_request()));
  // option code 2, reserved, length 0
  EXPECT_EQ(Bytes(out.begin() + 60, out.end()), from_hex("02 00 0000"));
}

TEST(PortmapPcpCodec, DeleteIsLifetimeZeroWithTheSameNonce)
{
  MapRequest r = tcp_request();
  r.lifetime_seconds = 0;
  r.suggested_external_port = 0;
  EXPECT_EQ(encode_map_request(r), from_hex("02 01 0000 00000000 00000000000000000000ffffc0a8010a"
                                            "0102030405060708090a0b0c 06 000000 1236 0000"
                                            "00000000000000000000ffff00000000"));
}

TEST(PortmapPcpCodec, MapSuccessResponseEveryField)
{
  const auto r = parse_response(from_hex(kMapOk));
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.version, 2);
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_FALSE(static_cast<bool>(parse_response({})));
  EXPECT_EQ(r.value.opcode, Opcode::map);
  EXPECT_EQ(r.value.result, ResultCode::success);
  EXPECT_TRUE(r.value.ok());
  EXPECT_EQ(r.value.lifetime_seconds, 3600u);
  EXPECT_EQ(r.value.epoch_seconds, 1000u);
  ASSERT_TRUE(r.value.map.has_value());
  const MapResult& m = *r.value.map;
  EXPECT_EQ(m.nonce, kNonce);
  EXPECT_EQ(m.protocol, 6);
  EXPECT_EQ(m.internal_port, 4662);
  EXPECT_EQ(m.external_port, 4662);
  EXPECT_EQ(m.external_address, ipv4_mapped({198, 51, 100, 7}));
  EXPECT_EQ(m.external_ipv4(), (Ipv4{198, 51, 100, 7}));
  EXPECT_TRUE(r.value.options.empty());
  EXPECT_TRUE(answers(tcp_request(), r.value));
}

TEST(PortmapPcpCodec, MapResponseLargestValuesAndIpv6Address)
{
  const auto r = parse_response(from_hex(
      "02 81 ff 00 ffffffff ffffffff ffffffffffffffffffffffff"  // reserved bytes set: ignored
      "ffffffffffffffffffffffff 11 ffffff ffff fffe 20010db8000000000000000000000001"));
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.value.lifetime_seconds, 0xFFFFFFFFu);
  EXPECT_EQ(r.value.epoch_seconds, 0xFFFFFFFFu);
  ASSERT_TRUE(r.value.map.has_value());
  EXPECT_EQ(r.value.map->protocol, 17);
  EXPECT_EQ(r.value.map->internal_port, 65535);
  EXPECT_EQ(r.value.map->external_port, 65534);
  EXPECT_FALSE(r.value.map->external_ipv4().has_value());
  EXPECT_EQ(r.value.map->external_address[0], 0x20);
}

TEST(PortmapPcpCodec, AnnounceResponse)
{
  const auto r = parse_response(from_hex("02 80 00 00 00000000 0000002a 000000000000000000000000"));
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.value.opcode, Opcode::announce);
  EXPECT_EQ(r.value.epoch_seconds, 42u);
  EXPECT_FALSE(r.value.map.has_value());
  EXPECT_FALSE(answers(tcp_request(), r.value));
}

TEST(PortmapPcpCodec, EveryResultCode)
{
  struct Case {
    std::uint8_t code;
    ResultCode expected;
    const char* name;
    bool short_lifetime;
  };
  const Case cases[] = {
      {0, ResultCode::success, "SUCCESS", false},
      {1, ResultCode::unsupp_version, "UNSUPP_VERSION", false},
      {2, ResultCode::not_authorized, "NOT_AUTHORIZED", false},
      {3, ResultCode::malformed_request, "MALFORMED_REQUEST", false},
      {4, ResultCode::unsupp_opcode, "UNSUPP_OPCODE", false},
      {5, ResultCode::unsupp_option, "UNSUPP_OPTION", false},
      {6, ResultCode::malformed_option, "MALFORMED_OPTION", false},
      {7, ResultCode::network_failure, "NETWORK_FAILURE", true},
      {8, ResultCode::no_resources, "NO_RESOURCES", true},
      {9, ResultCode::unsupp_protocol, "UNSUPP_PROTOCOL", false},
      {10, ResultCode::user_ex_quota, "USER_EX_QUOTA", true},
      {11, ResultCode::cannot_provide_external, "CANNOT_PROVIDE_EXTERNAL", false},
      {12, ResultCode::address_mismatch, "ADDRESS_MISMATCH", false},
      {13, ResultCode::excessive_remote_peers, "EXCESSIVE_REMOTE_PEERS", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes reply = from_hex(kMapOk);
    reply[3] = c.code;
    const auto r = parse_response(reply);
    ASSERT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.value.result, c.expected);
    EXPECT_EQ(r.value.ok(), c.code == 0);
    ASSERT_TRUE(r.value.map.has_value());  // whole-size error: the body is there
    EXPECT_EQ(result_name(c.expected), c.name);
    const std::string message = result_message(c.expected);
    EXPECT_NE(message.find(c.name), std::string::npos) << message;
    EXPECT_NE(message.find("PCP result " + std::to_string(c.code)), std::string::npos) << message;
    EXPECT_EQ(is_short_lifetime_error(c.expected), c.short_lifetime);
  }
  EXPECT_NE(result_message(ResultCode::address_mismatch).find("NAT between"), std::string::npos);
  EXPECT_NE(result_message(ResultCode::unsupp_option).find("PREFER_FAILURE"), std::string::npos);
}

TEST(PortmapPcpCodec, UnknownResultCodesAreKeptAndNamed)
{
  for (const std::uint8_t code : {std::uint8_t{14}, std::uint8_t{128}, std::uint8_t{255}}) {
    Bytes reply = from_hex(kMapOk);
    reply[3] = code;
    const auto r = parse_response(reply);
    ASSERT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(static_cast<std::uint8_t>(r.value.result), code);
    EXPECT_FALSE(r.value.ok());
    EXPECT_EQ(result_name(r.value.result), "UNKNOWN");
    EXPECT_EQ(result_message(r.value.result), "unknown PCP result code " + std::to_string(code));
    EXPECT_FALSE(is_short_lifetime_error(r.value.result));
  }
}

TEST(PortmapPcpCodec, ErrorResponseWithoutTheMapBody)
{
  // A server may answer an error with the header alone, or with a cut echo.
  const auto bare = parse_response(from_hex("02 81 00 08 0000001e 00000005 000000000000000000000000"));
  ASSERT_TRUE(bare.ok()) << bare.detail;
  EXPECT_EQ(bare.value.result, ResultCode::no_resources);
  EXPECT_EQ(bare.value.lifetime_seconds, 30u);  // retry after 30 s
  EXPECT_FALSE(bare.value.map.has_value());
  EXPECT_FALSE(answers(tcp_request(), bare.value));
  const auto cut = parse_response(from_hex("02 81 00 03 00000000 00000005 000000000000000000000000"
                                           "0102030405060708090a0b0c 06000000"));
  ASSERT_TRUE(cut.ok()) << cut.detail;
  EXPECT_EQ(cut.value.result, ResultCode::malformed_request);
  EXPECT_FALSE(cut.value.map.has_value());
}

TEST(PortmapPcpCodec, OptionsAreKeptInOrder)
{
  Bytes reply = from_hex(kMapOk);
  for (const std::uint8_t b : from_hex("02 00 0000"                                     // PREFER_FAILURE
                                       "c8 00 0003 aabbcc 00"                           // optional, 3 bytes + pad
                                       "01 00 0010 00000000000000000000ffffc0a80102"    // THIRD_PARTY
                                       "03 00 0014 00 20 1236 20010db8000000000000000000000009"))  // FILTER
    reply.push_back(b);
  const auto r = parse_response(reply);
  ASSERT_TRUE(r.ok()) << r.detail;
  ASSERT_EQ(r.value.options.size(), 4u);
  EXPECT_EQ(r.value.options[0].code, 2);
  EXPECT_TRUE(r.value.options[0].data.empty());
  EXPECT_EQ(r.value.options[1].code, 0xc8);
  EXPECT_EQ(r.value.options[1].data, from_hex("aabbcc"));
  EXPECT_EQ(r.value.options[2].code, 1);
  EXPECT_EQ(r.value.options[2].data.size(), 16u);
  EXPECT_EQ(r.value.options[3].code, 3);
  EXPECT_EQ(r.value.options[3].data.size(), 20u);
  EXPECT_TRUE(r.value.has_option(OptionCode::prefer_failure));
  EXPECT_TRUE(r.value.has_option(OptionCode::third_party));
  EXPECT_TRUE(r.value.has_option(OptionCode::filter));
  EXPECT_TRUE(answers(tcp_request(), r.value));
}

TEST(PortmapPcpCodec, AnswersChecksNonceProtocolAndInternalPort)
{
  const Response ok = parse_response(from_hex(kMapOk)).value;
  EXPECT_TRUE(answers(tcp_request(), ok));
  MapRequest other = tcp_request();
  other.nonce[11] ^= 1;
  EXPECT_FALSE(answers(other, ok));
  other = tcp_request();
  other.protocol = Protocol::udp;
  EXPECT_FALSE(answers(other, ok));
  other = tcp_request();
  other.internal_port = 4663;
  EXPECT_FALSE(answers(other, ok));
  // The suggested port, lifetime and addresses do not matter: the router may change them.
  other = tcp_request();
  other.suggested_external_port = 1;
  other.lifetime_seconds = 1;
  other.suggested_external_address = ipv4_mapped({1, 2, 3, 4});
  EXPECT_TRUE(answers(other, ok));
}

TEST(PortmapPcpCodec, ErrcNames)
{
  EXPECT_EQ(errc_name(Errc::ok), "ok");
  EXPECT_EQ(errc_name(Errc::too_short), "too_short");
  EXPECT_EQ(errc_name(Errc::too_long), "too_long");
  EXPECT_EQ(errc_name(Errc::not_multiple_of_4), "not_multiple_of_4");
  EXPECT_EQ(errc_name(Errc::natpmp_only), "natpmp_only");
  EXPECT_EQ(errc_name(Errc::unsupported_version), "unsupported_version");
  EXPECT_EQ(errc_name(Errc::not_a_response), "not_a_response");
  EXPECT_EQ(errc_name(Errc::unknown_opcode), "unknown_opcode");
  EXPECT_EQ(errc_name(Errc::malformed_option), "malformed_option");
}
