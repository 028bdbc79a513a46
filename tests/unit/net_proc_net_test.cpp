#include "net/proc_net.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <string>

namespace mulenet::net {
namespace {

using namespace std::string_literals;

// The address columns hold host-order words; these samples come from a
// little-endian machine.
bool little_endian() { return std::endian::native == std::endian::little; }

constexpr const char* kTcpHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

TEST(NetProcNet, ParsesIpv4ListenAndEstablishedLines) {
  if (!little_endian()) GTEST_SKIP() << "samples are little-endian";
  const std::string text = std::string(kTcpHeader) +
      "   0: 0100007F:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 45678 1 "
      "0000000000000000 100 0 0 10 0\n"
      "   1: 0B02A8C0:C350 0102A8C0:01BB 01 00000000:00000000 02:000A7B3F 00000000  1000        0 99 2 "
      "0000000000000000 20 4 30 10 -1\n";
  const auto sockets = parse_proc_net(text);
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[0].local_address, "\x7f\x00\x00\x01"s);
  EXPECT_EQ(sockets[0].local_port, 0x1236);
  EXPECT_EQ(sockets[0].state, kTcpStateListen);
  EXPECT_EQ(sockets[0].inode, 45678u);
  EXPECT_EQ(sockets[1].local_address, "\xc0\xa8\x02\x0b"s);  // 192.168.2.11
  EXPECT_EQ(sockets[1].local_port, 50000);
  EXPECT_EQ(sockets[1].state, 0x01);
  EXPECT_EQ(sockets[1].inode, 99u);
}

TEST(NetProcNet, ParsesIpv6Lines) {
  if (!little_endian()) GTEST_SKIP() << "samples are little-endian";
  const std::string text =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
      "tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:1236 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n"
      "   1: 000080FE00000000FF00FC0001000000:1240 00000000000000000000000000000000:0000 07 00000000:00000000 "
      "00:00000000 00000000     0        0 778 2 0000000000000000 0\n";
  const auto sockets = parse_proc_net(text);
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[0].local_address, std::string(15, '\0') + "\x01"s);  // ::1
  EXPECT_EQ(sockets[0].local_port, 0x1236);
  EXPECT_EQ(sockets[0].inode, 777u);
  // Word by word: 000080FE -> fe 80 00 00, ..., FF00FC00 -> 00 fc 00 ff: fe80::fc:ff:0:1
  EXPECT_EQ(sockets[1].local_address,
            "\xfe\x80\x00\x00\x00\x00\x00\x00\x00\xfc\x00\xff\x00\x00\x00\x01"s);
  EXPECT_EQ(sockets[1].local_port, 0x1240);
  EXPECT_EQ(sockets[1].state, 0x07);
}

TEST(NetProcNet, ParsesUdpLinesAndLowercaseHex) {
  const std::string text =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
      "pointer drops\n"
      "  120: 00000000:1240 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 31337 2 "
      "0000000000000000 0\n"
      "  121: 00000000:12ab 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 "
      "0000000000000000 0\n";
  const auto sockets = parse_proc_net(text);
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[0].local_address, std::string(4, '\0'));
  EXPECT_EQ(sockets[0].local_port, 4672);
  EXPECT_EQ(sockets[0].state, 0x07);
  EXPECT_EQ(sockets[0].inode, 31337u);
  EXPECT_EQ(sockets[1].local_port, 0x12ab);
}

TEST(NetProcNet, SkipsMalformedLinesAndKeepsGoodOnes) {
  const std::string good =
      "   7: 00000000:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 42 1 0 100 0 0 10 0";
  const std::string text = std::string(kTcpHeader) +
      "\n"                                                                                 // empty
      "garbage\n"                                                                          // one word
      "   0: 00000000:1236 00000000:0000 0A\n"                                             // too few fields
      "   x: 00000000:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n"  // bad slot
      "   1: 000000:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n"    // short address
      "   2: 0000000G:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n"  // not hex
      "   3: 00000000 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 2\n"     // no port
      "   4: 00000000:12360 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n" // 5-digit port
      "   5: 00000000:1236 00000000:0000 10A 00000000:00000000 00:00000000 00000000 0 0 1\n" // 3-digit state
      "   6: 00000000:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 -1\n" // negative inode
      "   8: 00000000:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999999\n" +
      good + "\r\n"  // CRLF is tolerated
      "   9: 00000000:1236 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12a\n";  // trailing junk
  const auto sockets = parse_proc_net(text);
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0].inode, 42u);
  EXPECT_EQ(sockets[0].local_port, 0x1236);
}

TEST(NetProcNet, EmptyAndHeaderOnlyTextGiveNothing) {
  EXPECT_TRUE(parse_proc_net("").empty());
  EXPECT_TRUE(parse_proc_net(kTcpHeader).empty());
  EXPECT_TRUE(parse_proc_net(std::string("\0\0\0\n", 4)).empty());
}

TEST(NetProcNet, LastLineWithoutNewlineIsParsed) {
  const auto sockets = parse_proc_net(
      "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 5 1 0 100 0 0 10 0");
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0].local_port, 80);
}

TEST(NetProcNet, MissingTablesReadAsEmpty) {
  EXPECT_TRUE(read_proc_net(config::Protocol::tcp, "/nonexistent-mulenet-proc").empty());
}

}  // namespace
}  // namespace mulenet::net
