// PCP responses that are cut, padded, of another protocol or version, or
// whose options lie about their length: each gets its precise error, and
// nothing reads past the datagram or loops without bound.
#include <gtest/gtest.h>

#include <random>
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

constexpr std::string_view kMapOk =
    "02 81 00 00 00000e10 000003e8 000000000000000000000000"
    "0102030405060708090a0b0c 06 000000 1236 1236 00000000000000000000ffffc6336407";

Bytes with(std::string_view base, std::string_view tail)
{
  Bytes out = from_hex(base);
  for (const std::uint8_t b : from_hex(tail)) out.push_back(b);
  return out;
}

}  // namespace

TEST(PortmapPcpHostile, EveryTruncationIsRejected)
{
  const Bytes full = from_hex(kMapOk);
  for (std::size_t n = 0; n < full.size(); ++n) {
    const auto r = parse_response(ByteView(full.data(), n));
    EXPECT_FALSE(r.ok()) << n << " bytes";
    if (n % 4 == 0 || n < kHeaderSize) EXPECT_EQ(r.error, Errc::too_short) << n << " bytes";
    else EXPECT_EQ(r.error, Errc::not_multiple_of_4) << n << " bytes";
  }
  EXPECT_TRUE(parse_response(full).ok());
}

TEST(PortmapPcpHostile, OversizedAndUnaligned)
{
  Bytes big = from_hex(kMapOk);
  big.resize(kMaxMessageSize, 0);  // 1100: zero-length options with code 0 up to the end
  EXPECT_TRUE(parse_response(big).ok());
  big.resize(kMaxMessageSize + 4, 0);
  EXPECT_EQ(parse_response(big).error, Errc::too_long);
  big.resize(kMaxMessageSize + 1, 0);
  EXPECT_EQ(parse_response(big).error, Errc::too_long);
  EXPECT_EQ(parse_response(Bytes(65535, 0x02)).error, Errc::too_long);
  Bytes odd = from_hex(kMapOk);
  odd.push_back(0);
  EXPECT_EQ(parse_response(odd).error, Errc::not_multiple_of_4);
}

TEST(PortmapPcpHostile, WrongVersions)
{
  Bytes v1 = from_hex(kMapOk);
  v1[0] = 1;
  const auto r1 = parse_response(v1);
  EXPECT_EQ(r1.error, Errc::unsupported_version);
  EXPECT_EQ(r1.version, 1);
  EXPECT_NE(r1.detail.find("draft"), std::string::npos) << r1.detail;
  for (const std::uint8_t v : {std::uint8_t{3}, std::uint8_t{0x7f}, std::uint8_t{0xff}}) {
    Bytes b = from_hex(kMapOk);
    b[0] = v;
    const auto r = parse_response(b);
    EXPECT_EQ(r.error, Errc::unsupported_version);
    EXPECT_EQ(r.version, v);
  }
}

TEST(PortmapPcpHostile, NatpmpReplyMeansFallBack)
{
  // RFC 6887 §9 / RFC 6886 §3.5: a NAT-PMP-only router answers our version-2
  // request with version 0, result 1 (unsupported version), 8 bytes.
  for (const char* hex : {"00 81 0001 00000007",   // opcode 128 + MAP
                          "00 80 0001 00000007",   // opcode 128 (erratum 3618)
                          "00 00 0001 00000007",   // opcode 0, as RFC 6886 printed it
                          "00 80 0000 00000007 cb007102",            // even a full address response
                          "00 82 0000 00000007 1236 1236 00000e10",  // or a map response
                          "00 81 0001"}) {                           // or cut after the result
    SCOPED_TRACE(hex);
    const auto r = parse_response(from_hex(hex));
    EXPECT_EQ(r.error, Errc::natpmp_only);
    EXPECT_EQ(r.version, 0);
    EXPECT_NE(r.detail.find("NAT-PMP"), std::string::npos) << r.detail;
  }
  EXPECT_EQ(parse_response(from_hex("00 81 00")).error, Errc::too_short);
  // Longer than any NAT-PMP response: miniupnpd's answer to a PCP request it
  // could not parse (it never read the version). Not a reason to fall back.
  const auto r = parse_response(from_hex("00 80 00 03 00000000 00000134 000000000000000000000000"));
  EXPECT_EQ(r.error, Errc::unsupported_version);
  EXPECT_NE(r.detail.find("MALFORMED_REQUEST"), std::string::npos) << r.detail;
}

TEST(PortmapPcpHostile, RequestsAreNotResponses)
{
  MapRequest req;
  req.internal_port = 4662;
  EXPECT_EQ(parse_response(encode_map_request(req)).error, Errc::not_a_response);
  EXPECT_EQ(parse_response(encode_announce_request(kAnyIpv4)).error, Errc::not_a_response);
  Bytes b = from_hex(kMapOk);
  b[1] = 0x01;  // R bit missing
  const auto r = parse_response(b);
  EXPECT_EQ(r.error, Errc::not_a_response);
  EXPECT_NE(r.detail.find("MAP request"), std::string::npos) << r.detail;
}

TEST(PortmapPcpHostile, OpcodesWeNeverSend)
{
  for (const std::uint8_t op : {std::uint8_t{0x82}, std::uint8_t{0x83}, std::uint8_t{0x85}, std::uint8_t{0xff}}) {
    Bytes b = from_hex(kMapOk);
    b[1] = op;
    EXPECT_EQ(parse_response(b).error, Errc::unknown_opcode) << int{op};
  }
}

TEST(PortmapPcpHostile, MapSuccessWithoutItsBody)
{
  const auto r = parse_response(from_hex("02 81 00 00 00000e10 00000005 000000000000000000000000"));
  EXPECT_EQ(r.error, Errc::too_short);
  EXPECT_NE(r.detail.find("MAP body"), std::string::npos) << r.detail;
}

TEST(PortmapPcpHostile, OptionLengthOverflowingThePacket)
{
  // Length 0xff with 4 bytes of data (what miniupnpd echoes when we send it).
  EXPECT_EQ(parse_response(with(kMapOk, "c8 00 00ff 11223344")).error, Errc::malformed_option);
  EXPECT_EQ(parse_response(with(kMapOk, "c8 00 ffff 11223344")).error, Errc::malformed_option);
  // Length 5: the data fits, its padding to 8 does not.
  EXPECT_EQ(parse_response(with(kMapOk, "c8 00 0005 11223344")).error, Errc::malformed_option);
  // Exactly fitting: fine.
  const auto fits = parse_response(with(kMapOk, "c8 00 0004 11223344"));
  ASSERT_TRUE(fits.ok()) << fits.detail;
  EXPECT_EQ(fits.value.options[0].data, from_hex("11223344"));
  // An option after a good one that overflows.
  EXPECT_EQ(parse_response(with(kMapOk, "02 00 0000 c8 00 0008 11223344")).error, Errc::malformed_option);
  // On an ANNOUNCE response too.
  EXPECT_EQ(parse_response(from_hex("02 80 00 00 00000000 00000001 000000000000000000000000 c8 00 0100")).error,
            Errc::malformed_option);
}

TEST(PortmapPcpHostile, KnownOptionsWithTheWrongLength)
{
  EXPECT_EQ(parse_response(with(kMapOk, "02 00 0004 00000000")).error, Errc::malformed_option);  // PREFER_FAILURE
  EXPECT_EQ(parse_response(with(kMapOk, "01 00 0004 11223344")).error, Errc::malformed_option);  // THIRD_PARTY
  EXPECT_EQ(parse_response(with(kMapOk, "03 00 0004 11223344")).error, Errc::malformed_option);  // FILTER
}

TEST(PortmapPcpHostile, ZeroLengthOptionsAreBounded)
{
  // As many zero-length options as 1100 bytes hold: (1100 - 60) / 4 = 260.
  Bytes b = from_hex(kMapOk);
  while (b.size() < kMaxMessageSize) {
    b.push_back(0xc8);
    b.push_back(0);
    b.push_back(0);
    b.push_back(0);
  }
  const auto r = parse_response(b);
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.value.options.size(), 260u);
  // An ANNOUNCE response full of them: (1100 - 24) / 4 = 269.
  Bytes a = from_hex("02 80 00 00 00000000 00000001 000000000000000000000000");
  a.resize(kMaxMessageSize, 0);
  const auto ra = parse_response(a);
  ASSERT_TRUE(ra.ok()) << ra.detail;
  EXPECT_EQ(ra.value.options.size(), 269u);
}

TEST(PortmapPcpHostile, RandomDatagramsNeverCrash)
{
  // Deterministic noise on top of valid headers: the parser either accepts
  // (and then every option lies inside the datagram) or names an error.
  std::mt19937 rng(6887);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> size(0, 1200);
  for (int i = 0; i < 20000; ++i) {
    Bytes d(size(rng));
    for (auto& b : d) b = static_cast<std::uint8_t>(byte(rng));
    if (i % 2 == 0 && d.size() >= 4) {
      d[0] = 2;
      d[1] = static_cast<std::uint8_t>(0x80 | (i % 4 == 0 ? 1 : 0));
    }
    if (i % 3 == 0) d.resize(d.size() / 4 * 4);
    const auto r = parse_response(d);
    if (r.ok()) {
      std::size_t total = r.value.map ? kHeaderSize + kMapBodySize : kHeaderSize;
      for (const auto& o : r.value.options) total += kOptionHeaderSize + (o.data.size() + 3) / 4 * 4;
      if (r.value.opcode == Opcode::map && !r.value.map) total = d.size();  // error with a cut echo
      EXPECT_EQ(total, d.size());
    } else {
      EXPECT_FALSE(r.detail.empty());
    }
  }
}
