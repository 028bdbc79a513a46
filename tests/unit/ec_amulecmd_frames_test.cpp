// Frames captured between a real amulecmd 2.3.3 (Debian amule-utils) and
// `mulenet run`'s EC server, through a logging relay on loopback
// (`amulecmd -P pw-ec -c status`, then `-c "show servers"`). amulecmd's own
// frames must decode and log in against our server's state machine with the
// salt we sent; our answers are the bytes amulecmd accepted and printed
// (kept so that a change of our encoder shows up here first).
#include <gtest/gtest.h>

#include <string>

#include "ec/ec_answers.hpp"
#include "ec/ec_login.hpp"
#include "ec/ec_packet.hpp"
#include "ec_captured_frame.hpp"
#include "ec/ec_server_login.hpp"

namespace mulenet::ec {
namespace {

using captured::decode;
using captured::from_hex;

// amulecmd -> us.
const char* const kAuthReq =
    "00000022000000240205c8800609614d756c65636d6400c8820606322e332e330004030202041801001a0100";
const char* const kPasswd1 = "00000022000000155001020910564310e2daa6e8e0806bad7a900d16a7";  // for salt 1
const char* const kPasswd2 = "000000220000001550010209103a089b04866bac523e17ceb173014c6d";  // for salt 2
const char* const kStatReq = "00000022000000060a0108020100";
const char* const kServerListReq = "00000022000000062c0108020100";
// us -> amulecmd.
const char* const kSalt1 = "000000220000000d4f01160508b9b217241069cdce";
constexpr std::uint64_t kSalt1Value = 0xb9b217241069cdceULL;
constexpr std::uint64_t kSalt2Value = 0x02ed08e0343ad924ULL;
const char* const kAuthOk = "00000022000000150401e0a896060e6d756c656e657420302e312e3000";
const char* const kStatsNothingRunning =
    "000000220000002e0c08d080020100d082020100d084020100d086020100d092020100d094020100d0b60201000b0209011402010008";
const char* const kServerList =
    "00000022000000252d01e0a881081f01e0a88206123230332e302e3131332e31303a3436363100cb00710a1235";

}  // namespace

TEST(EcAmulecmdFrames, AuthReqAsTheReferenceHasIt)
{
  const Packet p = decode(kAuthReq);
  EXPECT_EQ(p.opcode, Op::auth_req);
  EXPECT_EQ(find_tag(p.tags, tag::client_name)->as_string(), "aMulecmd");
  EXPECT_EQ(find_tag(p.tags, tag::client_version)->as_string(), "2.3.3");
  EXPECT_EQ(find_tag(p.tags, tag::protocol_version)->as_uint(), kProtocolVersion);
  EXPECT_NE(find_tag(p.tags, tag::can_zlib), nullptr);  // sent even without a remote.conf
  EXPECT_NE(find_tag(p.tags, tag::can_utf8_numbers), nullptr);
}

TEST(EcAmulecmdFrames, AmulecmdsHashLogsInWithTheSaltWeSent)
{
  const std::string password_md5 = md5_hex("pw-ec");
  for (const auto& [passwd, salt] : {std::pair{kPasswd1, kSalt1Value}, std::pair{kPasswd2, kSalt2Value}}) {
    ServerLogin login(password_md5, salt, "mulenet 0.1.0");
    const Packet salt_answer = login.answer(decode(kAuthReq));
    EXPECT_EQ(salt_answer.opcode, Op::auth_salt);
    const Packet ok = login.answer(decode(passwd));
    EXPECT_EQ(ok.opcode, Op::auth_ok);
    EXPECT_EQ(login.step(), LoginStep::logged_in);
    // With another password the same bytes are refused.
    ServerLogin other(md5_hex("pw-other"), salt, "v");
    (void)other.answer(decode(kAuthReq));
    EXPECT_EQ(other.answer(decode(passwd)).opcode, Op::auth_fail);
  }
  // What we sent amulecmd, byte for byte: the salt and AUTH_OK it accepted.
  EXPECT_EQ(encode_frame(auth_salt_answer(kSalt1Value), kFlagBase | kFlagUtf8Numbers), from_hex(kSalt1));
  EXPECT_EQ(encode_frame(auth_ok_answer("mulenet 0.1.0"), kFlagBase | kFlagUtf8Numbers), from_hex(kAuthOk));
}

TEST(EcAmulecmdFrames, StatusAndShowServersRequests)
{
  const Packet stat = decode(kStatReq);
  EXPECT_EQ(stat.opcode, Op::stat_req);
  EXPECT_EQ(find_tag(stat.tags, tag::detail_level)->as_uint(), static_cast<std::uint64_t>(Detail::cmd));
  const Packet list = decode(kServerListReq);
  EXPECT_EQ(list.opcode, Op::get_server_list);
}

TEST(EcAmulecmdFrames, OurAnswersAreTheBytesAmulecmdPrinted)
{
  // "eD2k: Not connected", "Kad: Not running", "Download/Upload: 0 bytes/sec".
  EXPECT_EQ(encode_frame(stats_answer(AmuleState{}), kFlagBase | kFlagUtf8Numbers), from_hex(kStatsNothingRunning));
  // "[203.0.113.10:4661]      203.0.113.10:4661".
  const std::vector<AmuleServer> servers{{{{203, 0, 113, 10}, 4661}, ""}};
  EXPECT_EQ(encode_frame(server_list_answer(servers), kFlagBase | kFlagUtf8Numbers), from_hex(kServerList));
}

}  // namespace mulenet::ec
