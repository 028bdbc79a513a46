#include <gtest/gtest.h>

#include "proxy/socks5_codec.hpp"

using namespace mulenet::proxy;
using namespace mulenet::proxy::socks5;

namespace {

// Feeds a reply one byte at a time: need_more until the last byte, then complete.
template <typename Parse>
auto byte_at_a_time(const Bytes& reply, Parse parse)
{
  for (std::size_t n = 0; n < reply.size(); ++n) {
    auto r = parse(ByteView(reply.data(), n));
    EXPECT_EQ(r.status, ParseStatus::need_more) << "after " << n << " bytes";
  }
  return parse(ByteView(reply));
}

}  // namespace

TEST(ProxySocks5Codec, Greeting)
{
  EXPECT_EQ(encode_greeting(false), (Bytes{5, 1, 0}));
  EXPECT_EQ(encode_greeting(true), (Bytes{5, 2, 0, 2}));
}

TEST(ProxySocks5Codec, MethodReply)
{
  auto r = byte_at_a_time({5, 2}, [](ByteView in) { return parse_method_reply(in, true); });
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.value, kMethodUserPass);
  EXPECT_EQ(r.consumed, 2u);
  EXPECT_EQ(parse_method_reply(Bytes{5, 0xFF}, false).error, ProxyErrc::no_acceptable_auth);
  EXPECT_EQ(parse_method_reply(Bytes{5, 2}, false).error, ProxyErrc::protocol_violation);  // not offered
  EXPECT_EQ(parse_method_reply(Bytes{5, 1}, true).error, ProxyErrc::protocol_violation);   // GSSAPI, not offered
  EXPECT_EQ(parse_method_reply(Bytes{4, 0}, true).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(parse_method_reply(Bytes{'H', 'T'}, true).error, ProxyErrc::protocol_violation);
}

TEST(ProxySocks5Codec, Login)
{
  EXPECT_EQ(*encode_login("ab", "xyz"), (Bytes{1, 2, 'a', 'b', 3, 'x', 'y', 'z'}));
  EXPECT_EQ(*encode_login("", ""), (Bytes{1, 0, 0}));
  EXPECT_FALSE(encode_login(std::string(256, 'u'), "p").has_value());
  EXPECT_FALSE(encode_login("u", std::string(256, 'p')).has_value());
  EXPECT_TRUE(encode_login(std::string(255, 'u'), std::string(255, 'p')).has_value());
  auto ok = byte_at_a_time({1, 0}, [](ByteView in) { return parse_login_reply(in); });
  EXPECT_EQ(ok.status, ParseStatus::complete);
  const auto bad = parse_login_reply(Bytes{1, 1});
  EXPECT_EQ(bad.error, ProxyErrc::auth_failed);
  EXPECT_EQ(parse_login_reply(Bytes{9, 0}).error, ProxyErrc::protocol_violation);
}

TEST(ProxySocks5Codec, RequestsForEveryAddressKind)
{
  EXPECT_EQ(encode_request(Command::connect, *parse_target("1.2.3.4:4662")),
            (Bytes{5, 1, 0, 1, 1, 2, 3, 4, 0x12, 0x36}));
  const Bytes v6 = encode_request(Command::connect, *parse_target("[2001:db8::1]:80"));
  ASSERT_EQ(v6.size(), 4u + 16 + 2);
  EXPECT_EQ(v6[3], 4);
  EXPECT_EQ(v6[4], 0x20);
  EXPECT_EQ(v6[19], 0x01);
  EXPECT_EQ(encode_request(Command::connect, *parse_target("echo.lab:7")),
            (Bytes{5, 1, 0, 3, 8, 'e', 'c', 'h', 'o', '.', 'l', 'a', 'b', 0, 7}));
  EXPECT_EQ(encode_request(Command::udp_associate, *parse_target("0.0.0.0:1"))[1], 3);
}

TEST(ProxySocks5Codec, RepliesWhateverTheSegmentation)
{
  const Bytes v4{5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38};
  auto r = byte_at_a_time(v4, [](ByteView in) { return parse_reply(in, Command::connect); });
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, 10u);
  EXPECT_EQ(r.value.bound.str(), "10.0.0.1:1080");

  Bytes v6{5, 0, 0, 4};
  for (int i = 0; i < 15; ++i) v6.push_back(0);
  v6.push_back(1);
  v6.push_back(0);
  v6.push_back(80);
  r = byte_at_a_time(v6, [](ByteView in) { return parse_reply(in, Command::connect); });
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.value.bound.str(), "[::1]:80");

  const Bytes name{5, 0, 0, 3, 3, 'a', 'b', 'c', 0, 9};
  r = byte_at_a_time(name, [](ByteView in) { return parse_reply(in, Command::connect); });
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.value.bound.str(), "abc:9");

  // Extra bytes after the reply (early tunnel data) are not part of it.
  Bytes with_data = v4;
  with_data.push_back('x');
  EXPECT_EQ(parse_reply(with_data, Command::connect).consumed, 10u);
}

TEST(ProxySocks5Codec, EveryReplyCodeIsMapped)
{
  const std::vector<std::pair<std::uint8_t, ProxyErrc>> codes = {
      {1, ProxyErrc::proxy_failure},       {2, ProxyErrc::not_allowed},
      {3, ProxyErrc::target_unreachable},  {4, ProxyErrc::target_unreachable},
      {5, ProxyErrc::target_refused},      {6, ProxyErrc::target_unreachable},
      {7, ProxyErrc::command_not_supported}, {8, ProxyErrc::address_type_not_supported},
      {9, ProxyErrc::protocol_violation},  {0xFF, ProxyErrc::protocol_violation}};
  for (const auto& [rep, err] : codes) {
    const auto r = parse_reply(Bytes{5, rep}, Command::connect);
    EXPECT_EQ(r.status, ParseStatus::failed) << int(rep);
    EXPECT_EQ(r.error, err) << int(rep);
    EXPECT_FALSE(r.detail.empty());
  }
  EXPECT_EQ(parse_reply(Bytes{5, 7}, Command::udp_associate).error, ProxyErrc::udp_not_supported);
}

TEST(ProxySocks5Codec, HostileReplies)
{
  EXPECT_EQ(parse_reply(Bytes{}, Command::connect).status, ParseStatus::need_more);
  EXPECT_EQ(parse_reply(Bytes{4, 0, 0, 1}, Command::connect).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(parse_reply(Bytes{5, 0, 0, 9, 1, 2}, Command::connect).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(parse_reply(Bytes{'H', 'T', 'T', 'P'}, Command::connect).error, ProxyErrc::protocol_violation);
  // A name length of 255 needs 255 bytes: until then, need more (bounded by the caller).
  Bytes long_name{5, 0, 0, 3, 255};
  long_name.resize(100, 'a');
  EXPECT_EQ(parse_reply(long_name, Command::connect).status, ParseStatus::need_more);
}

TEST(ProxySocks5Codec, UdpHeader)
{
  const Bytes payload{0xE4, 0x01};
  const Bytes wrapped = wrap_udp(*parse_target("100.64.1.1:4672"), payload);
  EXPECT_EQ(wrapped, (Bytes{0, 0, 0, 1, 100, 64, 1, 1, 0x12, 0x40, 0xE4, 0x01}));
  const auto back = unwrap_udp(wrapped);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->source.str(), "100.64.1.1:4672");
  EXPECT_EQ(Bytes(back->payload.begin(), back->payload.end()), payload);

  Bytes fragment = wrapped;
  fragment[2] = 1;
  EXPECT_FALSE(unwrap_udp(fragment).has_value());  // fragments are dropped
  EXPECT_FALSE(unwrap_udp(Bytes{0, 0, 0}).has_value());
  EXPECT_FALSE(unwrap_udp(Bytes{1, 0, 0, 1, 1, 2, 3, 4, 0, 1}).has_value());
  EXPECT_FALSE(unwrap_udp(Bytes{0, 0, 0, 1, 1, 2, 3}).has_value());  // truncated address
  const auto empty = unwrap_udp(Bytes{0, 0, 0, 1, 1, 2, 3, 4, 0, 1});
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->payload.empty());
}
