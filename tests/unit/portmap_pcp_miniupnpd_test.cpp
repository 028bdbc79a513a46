// Real PCP traffic: every response below was captured (tcpdump in the lan
// namespace of the mulenet lab) from miniupnpd 2.3.1 (Debian 12
// miniupnpd-nftables) on 192.168.77.1, external address 203.0.113.2, PCP
// lifetimes clamped to [10, 3600] s (min_lifetime/max_lifetime of the lab),
// rules allowing ports 1024-65535 only. The requests came from 192.168.77.10
// and are exactly what encode_map_request / encode_announce_request produce
// (checked below), so these are answers to our own bytes.
//
// miniupnpd builds its answer by rewriting the request in place: a response
// is as long as the request (rounded up to 4), echoes our options, and on an
// error keeps the fields it did not rewrite from the request.
#include <gtest/gtest.h>

#include <string>

#include "portmap/pcp/pcp_codec.hpp"
#include "portmap/pcp/pcp_epoch.hpp"

using namespace mulenet::portmap::pcp;
using namespace std::chrono_literals;

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

const Ipv6 kLan = ipv4_mapped({192, 168, 77, 10});
const Ipv4 kWan = {203, 0, 113, 2};

// "mulenet" 00 00 00 00 0N
Nonce nonce(std::uint8_t n) { return {0x6d, 0x75, 0x6c, 0x65, 0x6e, 0x65, 0x74, 0x00, 0x00, 0x00, 0x00, n}; }

MapRequest map(std::uint8_t n, Protocol protocol, std::uint16_t internal, std::uint16_t external,
               std::uint32_t lifetime)
{
  MapRequest r;
  r.nonce = nonce(n);
  r.protocol = protocol;
  r.internal_port = internal;
  r.suggested_external_port = external;
  r.lifetime_seconds = lifetime;
  r.client = kLan;
  return r;
}

Response parse_ok(std::string_view hex)
{
  const auto r = parse_response(from_hex(hex));
  EXPECT_TRUE(r.ok()) << hex << ": " << r.detail;
  return r.value;
}

}  // namespace

TEST(PortmapPcpMiniupnpd, Announce)
{
  EXPECT_EQ(encode_announce_request(kLan), from_hex("020000000000000000000000000000000000ffffc0a84d0a"));
  const Response r = parse_ok("0280 0000 00000000 00000101 000000000000000000000000");
  EXPECT_EQ(r.opcode, Opcode::announce);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.lifetime_seconds, 0u);
  EXPECT_EQ(r.epoch_seconds, 257u);
}

TEST(PortmapPcpMiniupnpd, MapTcpLifetimeClampedToMax)
{
  const MapRequest req = map(1, Protocol::tcp, 4662, 4662, 7200);
  EXPECT_EQ(encode_map_request(req), from_hex("0201000000001c2000000000000000000000ffffc0a84d0a"
                                              "6d756c656e65740000000001060000001236123600000000000000000000ffff00000000"));
  const Response r = parse_ok(
      "0281 0000 00000e10 00000102 000000000000000000000000"
      "6d756c656e65740000000001 06 000000 1236 1236 00000000000000000000ffffcb007102");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.lifetime_seconds, 3600u);  // 7200 asked, max_lifetime 3600
  EXPECT_EQ(r.epoch_seconds, 258u);
  ASSERT_TRUE(r.map.has_value());
  EXPECT_EQ(r.map->nonce, nonce(1));
  EXPECT_EQ(r.map->protocol, 6);
  EXPECT_EQ(r.map->internal_port, 4662);
  EXPECT_EQ(r.map->external_port, 4662);
  EXPECT_EQ(r.map->external_ipv4(), kWan);
  EXPECT_TRUE(answers(req, r));
  // The renewal with the same nonce: same port, same answer but the epoch.
  const Response renewed = parse_ok(
      "0281 0000 00000e10 00000104 000000000000000000000000"
      "6d756c656e65740000000001 06 000000 1236 1236 00000000000000000000ffffcb007102");
  EXPECT_EQ(renewed.map->external_port, 4662);
  EXPECT_TRUE(answers(req, renewed));
}

TEST(PortmapPcpMiniupnpd, MapUdpLifetimeClampedToMin)
{
  const MapRequest req = map(2, Protocol::udp, 4672, 4672, 5);
  EXPECT_EQ(encode_map_request(req), from_hex("020100000000000500000000000000000000ffffc0a84d0a"
                                              "6d756c656e65740000000002110000001240124000000000000000000000ffff00000000"));
  const Response r = parse_ok(
      "0281 0000 0000000a 00000106 000000000000000000000000"
      "6d756c656e65740000000002 11 000000 1240 1240 00000000000000000000ffffcb007102");
  EXPECT_EQ(r.lifetime_seconds, 10u);  // 5 asked, min_lifetime 10
  EXPECT_EQ(r.map->protocol, 17);
  EXPECT_TRUE(answers(req, r));
}

TEST(PortmapPcpMiniupnpd, PreferFailureIsIgnoredForAPortAnotherHostHolds)
{
  // TCP 5001 is mapped to 192.168.77.11. With PREFER_FAILURE the RFC wants
  // CANNOT_PROVIDE_EXTERNAL; miniupnpd 2.3.1 (built with its "port in use"
  // check) skips the port before looking at the option and grants 5003,
  // echoing the option as if it had been honoured. Check the port yourself.
  MapRequest req = map(3, Protocol::tcp, 5001, 5001, 3600);
  req.prefer_failure = true;
  EXPECT_EQ(encode_map_request(req), from_hex("0201000000000e1000000000000000000000ffffc0a84d0a"
                                              "6d756c656e65740000000003060000001389138900000000000000000000ffff00000000"
                                              "02000000"));
  const Response r = parse_ok(
      "0281 0000 00000e10 00000108 000000000000000000000000"
      "6d756c656e65740000000003 06 000000 1389 138b 00000000000000000000ffffcb007102 02000000");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.map->external_port, 5003);
  EXPECT_NE(r.map->external_port, req.suggested_external_port);
  EXPECT_TRUE(r.has_option(OptionCode::prefer_failure));
  EXPECT_TRUE(answers(req, r));
  // Without the option: the same answer, 60 bytes.
  const Response plain = parse_ok(
      "0281 0000 00000e10 00000109 000000000000000000000000"
      "6d756c656e65740000000003 06 000000 1389 138b 00000000000000000000ffffcb007102");
  EXPECT_EQ(plain.map->external_port, 5003);
  EXPECT_TRUE(plain.options.empty());
}

TEST(PortmapPcpMiniupnpd, PreferFailureOnAFreePortIsEchoed)
{
  MapRequest req = map(4, Protocol::tcp, 6000, 6000, 3600);
  req.prefer_failure = true;
  EXPECT_EQ(encode_map_request(req).size(), 64u);
  const Response r = parse_ok(
      "0281 0000 00000e10 0000010b 000000000000000000000000"
      "6d756c656e65740000000004 06 000000 1770 1770 00000000000000000000ffffcb007102 02000000");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.map->external_port, 6000);
  EXPECT_TRUE(answers(req, r));
  ASSERT_EQ(r.options.size(), 1u);
  EXPECT_EQ(r.options[0].code, 2);
}

TEST(PortmapPcpMiniupnpd, PreferFailureWithoutASuggestionIsMalformed)
{
  // Suggested port 0 and address ::ffff:0.0.0.0 with PREFER_FAILURE.
  MapRequest req = map(5, Protocol::tcp, 6001, 0, 3600);
  req.prefer_failure = true;
  EXPECT_EQ(encode_map_request(req), from_hex("0201000000000e1000000000000000000000ffffc0a84d0a"
                                              "6d756c656e65740000000005060000001771000000000000000000000000ffff00000000"
                                              "02000000"));
  const Response r = parse_ok(
      "0281 0006 00000000 0000010d 000000000000000000000000"
      "6d756c656e65740000000005 06 000000 1771 0000 00000000000000000000ffff00000000 02000000");
  EXPECT_EQ(r.result, ResultCode::malformed_option);
  EXPECT_EQ(r.lifetime_seconds, 0u);  // a long-lifetime error
  EXPECT_EQ(r.map->external_ipv4(), (Ipv4{0, 0, 0, 0}));  // our suggestion, echoed
}

TEST(PortmapPcpMiniupnpd, CannotProvideExternal)
{
  // PREFER_FAILURE for internal port 80, which the rules deny.
  const Response denied = parse_ok(
      "0281 000b 00000000 00000110 000000000000000000000000"
      "6d756c656e65740000000005 06 000000 0050 0050 00000000000000000000ffffcb007102 02000000");
  EXPECT_EQ(denied.result, ResultCode::cannot_provide_external);
  EXPECT_FALSE(is_short_lifetime_error(denied.result));
  // PREFER_FAILURE with a suggested external address that is not the router's.
  const Response other_address = parse_ok(
      "0281 000b 00000000 0000011a 000000000000000000000000"
      "6d756c656e65740000000005 06 000000 1774 1774 00000000000000000000ffffcb007163 02000000");
  EXPECT_EQ(other_address.result, ResultCode::cannot_provide_external);
  EXPECT_EQ(other_address.map->external_ipv4(), (Ipv4{203, 0, 113, 99}));  // echoed, not assigned
  // Without PREFER_FAILURE the same suggestion gets the real address.
  MapRequest req = map(5, Protocol::tcp, 6003, 6003, 3600);
  req.suggested_external_address = ipv4_mapped({203, 0, 113, 99});
  EXPECT_EQ(encode_map_request(req), from_hex("0201000000000e1000000000000000000000ffffc0a84d0a"
                                              "6d756c656e65740000000005060000001773177300000000000000000000ffffcb007163"));
  const Response ok = parse_ok(
      "0281 0000 00000e10 00000118 000000000000000000000000"
      "6d756c656e65740000000005 06 000000 1773 1773 00000000000000000000ffffcb007102");
  EXPECT_EQ(ok.map->external_ipv4(), kWan);
}

TEST(PortmapPcpMiniupnpd, NotAuthorizedAfterWalkingEveryPort)
{
  // Internal port 80 without PREFER_FAILURE: 2 min 30 s later (miniupnpd
  // tried all 65535 external ports, logging each, answering nobody else).
  const Response r = parse_ok(
      "0281 0002 00000000 000001a9 000000000000000000000000"
      "6d756c656e65740000000007 06 000000 0050 0050 00000000000000000000ffffcb007102");
  EXPECT_EQ(r.result, ResultCode::not_authorized);
  EXPECT_EQ(r.lifetime_seconds, 0u);
}

TEST(PortmapPcpMiniupnpd, AddressMismatch)
{
  // Client address 192.168.77.99 in a request sent from .10: what a NAT
  // between us and the router looks like.
  MapRequest req = map(5, Protocol::tcp, 6002, 6002, 3600);
  req.client = ipv4_mapped({192, 168, 77, 99});
  EXPECT_EQ(encode_map_request(req), from_hex("0201000000000e1000000000000000000000ffffc0a84d63"
                                              "6d756c656e65740000000005060000001772177200000000000000000000ffff00000000"));
  const Response r = parse_ok(
      "0281 000c 00000000 0000010e 000000000000000000000000"
      "6d756c656e65740000000005 06 000000 1772 1772 00000000000000000000ffff00000000");
  EXPECT_EQ(r.result, ResultCode::address_mismatch);
  EXPECT_TRUE(answers(req, r));
}

TEST(PortmapPcpMiniupnpd, DeleteNeedsTheSameNonce)
{
  // Delete TCP 4662 (mapped with nonce 1) with nonce 5: refused.
  MapRequest wrong = map(5, Protocol::tcp, 4662, 0, 0);
  EXPECT_EQ(encode_map_request(wrong), from_hex("020100000000000000000000000000000000ffffc0a84d0a"
                                                "6d756c656e65740000000005060000001236000000000000000000000000ffff00000000"));
  const Response refused = parse_ok(
      "0281 0002 00000000 00000112 000000000000000000000000"
      "6d756c656e65740000000005 06 000000 1236 0000 00000000000000000000ffffcb007102");
  EXPECT_EQ(refused.result, ResultCode::not_authorized);
  // With nonce 1: deleted; lifetime 0, the external port is our suggestion (0).
  const Response deleted = parse_ok(
      "0281 0000 00000000 00000114 000000000000000000000000"
      "6d756c656e65740000000001 06 000000 1236 0000 00000000000000000000ffffcb007102");
  EXPECT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.lifetime_seconds, 0u);
  EXPECT_EQ(deleted.map->external_port, 0);
  EXPECT_TRUE(answers(map(1, Protocol::tcp, 4662, 0, 0), deleted));
}

TEST(PortmapPcpMiniupnpd, DeleteAllProtocolsIsNoResources)
{
  // Protocol 0, internal port 0, lifetime 0 (RFC 6887: all our mappings):
  // miniupnpd 2.3.1 finds nothing to match protocol 0 and answers
  // NO_RESOURCES, a short-lifetime error (30 s).
  const Response r = parse_ok(
      "0281 0008 0000001e 00000133 000000000000000000000000"
      "6d756c656e65740000000006 00 000000 0000 0000 00000000000000000000ffffcb007102");
  EXPECT_EQ(r.result, ResultCode::no_resources);
  EXPECT_TRUE(is_short_lifetime_error(r.result));
  EXPECT_EQ(r.lifetime_seconds, 30u);
}

TEST(PortmapPcpMiniupnpd, UnsupportedVersionAndOpcode)
{
  // An ANNOUNCE with version 3: answered with version 2 (its highest).
  const Response v = parse_ok("0280 0001 00000000 00000116 000000000000000000000000");
  EXPECT_EQ(v.result, ResultCode::unsupp_version);
  // Opcode 5: its response carries opcode 5, which we never send.
  const auto op = parse_response(from_hex("0285 0004 00000000 00000125 000000000000000000000000"));
  EXPECT_EQ(op.error, Errc::unknown_opcode);
}

TEST(PortmapPcpMiniupnpd, Options)
{
  // An unknown mandatory option (99): UNSUPP_OPTION, the option echoed.
  const Response mandatory = parse_ok(
      "0281 0005 00000000 00000126 000000000000000000000000"
      "6d756c656e65740000000006 06 000000 17d4 17d4 00000000000000000000ffff00000000 63000000");
  EXPECT_EQ(mandatory.result, ResultCode::unsupp_option);
  ASSERT_EQ(mandatory.options.size(), 1u);
  EXPECT_EQ(mandatory.options[0].code, 99);
  // An unknown optional option (200) with 4 bytes: ignored by the router, echoed.
  const Response optional = parse_ok(
      "0281 0000 00000258 00000128 000000000000000000000000"
      "6d756c656e65740000000006 06 000000 17d4 17d4 00000000000000000000ffffcb007102 c800000411223344");
  EXPECT_TRUE(optional.ok());
  EXPECT_EQ(optional.lifetime_seconds, 600u);
  ASSERT_EQ(optional.options.size(), 1u);
  EXPECT_EQ(optional.options[0].data, from_hex("11223344"));
  // THIRD_PARTY with 4 bytes instead of 16: MALFORMED_OPTION; and the echo
  // is malformed too, so the codec refuses the whole datagram.
  const auto third = parse_response(from_hex(
      "0281 0006 00000000 0000012a 000000000000000000000000"
      "6d756c656e65740000000006 06 000000 17d4 17d4 00000000000000000000ffff00000000 0100000411223344"));
  EXPECT_EQ(third.error, Errc::malformed_option);
  // An option claiming 255 bytes with 4 present: the router says
  // MALFORMED_OPTION and echoes it; the codec refuses it as well.
  const auto overflow = parse_response(from_hex(
      "0281 0006 00000000 0000012c 000000000000000000000000"
      "6d756c656e65740000000006 06 000000 17d4 17d4 00000000000000000000ffff00000000 c80000ff11223344"));
  EXPECT_EQ(overflow.error, Errc::malformed_option);
  // Three zero-length optional options on an ANNOUNCE: all echoed.
  const Response zeros = parse_ok("0280 0000 00000000 00000131 000000000000000000000000 c8000000c8000000c8000000");
  EXPECT_EQ(zeros.options.size(), 3u);
}

TEST(PortmapPcpMiniupnpd, MalformedRequestsGetVersionZeroReplies)
{
  // A request of 61 bytes (not a multiple of 4) or of 20 bytes: miniupnpd
  // answers MALFORMED_REQUEST before reading the version, so the reply says
  // version 0; padded to 64 and 24 bytes. Not NAT-PMP: too long for it.
  const auto odd = parse_response(from_hex(
      "0080 0003 00000000 0000012f 000000000000000000000000"
      "6d756c656e65740000000006 06 000000 17d4 17d4 00000000000000000000ffff00000000 00000000"));
  EXPECT_EQ(odd.error, Errc::unsupported_version);
  EXPECT_EQ(odd.version, 0);
  const auto short_req = parse_response(from_hex("0080 0003 00000000 00000134 000000000000000000000000"));
  EXPECT_EQ(short_req.error, Errc::unsupported_version);
  EXPECT_NE(short_req.detail.find("MALFORMED_REQUEST"), std::string::npos) << short_req.detail;
}

TEST(PortmapPcpMiniupnpd, RestartAnnouncementAndEpoch)
{
  // `lab router restart-miniupnpd`: the last answer before (373.802 s into
  // the capture) said epoch 457. At start-up miniupnpd multicast this from
  // 192.168.77.1:5351 to 224.0.0.1:5350 (375.193 s), epoch 0 ...
  const Response unsolicited = parse_ok("0280 0000 00000000 00000000 000000000000000000000000");
  EXPECT_EQ(unsolicited.opcode, Opcode::announce);
  EXPECT_EQ(unsolicited.epoch_seconds, 0u);
  // ... and answered ANNOUNCEs with epoch 1 (375.800 s) and 6 (381.271 s).
  const Response after = parse_ok("0280 0000 00000000 00000001 000000000000000000000000");
  const Response later = parse_ok("0280 0000 00000000 00000006 000000000000000000000000");
  EpochTracker t;
  const auto t0 = Clock::time_point{};
  EXPECT_EQ(t.observe(457, t0 + 373802ms), EpochVerdict::first);
  EXPECT_EQ(t.observe(unsolicited.epoch_seconds, t0 + 375193ms), EpochVerdict::state_lost);
  EXPECT_EQ(t.observe(after.epoch_seconds, t0 + 375800ms), EpochVerdict::consistent);
  EXPECT_EQ(t.observe(later.epoch_seconds, t0 + 381271ms), EpochVerdict::consistent);
}
