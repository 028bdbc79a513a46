#include <gtest/gtest.h>

#include "proxy/proxy_error.hpp"
#include "proxy/proxy_spec.hpp"
#include "proxy/routing.hpp"
#include "proxy/target.hpp"

using namespace mulenet;
using namespace mulenet::proxy;
using config::ProxyType;

TEST(ProxyRouting, ThePageTable)
{
  struct Row {
    TrafficKind kind;
    Route socks5, socks4, http, socks4a;
  };
  const std::vector<Row> table = {
      {TrafficKind::server_tcp, Route::via_proxy, Route::via_proxy, Route::via_proxy, Route::via_proxy},
      {TrafficKind::client_tcp, Route::via_proxy, Route::via_proxy, Route::via_proxy, Route::via_proxy},
      {TrafficKind::server_udp, Route::via_proxy, Route::direct, Route::direct, Route::direct},
      {TrafficKind::kad_udp, Route::via_proxy, Route::direct, Route::direct, Route::direct},
      {TrafficKind::http_download, Route::direct, Route::direct, Route::via_proxy, Route::direct},
      {TrafficKind::incoming, Route::direct, Route::direct, Route::direct, Route::direct},
      {TrafficKind::local_control, Route::direct, Route::direct, Route::direct, Route::direct},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(to_string(row.kind));
    EXPECT_EQ(route_for(row.kind, {ProxyType::socks5, false}).route, row.socks5);
    EXPECT_EQ(route_for(row.kind, {ProxyType::socks4, false}).route, row.socks4);
    EXPECT_EQ(route_for(row.kind, {ProxyType::http, false}).route, row.http);
    EXPECT_EQ(route_for(row.kind, {ProxyType::socks4a, false}).route, row.socks4a);
    EXPECT_EQ(route_for(row.kind, {std::nullopt, false}).route, Route::direct);
  }
}

TEST(ProxyRouting, StrictModeRefusesEveryDirectRouteButIncoming)
{
  for (const ProxyType type : {ProxyType::socks5, ProxyType::socks4, ProxyType::http, ProxyType::socks4a}) {
    for (const TrafficKind kind : all_traffic_kinds()) {
      const auto loose = route_for(kind, {type, false});
      const auto strict = route_for(kind, {type, true});
      if (kind == TrafficKind::incoming || kind == TrafficKind::local_control) {
        EXPECT_EQ(strict.route, Route::direct);
      } else if (loose.route == Route::direct) {
        EXPECT_EQ(strict.route, Route::refused) << to_string(kind);
        EXPECT_NE(strict.reason.find("strict"), std::string::npos);
      } else {
        EXPECT_EQ(strict.route, loose.route);
      }
    }
  }
  EXPECT_NE(route_for(TrafficKind::kad_udp, {ProxyType::http, true}).reason.find("HTTP proxy cannot carry UDP"),
            std::string::npos);
}

TEST(ProxySpec, ParsesEveryUrlKind)
{
  std::string error;
  auto s = parse_proxy_url("socks5://user:p%40ss@203.0.113.10:1080", error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->type, ProxyType::socks5);
  EXPECT_EQ(s->host, "203.0.113.10");
  EXPECT_EQ(s->port, 1080);
  EXPECT_EQ(*s->user, "user");
  EXPECT_EQ(*s->password, "p@ss");
  EXPECT_EQ(s->redacted_url(), "socks5://user:***@203.0.113.10:1080");
  EXPECT_EQ(parse_proxy_url("socks4://me@proxy.lab:1081", error)->user, "me");
  EXPECT_EQ(parse_proxy_url("socks4a://proxy.lab:1082", error)->type, ProxyType::socks4a);
  EXPECT_EQ(parse_proxy_url("http://u:p@[2001:db8::1]:3128/", error)->host, "2001:db8::1");
  EXPECT_EQ(parse_proxy_url("SOCKS5H://h", error)->port, 1080);
  for (const char* bad : {"ftp://h:1", "h:1", "socks5://:1", "socks5://h:0", "socks5://h:70000", "socks5://h:x",
                          "http://h:1/path", "socks5://u:%zz@h:1", "socks5://[::1"}) {
    EXPECT_FALSE(parse_proxy_url(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty());
  }
  EXPECT_FALSE(parse_proxy_url("socks5://u:topsecret@h:x", error).has_value());
  EXPECT_EQ(error.find("topsecret"), std::string::npos);
}

TEST(ProxySpec, FromSettingsLikeAmule)
{
  config::ProxySettings s;
  EXPECT_FALSE(proxy_from_settings(s).has_value());
  s.enabled = true;
  s.host = "p";
  s.user = "u";
  s.password = "x";
  EXPECT_FALSE(proxy_from_settings(s)->user.has_value());  // credentials only with ProxyEnablePassword
  s.use_auth = true;
  EXPECT_EQ(*proxy_from_settings(s)->password, "x");
}

TEST(ProxyTarget, Parse)
{
  EXPECT_EQ(parse_target("1.2.3.4:5")->str(), "1.2.3.4:5");
  EXPECT_EQ(parse_target("[::1]:80")->str(), "[::1]:80");
  EXPECT_TRUE(parse_target("echo.lab:7")->is_name());
  for (const char* bad : {"", "x", ":80", "h:", "h:0", "h:65536", "::1:80", "[::1]80", "[zz]:80", "h:8a"})
    EXPECT_FALSE(parse_target(bad).has_value()) << bad;
  EXPECT_FALSE(parse_target(std::string(256, 'a') + ":1").has_value());
}

TEST(ProxyError, StableCodesAndFixes)
{
  EXPECT_EQ(code_name(ProxyErrc::auth_failed), "auth-failed");
  EXPECT_EQ(code_name(ProxyErrc::udp_not_supported), "udp-not-supported");
  const std::error_code ec = ProxyErrc::proxy_timeout;
  EXPECT_EQ(ec.category().name(), std::string("mulenet.proxy"));
  EXPECT_FALSE(ec.message().empty());
  for (int e = 1; e <= static_cast<int>(ProxyErrc::port_not_allowed); ++e) {
    EXPECT_NE(code_name(static_cast<ProxyErrc>(e)), "unknown") << e;
    EXPECT_FALSE(fix_for(static_cast<ProxyErrc>(e)).empty()) << e;
  }
}

TEST(ProxySpec, HostsWithColonsOrBracketsAreRefused)
{
  std::string error;
  for (const char* bad : {"socks5://::1", "socks5://2001:db8::1", "http://:]:", "socks4://[[]", "socks5://[zz]:1"})
    EXPECT_FALSE(parse_proxy_url(bad, error).has_value()) << bad;
  // user:pass without '@' is a host "user" with port "pass": refused, and never echoed back.
  EXPECT_FALSE(parse_proxy_url("socks5://user:pass:1080", error).has_value());
  EXPECT_EQ(parse_proxy_url("socks5://[::1]:1080", error)->redacted_url(), "socks5://[::1]:1080");
}

TEST(ProxyTarget, NulBytesNeverShortenAnAddress)
{
  EXPECT_FALSE(parse_target(std::string("[::\0]:80", 8)).has_value());
  EXPECT_FALSE(parse_target(std::string("1.2.3.4\0x:80", 12)).has_value());
  EXPECT_FALSE(parse_ipv4(std::string("1.2.3.4\0", 8)).has_value());
}
