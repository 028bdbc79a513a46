// Real NAT-PMP traffic: every datagram below was captured (tcpdump in the
// lan namespace of the mulenet lab) between a LAN host 192.168.77.10 and
// miniupnpd 2.3.1 (Debian 12 miniupnpd-nftables) on 192.168.77.1, whose
// external address is 203.0.113.2. Requests came from natpmpc 20150609 or
// were sent by hand; the responses are miniupnpd's, byte for byte. The lab
// router allows only ports 1024-65535 (`allow 1024-65535 ... 1024-65535`).
#include <gtest/gtest.h>

#include <string>

#include "portmap/natpmp/natpmp_codec.hpp"
#include "portmap/natpmp/natpmp_epoch.hpp"

using namespace mulenet::portmap::natpmp;
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

Response parse_ok(std::string_view hex)
{
  const auto r = parse_response(from_hex(hex));
  EXPECT_TRUE(r.ok()) << hex << ": " << r.detail;
  return r.value;
}

}  // namespace

TEST(PortmapNatpmpMiniupnpd, ExternalAddress)
{
  // natpmpc -g 192.168.77.1
  EXPECT_EQ(encode_external_address_request(), from_hex("0000"));  // what natpmpc sent
  const Response r = parse_ok("0080 0000 00000053 cb007102");
  EXPECT_EQ(r.opcode, Opcode::external_address);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.epoch_seconds, 0x53u);  // miniupnpd had been up 83 s
  EXPECT_EQ(r.external_address, (Ipv4{203, 0, 113, 2}));
}

TEST(PortmapNatpmpMiniupnpd, MapTcpAndUdpAsNatpmpcDoes)
{
  // natpmpc -a 4662 4662 tcp 60: our encoder writes the same bytes as natpmpc.
  EXPECT_EQ(encode_map_request({Protocol::tcp, 4662, 4662, 60}), from_hex("0002 0000 1236 1236 0000003c"));
  const Response tcp = parse_ok("0082 0000 00000053 1236 1236 0000003c");
  EXPECT_EQ(tcp.protocol(), Protocol::tcp);
  EXPECT_EQ(tcp.internal_port, 4662);
  EXPECT_EQ(tcp.external_port, 4662);
  EXPECT_EQ(tcp.lifetime_seconds, 60u);
  EXPECT_TRUE(answers({Protocol::tcp, 4662, 4662, 60}, tcp));

  // natpmpc -a 4672 4672 udp 60
  EXPECT_EQ(encode_map_request({Protocol::udp, 4672, 4672, 60}), from_hex("0001 0000 1240 1240 0000003c"));
  const Response udp = parse_ok("0081 0000 00000053 1240 1240 0000003c");
  EXPECT_EQ(udp.protocol(), Protocol::udp);
  EXPECT_EQ(udp.external_port, 4672);
}

TEST(PortmapNatpmpMiniupnpd, LifetimeIsGrantedAsAsked)
{
  // UDP 4672, no suggested port, 7200 s: miniupnpd takes the internal port
  // and does not clamp NAT-PMP lifetimes (its min/max_lifetime are PCP's).
  EXPECT_EQ(encode_map_request({Protocol::udp, 4672, 0, 7200}), from_hex("0001 0000 1240 0000 00001c20"));
  const Response r = parse_ok("0081 0000 000000d4 1240 1240 00001c20");
  EXPECT_EQ(r.external_port, 4672);
  EXPECT_EQ(r.lifetime_seconds, 7200u);
}

TEST(PortmapNatpmpMiniupnpd, PortHeldByAnotherHostGivesTheNextFreeOne)
{
  // 192.168.77.11 mapped TCP 5000 first and got 5001 (miniupnpd's own HTTP
  // server holds 5000); then this host asked for 5000 and got 5002.
  const Response r = parse_ok("0082 0000 000000d4 1388 138a 00000e10");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.internal_port, 5000);
  EXPECT_EQ(r.external_port, 5002);
}

TEST(PortmapNatpmpMiniupnpd, NotAuthorizedForAPortTheRulesDeny)
{
  // Internal port 80 (the rules allow 1024-65535): result 2 after miniupnpd
  // tried all 65535 external ports (121 s during which it answered nobody).
  // The lifetime asked for is echoed, and the epoch is the one from when the
  // request arrived (0x5b = 91), not from when the answer left.
  EXPECT_EQ(encode_map_request({Protocol::tcp, 80, 80, 3600}), from_hex("0002 0000 0050 0050 00000e10"));
  const Response r = parse_ok("0082 0002 0000005b 0050 0050 00000e10");
  EXPECT_EQ(r.result, ResultCode::not_authorized);
  EXPECT_EQ(r.internal_port, 80);
  EXPECT_EQ(r.lifetime_seconds, 3600u);
  EXPECT_EQ(r.epoch_seconds, 91u);
  EXPECT_TRUE(answers({Protocol::tcp, 80, 80, 3600}, r));
}

TEST(PortmapNatpmpMiniupnpd, NotAuthorizedForInternalPortZeroWithALifetime)
{
  // 0002 0000 0000 1236 0000003c: internal port 0 is only for deletes.
  const Response r = parse_ok("0082 0002 000000d4 0000 1236 0000003c");
  EXPECT_EQ(r.result, ResultCode::not_authorized);
  EXPECT_EQ(r.internal_port, 0);
}

TEST(PortmapNatpmpMiniupnpd, UnsupportedOpcodeIsAnEightByteReply)
{
  // Opcode 3, as 2 bytes and as 12 bytes: the same 8-byte reply (not the
  // whole request echoed, as RFC 6886 §3.5 asks). We never send opcode 3, so
  // the codec calls it a reply to an unknown opcode.
  const auto r = parse_response(from_hex("0083 0005 000000d4"));
  EXPECT_EQ(r.error, Errc::unknown_opcode);
  // The same reply to one of our opcodes would read as "unsupported opcode".
  const Response as_map = parse_ok("0082 0005 000000d4");
  EXPECT_EQ(as_map.result, ResultCode::unsupported_opcode);
}

TEST(PortmapNatpmpMiniupnpd, Deletes)
{
  // Delete TCP 7000 (mapped just before): success, external port 0, lifetime 0.
  EXPECT_EQ(encode_map_request(delete_request(Protocol::tcp, 7000)), from_hex("0002 0000 1b58 0000 00000000"));
  const Response one = parse_ok("0082 0000 000001ba 1b58 0000 00000000");
  EXPECT_TRUE(one.ok());
  EXPECT_EQ(one.internal_port, 7000);
  EXPECT_EQ(one.external_port, 0);
  EXPECT_EQ(one.lifetime_seconds, 0u);
  // Deleting it again (nothing left to delete) is a success as well.
  EXPECT_TRUE(parse_ok("0082 0000 000001bb 1b58 0000 00000000").ok());

  // Delete all UDP: miniupnpd 2.3.1 removed this host's NAT-PMP mappings of
  // both protocols (TCP 5002 and 7002 went too; PCP mappings stayed).
  EXPECT_EQ(encode_map_request(delete_all_request(Protocol::udp)), from_hex("0001 0000 0000 0000 00000000"));
  const Response all = parse_ok("0081 0000 000001c0 0000 0000 00000000");
  EXPECT_TRUE(all.ok());
  EXPECT_EQ(all.protocol(), Protocol::udp);
}

TEST(PortmapNatpmpMiniupnpd, ReplyToAMalformedVersionOneRequestIsPcpShaped)
{
  // A 12-byte request with version 1 goes to miniupnpd's PCP code, which
  // answers 24 bytes with version 0 (it never read the version) and PCP result
  // 3 (MALFORMED_REQUEST) in the last byte of the NAT-PMP result field. It is
  // no NAT-PMP response: too long.
  const auto r = parse_response(from_hex("0080 0003 00000000 000000d4 000000000000000000000000"));
  EXPECT_EQ(r.error, Errc::wrong_size);
}

TEST(PortmapNatpmpMiniupnpd, EpochAfterRestart)
{
  // `lab router restart-miniupnpd`: before, epoch 457 (PCP ANNOUNCE at
  // 373.802 s into the capture); after, NAT-PMP says 1 at 375.533 s and 2 at
  // 377.034 s. The mappings themselves survived (lease file), the epoch did not.
  const Response after = parse_ok("0080 0000 00000001 cb007102");
  EXPECT_EQ(after.epoch_seconds, 1u);
  EpochTracker t;
  const auto t0 = Clock::time_point{};
  EXPECT_EQ(t.observe(457, t0 + 373802ms), EpochVerdict::first);
  EXPECT_EQ(t.observe(after.epoch_seconds, t0 + 375533ms), EpochVerdict::state_lost);
  EXPECT_EQ(t.observe(parse_ok("0080 0000 00000002 cb007102").epoch_seconds, t0 + 377034ms),
            EpochVerdict::consistent);
}

TEST(PortmapNatpmpMiniupnpd, StaleEpochAfterALongRequestLooksLikeARestart)
{
  // The epoch of the NOT_AUTHORIZED reply above was taken when the request
  // arrived (91) but the reply left 121 s later; the next reply says 212. A
  // client that saw 83 at 0.039 s and then 91 at 128.940 s must conclude, by
  // RFC 6886 §3.6, that the router restarted: a false alarm miniupnpd causes.
  EpochTracker t;
  const auto t0 = Clock::time_point{};
  EXPECT_EQ(t.observe(0x53, t0 + 39ms), EpochVerdict::first);
  EXPECT_EQ(t.observe(0x5b, t0 + 128940ms), EpochVerdict::state_lost);
  EXPECT_EQ(t.observe(0xd4, t0 + 129035ms), EpochVerdict::consistent);
}
