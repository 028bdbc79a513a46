// url_guard: parsing absolute http URLs, resolving a description's relative
// URLs (UDA §2.1, RFC 3986 §5.2), and refusing what a forged SSDP answer or
// description could point us at.
#include <gtest/gtest.h>

#include <string>

#include "portmap/upnp/url_guard.hpp"

using namespace mulenet::portmap::upnp;

namespace {

HttpUrl url(const std::string& text)
{
  auto r = parse_http_url(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.detail;
  return r.value;
}

std::string resolved(const std::string& base, const std::string& reference)
{
  auto r = resolve_url(url(base), reference);
  return r.ok ? r.value.str() : "error: " + std::string(code_name(r.error));
}

const GatewayScope kLab{"192.168.77.1", 24};

}  // namespace

TEST(PortmapUpnpUrlGuard, ParsesAbsoluteHttpUrls)
{
  const HttpUrl u = url("http://192.168.77.1:5000/rootDesc.xml");
  EXPECT_EQ(u.host, "192.168.77.1");
  EXPECT_EQ(u.host_kind, HostKind::ipv4);
  EXPECT_EQ(u.port, 5000);
  EXPECT_EQ(u.target, "/rootDesc.xml");
  EXPECT_EQ(u.authority(), "192.168.77.1:5000");
  EXPECT_EQ(u.str(), "http://192.168.77.1:5000/rootDesc.xml");

  EXPECT_EQ(url("HTTP://192.168.1.1").str(), "http://192.168.1.1/");
  EXPECT_EQ(url("http://192.168.1.1:80/x").authority(), "192.168.1.1");  // no ":80" in Host
  EXPECT_EQ(url("http://192.168.1.1:/x").port, 80);
  EXPECT_EQ(url("  http://192.168.1.1:49000/igd.xml?a=1#frag \r\n").target, "/igd.xml?a=1");
  EXPECT_EQ(url("http://192.168.1.1?q").target, "/?q");
  EXPECT_EQ(url("http://192.168.1.1/a/./b/../c").target, "/a/c");
  EXPECT_EQ(url("http://192.168.1.1/%7Euser").target, "/%7Euser");

  const HttpUrl v6 = url("http://[FD00::1]:5000/desc");
  EXPECT_EQ(v6.host, "fd00::1");
  EXPECT_EQ(v6.host_kind, HostKind::ipv6);
  EXPECT_EQ(v6.authority(), "[fd00::1]:5000");
  EXPECT_EQ(url("http://Router.Lan:80/").host_kind, HostKind::name);
  EXPECT_EQ(url("http://Router.Lan:80/").host, "router.lan");
}

TEST(PortmapUpnpUrlGuard, RefusesWhatIsNotPlainHttp)
{
  auto err = [](const std::string& text) { return parse_http_url(text).error; };
  EXPECT_EQ(err("https://192.168.1.1/desc.xml"), CodecErrc::unsafe_url);
  EXPECT_EQ(err("file:///etc/passwd"), CodecErrc::unsafe_url);
  EXPECT_EQ(err("gopher://192.168.1.1/"), CodecErrc::unsafe_url);
  EXPECT_EQ(err("http://admin:pw@192.168.1.1/"), CodecErrc::unsafe_url);
  EXPECT_EQ(err("http://192.168.1.1@10.0.0.1/"), CodecErrc::unsafe_url);
  EXPECT_EQ(err(""), CodecErrc::malformed);
  EXPECT_EQ(err("/rootDesc.xml"), CodecErrc::malformed);
  EXPECT_EQ(err("http:/192.168.1.1/"), CodecErrc::malformed);
  EXPECT_EQ(err("http:///x"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1:0/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1:65536/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1:-1/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1:80a/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.256/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://3232235777/"), CodecErrc::malformed);    // 192.168.1.1 as one number
  EXPECT_EQ(err("http://192.168.1/"), CodecErrc::malformed);     // three-part form
  EXPECT_EQ(err("http://010.0.0.1/"), CodecErrc::malformed);     // octal to some parsers
  EXPECT_EQ(err("http://[fe80::1%25eth0]/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://[fd00::1/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://[not-v6]/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/a b"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/a\r\nHost: evil"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/a\\b"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/%zz"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/%4"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/\xc3\xa9"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/" + std::string(std::string_view("a\0b", 3))), CodecErrc::malformed);
  EXPECT_EQ(err("http://ex_ample/"), CodecErrc::malformed);
  EXPECT_EQ(err("http://192.168.1.1/" + std::string(kMaxTargetBytes, 'a')), CodecErrc::too_large);
  EXPECT_EQ(err("http://192.168.1.1/" + std::string(kMaxUrlBytes, 'a')), CodecErrc::too_large);
}

TEST(PortmapUpnpUrlGuard, ResolvesRelativeUrlsLikeUpnpRequires)
{
  // miniupnpd: absolute paths against the LOCATION.
  EXPECT_EQ(resolved("http://192.168.77.1:5000/rootDesc.xml", "/ctl/IPConn"), "http://192.168.77.1:5000/ctl/IPConn");
  // Older routers: URLBase "http://192.168.1.1:49152/" and paths without '/'.
  EXPECT_EQ(resolved("http://192.168.1.1:49152/", "upnp/control/WANIPConn1"),
            "http://192.168.1.1:49152/upnp/control/WANIPConn1");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml", "ctl"), "http://192.168.1.1:49152/desc/ctl");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml", "../ctl"), "http://192.168.1.1:49152/ctl");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml", "../../../../ctl"), "http://192.168.1.1:49152/ctl");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml", "./a/./b"), "http://192.168.1.1:49152/desc/a/b");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml?x=1", "?y=2"), "http://192.168.1.1:49152/desc/igd.xml?y=2");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml?x=1", ""), "http://192.168.1.1:49152/desc/igd.xml?x=1");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/desc/igd.xml", "\n   /ctl/ip  \n"), "http://192.168.1.1:49152/ctl/ip");
  // Absolute and network-path references.
  EXPECT_EQ(resolved("http://192.168.1.1:49152/", "http://192.168.1.1:2869/upnphost/udhisapi.dll?control=x"),
            "http://192.168.1.1:2869/upnphost/udhisapi.dll?control=x");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/", "//192.168.1.2:81/c"), "http://192.168.1.2:81/c");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/", "https://192.168.1.1/c"), "error: unsafe-url");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/", "/a b"), "error: malformed");
  EXPECT_EQ(resolved("http://192.168.1.1:49152/", "/" + std::string(kMaxTargetBytes, 'x')), "error: too-large");
}

TEST(PortmapUpnpUrlGuard, AcceptsOnlyTheGatewaysSubnet)
{
  EXPECT_TRUE(accept_url("http://192.168.77.1:5000/rootDesc.xml", kLab).ok);
  // A CARP/VRRP router answering from its own address next to the virtual one.
  EXPECT_TRUE(accept_url("http://192.168.77.3:5000/rootDesc.xml", kLab).ok);
  EXPECT_FALSE(accept_url("http://192.168.77.3:5000/rootDesc.xml", GatewayScope{"192.168.77.1", 32}).ok);
  EXPECT_TRUE(accept_url("http://192.168.77.1:5000/rootDesc.xml", GatewayScope{"192.168.77.1", 99}).ok);

  auto refused = [](const std::string& text, const GatewayScope& scope = kLab) {
    const auto r = accept_url(text, scope);
    return !r.ok && r.error == CodecErrc::unsafe_url;
  };
  EXPECT_TRUE(refused("http://10.20.30.40/rootDesc.xml"));      // off-subnet (a forged SSDP answer)
  EXPECT_TRUE(refused("http://192.168.78.1:5000/rootDesc.xml"));
  EXPECT_TRUE(refused("http://127.0.0.1:8080/admin"));
  EXPECT_TRUE(refused("http://0.0.0.0/"));
  EXPECT_TRUE(refused("http://239.255.255.250:1900/"));
  EXPECT_TRUE(refused("http://255.255.255.255/"));
  EXPECT_TRUE(refused("http://192.168.77.0/"));                 // the network address
  EXPECT_TRUE(refused("http://192.168.77.255/"));               // the subnet broadcast
  EXPECT_TRUE(refused("http://router.lan:5000/rootDesc.xml"));  // a name: DNS rebinding
  EXPECT_TRUE(refused("http://[fd00::1]/"));                    // other family than the gateway
  EXPECT_TRUE(refused("https://192.168.77.1:5443/rootDesc.xml"));
  EXPECT_TRUE(refused("http://192.168.77.1/", GatewayScope{"not an address", 24}));
  // Prefix 0 accepts everything, but never loopback and friends.
  EXPECT_TRUE(accept_url("http://10.20.30.40/", GatewayScope{"192.168.77.1", 0}).ok);
  EXPECT_TRUE(refused("http://127.0.0.1/", GatewayScope{"192.168.77.1", 0}));
  // /31 point-to-point links have no network or broadcast address.
  EXPECT_TRUE(accept_url("http://10.0.0.0/", GatewayScope{"10.0.0.1", 31}).ok);

  const GatewayScope v6{"fd00:1::1", 64};
  EXPECT_TRUE(accept_url("http://[fd00:1::1]:5000/d.xml", v6).ok);
  EXPECT_TRUE(accept_url("http://[fd00:1::abcd]:5000/d.xml", v6).ok);
  EXPECT_TRUE(refused("http://[fd00:2::1]/", v6));
  EXPECT_TRUE(refused("http://[::1]/", GatewayScope{"::1", 128}));
  EXPECT_TRUE(refused("http://[::ffff:127.0.0.1]/", GatewayScope{"::ffff:127.0.0.2", 96}));
  EXPECT_TRUE(refused("http://[ff02::c]/", GatewayScope{"ff02::1", 16}));
  EXPECT_TRUE(refused("http://192.168.77.1/", v6));

  // Control URLs resolved against the description's URL, then checked.
  const HttpUrl base = url("http://192.168.77.1:5000/rootDesc.xml");
  EXPECT_EQ(accept_url(base, "/ctl/IPConn", kLab).value.str(), "http://192.168.77.1:5000/ctl/IPConn");
  EXPECT_EQ(accept_url(base, "http://127.0.0.1:631/admin", kLab).error, CodecErrc::unsafe_url);
  EXPECT_EQ(accept_url(base, "//10.0.0.1/x", kLab).error, CodecErrc::unsafe_url);
  const auto why = url_refusal(url("http://10.20.30.40/"), kLab);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "the host 10.20.30.40 is outside the gateway's network 192.168.77.1/24");
}
