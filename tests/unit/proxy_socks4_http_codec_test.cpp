#include <gtest/gtest.h>

#include <string>

#include "proxy/http_connect_codec.hpp"
#include "proxy/socks4_codec.hpp"

using namespace mulenet::proxy;

namespace {

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST(ProxySocks4Codec, Requests)
{
  EXPECT_EQ(socks4::encode_connect({1, 2, 3, 4}, 4662, "me"),
            (socks4::Bytes{4, 1, 0x12, 0x36, 1, 2, 3, 4, 'm', 'e', 0}));
  EXPECT_EQ(socks4::encode_connect({1, 2, 3, 4}, 80, ""), (socks4::Bytes{4, 1, 0, 80, 1, 2, 3, 4, 0}));
  EXPECT_EQ(*socks4::encode_connect_4a("echo.lab", 7, "u"),
            (socks4::Bytes{4, 1, 0, 7, 0, 0, 0, 1, 'u', 0, 'e', 'c', 'h', 'o', '.', 'l', 'a', 'b', 0}));
  EXPECT_FALSE(socks4::encode_connect_4a("", 7, "u").has_value());
  EXPECT_FALSE(socks4::encode_connect_4a(std::string("a\0b", 3), 7, "u").has_value());
}

TEST(ProxySocks4Codec, RepliesAndCodes)
{
  const socks4::Bytes granted{0, 90, 0, 0, 0, 0, 0, 0};
  for (std::size_t n = 0; n < granted.size(); ++n)
    EXPECT_EQ(socks4::parse_reply(socks4::ByteView(granted.data(), n)).status, ParseStatus::need_more);
  EXPECT_EQ(socks4::parse_reply(granted).status, ParseStatus::complete);
  EXPECT_EQ(socks4::parse_reply(granted).consumed, 8u);
  EXPECT_EQ(socks4::parse_reply(socks4::Bytes{0, 91, 0, 0, 0, 0, 0, 0}).error, ProxyErrc::request_rejected);
  EXPECT_EQ(socks4::parse_reply(socks4::Bytes{0, 92, 0, 0, 0, 0, 0, 0}).error, ProxyErrc::auth_failed);
  EXPECT_EQ(socks4::parse_reply(socks4::Bytes{0, 93, 0, 0, 0, 0, 0, 0}).error, ProxyErrc::auth_failed);
  EXPECT_EQ(socks4::parse_reply(socks4::Bytes{0, 94, 0, 0, 0, 0, 0, 0}).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(socks4::parse_reply(socks4::Bytes{5, 0, 0, 0, 0, 0, 0, 0}).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(socks4::parse_reply(bytes("HTTP/1.1")).error, ProxyErrc::protocol_violation);
}

TEST(ProxyHttpConnectCodec, Request)
{
  const auto plain = http_connect::encode_request(*parse_target("echo.lab:7"), std::nullopt);
  ASSERT_TRUE(plain.has_value());
  const std::string text(plain->begin(), plain->end());
  EXPECT_EQ(text.rfind("CONNECT echo.lab:7 HTTP/1.1\r\nHost: echo.lab:7\r\n", 0), 0u);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\n\r\n");
  EXPECT_EQ(text.find("Proxy-Authorization"), std::string::npos);

  const auto authed = http_connect::encode_request(*parse_target("[2001:db8::1]:443"),
                                                   http_connect::Credentials{"Aladdin", "open sesame"});
  const std::string a(authed->begin(), authed->end());
  EXPECT_NE(a.find("CONNECT [2001:db8::1]:443 HTTP/1.1"), std::string::npos);
  EXPECT_NE(a.find("Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"), std::string::npos);

  EXPECT_FALSE(http_connect::encode_request(*parse_target("a:1"), http_connect::Credentials{"u\r\nX: y", "p"}));
}

TEST(ProxyHttpConnectCodec, SuccessKeepsTheBytesAfterTheHeader)
{
  const std::string reply = "HTTP/1.1 200 Connection established\r\nProxy-Agent: x\r\n\r\nHELLO";
  const auto in = bytes(reply);
  const std::size_t header = reply.find("HELLO");
  for (std::size_t n = 0; n < header; ++n)
    EXPECT_EQ(http_connect::parse_reply(http_connect::ByteView(in.data(), n), false).status, ParseStatus::need_more)
        << n;
  const auto r = http_connect::parse_reply(in, false);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.value.status, 200u);
  EXPECT_EQ(r.consumed, header);
  EXPECT_EQ(http_connect::parse_reply(bytes("HTTP/1.0 200 OK\r\n\r\n"), false).status, ParseStatus::complete);
}

TEST(ProxyHttpConnectCodec, StatusesAreMapped)
{
  auto code = [](const std::string& status_line, bool creds, const std::string& headers = "") {
    return http_connect::parse_reply(bytes(status_line + "\r\n" + headers + "Content-Length: 5\r\n\r\nbody!"), creds)
        .error;
  };
  EXPECT_EQ(code("HTTP/1.1 407 Proxy Authentication Required", true), ProxyErrc::auth_failed);
  EXPECT_EQ(code("HTTP/1.1 407 Proxy Authentication Required", false), ProxyErrc::no_acceptable_auth);
  EXPECT_EQ(code("HTTP/1.1 403 Forbidden", true), ProxyErrc::not_allowed);
  EXPECT_EQ(code("HTTP/1.1 405 Method Not Allowed", true), ProxyErrc::command_not_supported);
  EXPECT_EQ(code("HTTP/1.1 503 Service Unavailable", true), ProxyErrc::target_unreachable);
  EXPECT_EQ(code("HTTP/1.1 503 Service Unavailable", true, "X-Squid-Error: ERR_CONNECT_FAIL 111\r\n"),
            ProxyErrc::target_refused);
  EXPECT_EQ(code("HTTP/1.1 502 Bad Gateway", true), ProxyErrc::target_unreachable);
  EXPECT_EQ(code("HTTP/1.1 418 I'm a teapot", true), ProxyErrc::proxy_failure);
}

TEST(ProxyHttpConnectCodec, HostileReplies)
{
  EXPECT_EQ(http_connect::parse_reply(bytes("\x05\x00"), false).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(http_connect::parse_reply(bytes("SSH-2.0-OpenSSH\r\n\r\n"), false).error, ProxyErrc::protocol_violation);
  EXPECT_EQ(http_connect::parse_reply(bytes("HTTP/1.1 2000 OK\r\n\r\n"), false).status, ParseStatus::failed);
  // An endless header is cut off at the limit instead of buffering forever.
  std::string endless = "HTTP/1.1 200 OK\r\n";
  while (endless.size() < http_connect::kMaxHeaderBytes + 10) endless += "X-Pad: aaaaaaaaaaaaaaaa\r\n";
  EXPECT_EQ(http_connect::parse_reply(bytes(endless), false).error, ProxyErrc::protocol_violation);
}
