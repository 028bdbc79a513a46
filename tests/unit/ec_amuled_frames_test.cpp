// Frames captured from a real amuled 2.3.3 (Debian amule-daemon 1:2.3.3-3, a
// lab Kad node at 100.64.1.1 with eD2k off and Kad connected), read by our
// decoder and by the code that turns them into aMule's state.
#include <gtest/gtest.h>

#include <string>

#include "ec/amule_state.hpp"
#include "ec/ec_packet.hpp"
#include "ec_captured_frame.hpp"

namespace mulenet::ec {
namespace {

using captured::decode;
using captured::from_hex;

// Answers to amulecmd's framing (0x22): AUTH_SALT, AUTH_OK, STAT_REQ (detail CMD),
// GET_SERVER_LIST, GET_CONNSTATE.
const char* const kSalt = "000000220000000d4f0116050856abfcb6e86d34cb";
const char* const kAuthOk = "000000220000000d0401e0a8960606322e332e3300";
const char* const kStats =
    "000000220000008e0c16d080020100d082020100d084020100d086020100d090020100d08c020100d092020100d09402010ad09602"
    "0100d09803020438d0b6020106d09c020100d09e020100d0a0020100d0a2020100d0a4020100d0a6040401014064d0ae020100d0a802"
    "0100d0aa020100d0ac0201000b02230214040401014064200a104542d8eed795ca7bb80fc9dfea47fcb014";
const char* const kServers = "00000022000000022d00";
const char* const kConnState =
    "000000220000002107010b02230214040401014064200a104542d8eed795ca7bb80fc9dfea47fcb014";

TEST(EcAmuledFrames, LoginAnswers)
{
  const Packet salt = decode(kSalt);
  EXPECT_EQ(salt.opcode, Op::auth_salt);
  ASSERT_NE(find_tag(salt.tags, tag::passwd_salt), nullptr);
  EXPECT_EQ(find_tag(salt.tags, tag::passwd_salt)->as_uint(), 0x56abfcb6e86d34cbULL);
  const Packet ok = decode(kAuthOk);
  EXPECT_EQ(ok.opcode, Op::auth_ok);
  EXPECT_EQ(find_tag(ok.tags, tag::server_version)->as_string(), "2.3.3");
}

TEST(EcAmuledFrames, StatusOfAKadNodeWithEd2kOff)
{
  const Packet stats = decode(kStats);
  std::string error;
  const auto s = read_stats(stats, error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->ed2k, AmuleEd2k::disconnected);
  EXPECT_FALSE(s->high_id());
  EXPECT_EQ(s->kad, AmuleKad::running_connected);  // CONNSTATE 0x14
  EXPECT_EQ(s->kad_tcp_firewalled, false);
  EXPECT_EQ(s->kad_udp_firewalled, false);
  ASSERT_TRUE(s->kad_ip);
  EXPECT_EQ(*s->kad_ip, (std::array<std::uint8_t, 4>{100, 64, 1, 1}));  // the node's own address
  EXPECT_EQ(s->buddy, BuddyState::none);
  EXPECT_FALSE(s->buddy_address);
  EXPECT_EQ(s->kad_nodes, 6u);
  // Re-encoded in amuled's framing, the same bytes.
  EXPECT_EQ(encode_frame(stats, 0x22), from_hex(kStats));
}

TEST(EcAmuledFrames, EmptyServerListAndConnState)
{
  std::string error;
  const auto servers = read_server_list(decode(kServers), error);
  ASSERT_TRUE(servers) << error;
  EXPECT_TRUE(servers->empty());
  const Packet conn = decode(kConnState);
  EXPECT_EQ(conn.opcode, Op::misc_data);
  EXPECT_EQ(find_tag(conn.tags, tag::connstate)->as_uint(), 0x14u);
}

}  // namespace
}  // namespace mulenet::ec
