// NAT-PMP codec: requests byte for byte, every response field and result
// code, and hostile datagrams. The vectors here are written by hand from the
// layouts of RFC 6886; real ones from miniupnpd are in
// portmap_natpmp_miniupnpd_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "portmap/natpmp/natpmp_codec.hpp"

using namespace mulenet::portmap::natpmp;

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

}  // namespace

TEST(PortmapNatpmpCodec, ExternalAddressRequest)
{
  EXPECT_EQ(encode_external_address_request(), from_hex("00 00"));
  EXPECT_EQ(encode_external_address_request().size(), kExternalAddressRequestSize);
}

TEST(PortmapNatpmpCodec, MapRequestsByteForByte)
{
  // version 0, opcode 2 (TCP), reserved, internal 4662, suggested 4662, lifetime 7200
  EXPECT_EQ(encode_map_request({Protocol::tcp, 4662, 4662, 7200}), from_hex("00 02 0000 1236 1236 00001c20"));
  // opcode 1 (UDP), no suggestion, lifetime 3600
  EXPECT_EQ(encode_map_request({Protocol::udp, 4672, 0, 3600}), from_hex("00 01 0000 1240 0000 00000e10"));
  // extremes
  EXPECT_EQ(encode_map_request({Protocol::udp, 65535, 1, 0xFFFFFFFFu}), from_hex("00 01 0000 ffff 0001 ffffffff"));
  EXPECT_EQ(encode_map_request({Protocol::tcp, 4662, 4662, 7200}).size(), kMapRequestSize);
  // The default lifetime is the RFC's recommendation.
  EXPECT_EQ(MapRequest{}.lifetime_seconds, 7200u);
}

TEST(PortmapNatpmpCodec, DeleteRequests)
{
  // RFC 6886 §3.4: lifetime 0 deletes; the suggested external port MUST be 0.
  EXPECT_EQ(encode_map_request(delete_request(Protocol::tcp, 4662)), from_hex("00 02 0000 1236 0000 00000000"));
  // Even if the caller left a suggestion in the request.
  EXPECT_EQ(encode_map_request({Protocol::tcp, 4662, 4662, 0}), from_hex("00 02 0000 1236 0000 00000000"));
  // Internal port 0 too: all of our mappings (of UDP, by the RFC).
  EXPECT_EQ(encode_map_request(delete_all_request(Protocol::udp)), from_hex("00 01 0000 0000 0000 00000000"));
  EXPECT_EQ(encode_map_request(delete_all_request(Protocol::tcp)), from_hex("00 02 0000 0000 0000 00000000"));
}

TEST(PortmapNatpmpCodec, ExternalAddressResponse)
{
  // 00 80, result 0, epoch 0x00012345, address 203.0.113.2
  const auto r = parse_response(from_hex("00 80 0000 00012345 cb007102"));
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_FALSE(static_cast<bool>(parse_response({})));
  EXPECT_EQ(r.value.opcode, Opcode::external_address);
  EXPECT_FALSE(r.value.is_map());
  EXPECT_EQ(r.value.result, ResultCode::success);
  EXPECT_TRUE(r.value.ok());
  EXPECT_EQ(r.value.epoch_seconds, 0x12345u);
  EXPECT_EQ(r.value.external_address, (Ipv4{203, 0, 113, 2}));
  EXPECT_EQ(r.value.internal_port, 0);
  EXPECT_EQ(r.value.external_port, 0);
  EXPECT_EQ(r.value.lifetime_seconds, 0u);
}

TEST(PortmapNatpmpCodec, MapResponses)
{
  // TCP: 00 82, result 0, epoch 7, internal 4662, external 4663, lifetime 3600
  const auto tcp = parse_response(from_hex("00 82 0000 00000007 1236 1237 00000e10"));
  ASSERT_TRUE(tcp.ok()) << tcp.detail;
  EXPECT_EQ(tcp.value.opcode, Opcode::map_tcp);
  EXPECT_TRUE(tcp.value.is_map());
  EXPECT_EQ(tcp.value.protocol(), Protocol::tcp);
  EXPECT_EQ(tcp.value.epoch_seconds, 7u);
  EXPECT_EQ(tcp.value.internal_port, 4662);
  EXPECT_EQ(tcp.value.external_port, 4663);
  EXPECT_EQ(tcp.value.lifetime_seconds, 3600u);
  EXPECT_EQ(tcp.value.external_address, (Ipv4{}));

  // UDP, every field at its largest value
  const auto udp = parse_response(from_hex("00 81 0000 ffffffff ffff fffe ffffffff"));
  ASSERT_TRUE(udp.ok()) << udp.detail;
  EXPECT_EQ(udp.value.protocol(), Protocol::udp);
  EXPECT_EQ(udp.value.epoch_seconds, 0xFFFFFFFFu);
  EXPECT_EQ(udp.value.internal_port, 65535);
  EXPECT_EQ(udp.value.external_port, 65534);
  EXPECT_EQ(udp.value.lifetime_seconds, 0xFFFFFFFFu);
}

TEST(PortmapNatpmpCodec, EveryResultCode)
{
  struct Case {
    std::uint16_t code;
    ResultCode expected;
    const char* name;
  };
  const Case cases[] = {
      {0, ResultCode::success, "success"},
      {1, ResultCode::unsupported_version, "unsupported version"},
      {2, ResultCode::not_authorized, "not authorized/refused"},
      {3, ResultCode::network_failure, "network failure"},
      {4, ResultCode::out_of_resources, "out of resources"},
      {5, ResultCode::unsupported_opcode, "unsupported opcode"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.code);
    // A full-size MAP response, so that the success case parses as well.
    Bytes reply = from_hex("00 82 0000 00000010 1236 1236 00000e10");
    reply[3] = static_cast<std::uint8_t>(c.code);
    const auto r = parse_response(reply);
    ASSERT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.value.result, c.expected);
    EXPECT_EQ(r.value.ok(), c.code == 0);
    EXPECT_EQ(result_name(c.expected), c.name);
    const std::string message = result_message(c.expected);
    EXPECT_NE(message.find(c.name), std::string::npos) << message;
    EXPECT_NE(message.find("NAT-PMP result " + std::to_string(c.code)), std::string::npos) << message;
  }
  EXPECT_NE(result_message(ResultCode::not_authorized).find("refused"), std::string::npos);
  EXPECT_NE(result_message(ResultCode::out_of_resources).find("free external port"), std::string::npos);
}

TEST(PortmapNatpmpCodec, UnknownResultCodesAreKeptAndNamed)
{
  for (const std::uint16_t code : {std::uint16_t{6}, std::uint16_t{128}, std::uint16_t{0xFFFF}}) {
    Bytes reply = from_hex("00 80 0000 00000001");
    reply[2] = static_cast<std::uint8_t>(code >> 8);
    reply[3] = static_cast<std::uint8_t>(code & 0xFF);
    const auto r = parse_response(reply);
    ASSERT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(static_cast<std::uint16_t>(r.value.result), code);
    EXPECT_FALSE(r.value.ok());
    EXPECT_EQ(result_name(r.value.result), "unknown");
    EXPECT_EQ(result_message(r.value.result), "unknown NAT-PMP result code " + std::to_string(code));
  }
}

TEST(PortmapNatpmpCodec, ErrorResponsesShortOrFull)
{
  // The 8-byte form: only version, opcode, result, epoch.
  const auto short_form = parse_response(from_hex("00 82 0004 00000009"));
  ASSERT_TRUE(short_form.ok()) << short_form.detail;
  EXPECT_EQ(short_form.value.result, ResultCode::out_of_resources);
  EXPECT_EQ(short_form.value.epoch_seconds, 9u);
  EXPECT_EQ(short_form.value.internal_port, 0);

  // The full form keeps the ports (to match it to the request) ...
  const auto full_map = parse_response(from_hex("00 81 0002 00000009 1240 1240 0000003c"));
  ASSERT_TRUE(full_map.ok()) << full_map.detail;
  EXPECT_EQ(full_map.value.internal_port, 4672);
  EXPECT_EQ(full_map.value.lifetime_seconds, 60u);

  // ... but an address in a failed external-address response is ignored (RFC 6886 §3.2).
  const auto full_address = parse_response(from_hex("00 80 0003 00000009 01020304"));
  ASSERT_TRUE(full_address.ok()) << full_address.detail;
  EXPECT_EQ(full_address.value.result, ResultCode::network_failure);
  EXPECT_EQ(full_address.value.external_address, (Ipv4{}));

  // Any other size is not an error response.
  EXPECT_EQ(parse_response(from_hex("00 82 0004 00000009 1236")).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00 80 0003 00000009 01020304 05")).error, Errc::wrong_size);
  EXPECT_EQ(parse_response(from_hex("00 82 0004 00000009 1236 1236 00000e10 00")).error, Errc::wrong_size);
}

TEST(PortmapNatpmpCodec, SuccessNeedsItsExactSize)
{
  EXPECT_EQ(parse_response(from_hex("00 80 0000 00000009")).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00 80 0000 00000009 cb0071")).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00 80 0000 00000009 cb007102 00")).error, Errc::wrong_size);
  EXPECT_EQ(parse_response(from_hex("00 82 0000 00000009 1236 1236 00000e")).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00 82 0000 00000009 1236 1236 00000e10 0000")).error, Errc::wrong_size);
  // A success MAP response in the size of an address response, and the reverse.
  EXPECT_EQ(parse_response(from_hex("00 82 0000 00000009 1236 1236")).error, Errc::too_short);
  const auto detail = parse_response(from_hex("00 82 0000 00000009 1236 1236")).detail;
  EXPECT_NE(detail.find("12 bytes instead of 16"), std::string::npos) << detail;
}

TEST(PortmapNatpmpCodec, UnsupportedVersionAsTheRfcPrintedIt)
{
  // RFC 6886 §3.5 showed OP = 0 in this response (erratum 3618: it is 128);
  // both forms mean "unsupported version".
  for (const char* hex : {"00 80 0001 0000002a", "00 00 0001 0000002a", "00 81 0001 0000002a"}) {
    SCOPED_TRACE(hex);
    const auto r = parse_response(from_hex(hex));
    ASSERT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.value.result, ResultCode::unsupported_version);
    EXPECT_EQ(r.value.epoch_seconds, 42u);
  }
  // Opcode 0 with another result is a request, not that erratum.
  EXPECT_EQ(parse_response(from_hex("00 00 0002 0000002a")).error, Errc::not_a_response);
}

TEST(PortmapNatpmpCodec, HostileDatagrams)
{
  EXPECT_EQ(parse_response({}).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00")).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00 80 00")).error, Errc::too_short);
  EXPECT_EQ(parse_response(from_hex("00 80 0000 0000")).error, Errc::too_short);  // no whole epoch
  // Our own request, reflected
  EXPECT_EQ(parse_response(encode_external_address_request()).error, Errc::too_short);
  EXPECT_EQ(parse_response(encode_map_request({Protocol::tcp, 4662, 4662, 60})).error, Errc::not_a_response);
  // A PCP reply
  const auto pcp = parse_response(from_hex("02 81 0000 00000e10 00000007 000000000000000000000000"));
  EXPECT_EQ(pcp.error, Errc::wrong_version);
  EXPECT_NE(pcp.detail.find("PCP"), std::string::npos) << pcp.detail;
  EXPECT_EQ(parse_response(from_hex("01 80 0000 00000009 cb007102")).error, Errc::wrong_version);
  EXPECT_EQ(parse_response(from_hex("ff 80 0000 00000009 cb007102")).error, Errc::wrong_version);
  // Responses to opcodes we never send
  EXPECT_EQ(parse_response(from_hex("00 83 0005 00000009")).error, Errc::unknown_opcode);
  EXPECT_EQ(parse_response(from_hex("00 ff 0000 00000009 cb007102")).error, Errc::unknown_opcode);
  EXPECT_EQ(parse_response(Bytes(1500, 0xFF)).error, Errc::wrong_version);
  EXPECT_EQ(parse_response(Bytes(1500, 0x00)).error, Errc::not_a_response);
}

TEST(PortmapNatpmpCodec, EveryOpcodeAndSizeIsJudgedWithoutCrashing)
{
  // Only the sizes of the RFC ever parse, and only for opcodes 128..130 (and
  // 0 with result 1). Every other combination is a precise error.
  for (int op = 0; op < 256; ++op) {
    for (std::size_t size = 0; size <= 24; ++size) {
      for (const std::uint8_t result : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{2}}) {
        Bytes d(size, 0x00);
        if (size > 1) d[1] = static_cast<std::uint8_t>(op);
        if (size > 3) d[3] = result;
        const auto r = parse_response(d);
        if (!r.ok()) {
          EXPECT_FALSE(r.detail.empty());
          EXPECT_NE(r.error, Errc::ok);
          continue;
        }
        const bool response = op >= 128 && op <= 130;
        const bool erratum = op == 0 && result == 1;
        EXPECT_TRUE(response || erratum) << "op " << op << " size " << size;
        const std::size_t full = (op & 0x7F) == 0 ? 12u : 16u;
        EXPECT_TRUE(size == full || (result != 0 && size == 8)) << "op " << op << " size " << size;
      }
    }
  }
}

TEST(PortmapNatpmpCodec, AnswersMatchesProtocolAndInternalPort)
{
  const MapRequest request{Protocol::tcp, 4662, 4662, 7200};
  const auto ok = parse_response(from_hex("00 82 0000 00000007 1236 1237 00000e10")).value;
  EXPECT_TRUE(answers(request, ok));
  EXPECT_FALSE(answers({Protocol::udp, 4662, 4662, 7200}, ok));
  EXPECT_FALSE(answers({Protocol::tcp, 4663, 4662, 7200}, ok));
  // An 8-byte error carries no port: it answers any TCP request.
  const auto short_error = parse_response(from_hex("00 82 0002 00000007")).value;
  EXPECT_TRUE(answers(request, short_error));
  EXPECT_FALSE(answers({Protocol::udp, 4662, 4662, 7200}, short_error));
  // An external-address response answers no map request.
  const auto address = parse_response(from_hex("00 80 0000 00000007 cb007102")).value;
  EXPECT_FALSE(answers(request, address));
}

TEST(PortmapNatpmpCodec, ErrcNames)
{
  EXPECT_EQ(errc_name(Errc::ok), "ok");
  EXPECT_EQ(errc_name(Errc::too_short), "too_short");
  EXPECT_EQ(errc_name(Errc::wrong_size), "wrong_size");
  EXPECT_EQ(errc_name(Errc::wrong_version), "wrong_version");
  EXPECT_EQ(errc_name(Errc::not_a_response), "not_a_response");
  EXPECT_EQ(errc_name(Errc::unknown_opcode), "unknown_opcode");
}
