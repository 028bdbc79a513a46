// SSDP: the M-SEARCH we send, and the datagrams miniupnpd 2.3.1 really sent
// in the lab (tests/fixtures/upnp/real/, captured by capture.sh) plus
// hand-written hostile ones (tests/fixtures/upnp/crafted/).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "portmap/upnp/ssdp.hpp"
#include "portmap/upnp/url_guard.hpp"

using namespace mulenet::portmap::upnp;

namespace {

std::string fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/upnp/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ssdp::Message parsed(const std::string& name)
{
  auto r = ssdp::parse_datagram(fixture(name));
  EXPECT_TRUE(r.ok) << name << ": " << r.detail;
  return r.value;
}

constexpr std::string_view kLabUuid = "uuid:6d756c65-6e65-7400-0000-726f75746572";

}  // namespace

TEST(PortmapUpnpSsdp, EncodesMSearch)
{
  EXPECT_EQ(*ssdp::encode_m_search(ssdp::st::kIgd2, 2),
            "M-SEARCH * HTTP/1.1\r\n"
            "HOST: 239.255.255.250:1900\r\n"
            "MAN: \"ssdp:discover\"\r\n"
            "MX: 2\r\n"
            "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
            "\r\n");
  EXPECT_NE(ssdp::encode_m_search(ssdp::st::kWanPppConnection1, 0)->find("\r\nMX: 1\r\n"), std::string::npos);
  EXPECT_NE(ssdp::encode_m_search(ssdp::st::kAll, 120)->find("\r\nMX: 5\r\n"), std::string::npos);
  for (auto st : {ssdp::st::kIgd1, ssdp::st::kWanIpConnection1, ssdp::st::kWanIpConnection2, ssdp::st::kRootDevice})
    EXPECT_NE(ssdp::encode_m_search(st, 2)->find("\r\nST: " + std::string(st) + "\r\n\r\n"), std::string::npos);
  EXPECT_FALSE(ssdp::encode_m_search("", 2).has_value());
  EXPECT_FALSE(ssdp::encode_m_search("ssdp:all\r\nX-Evil: 1", 2).has_value());
  EXPECT_FALSE(ssdp::encode_m_search(std::string(300, 'a'), 2).has_value());
}

TEST(PortmapUpnpSsdp, OwnMSearchParsesAsRequestNotAnswer)
{
  // Our own M-SEARCH, looped back on the multicast socket, is not an answer.
  const auto r = ssdp::parse_datagram(*ssdp::encode_m_search(ssdp::st::kIgd1, 2));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, CodecErrc::unexpected);
}

TEST(PortmapUpnpSsdp, RealMiniupnpdSearchResponses)
{
  const auto igd2 = parsed("real/ssdp_response_igd2_0.bin");
  EXPECT_EQ(igd2.kind, ssdp::MessageKind::search_response);
  EXPECT_EQ(igd2.location, "http://192.168.77.1:5000/rootDesc.xml");
  EXPECT_EQ(igd2.target, "urn:schemas-upnp-org:device:InternetGatewayDevice:2");
  EXPECT_EQ(igd2.usn, std::string(kLabUuid) + "::urn:schemas-upnp-org:device:InternetGatewayDevice:2");
  EXPECT_TRUE(igd2.server.ends_with(" UPnP/1.1 MiniUPnPd/2.3.1")) << igd2.server;  // "OS/kernel UPnP/1.1 ..."
  EXPECT_EQ(igd2.max_age, 120u);
  EXPECT_TRUE(igd2.boot_id.has_value());
  EXPECT_EQ(igd2.config_id, 1337u);
  EXPECT_EQ(igd2.nts, ssdp::NotifySubtype::none);

  // miniupnpd answers the :1 search with ST ...:1 although its description
  // says InternetGatewayDevice:2, and answers WANPPPConnection:1 though it
  // has no such service: the ST proves nothing, the description decides.
  EXPECT_EQ(parsed("real/ssdp_response_igd1_0.bin").target, ssdp::st::kIgd1);
  EXPECT_EQ(parsed("real/ssdp_response_wanppp1_0.bin").target, ssdp::st::kWanPppConnection1);
  EXPECT_EQ(parsed("real/ssdp_response_wanip1_0.bin").target, ssdp::st::kWanIpConnection1);
  EXPECT_EQ(parsed("real/ssdp_response_wanip2_0.bin").target, ssdp::st::kWanIpConnection2);
  EXPECT_EQ(parsed("real/ssdp_response_rootdevice_0.bin").usn, std::string(kLabUuid) + "::upnp:rootdevice");
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(parsed("real/ssdp_response_all_" + std::to_string(i) + ".bin").location,
              "http://192.168.77.1:5000/rootDesc.xml");

  // Its LOCATION passes the guard for the lab's LAN.
  EXPECT_TRUE(accept_url(igd2.location, GatewayScope{"192.168.77.1", 24}).ok);
}

TEST(PortmapUpnpSsdp, RealMiniupnpdNotifies)
{
  bool saw_igd = false;
  for (int i = 0; i < 8; ++i) {
    const auto n = parsed("real/ssdp_notify_" + std::to_string(i) + ".bin");
    EXPECT_EQ(n.kind, ssdp::MessageKind::notify);
    EXPECT_EQ(n.nts, ssdp::NotifySubtype::alive);
    EXPECT_EQ(n.location, "http://192.168.77.1:5000/rootDesc.xml");
    EXPECT_EQ(n.max_age, 60u);  // 2 x notify_interval (30 s in the lab)
    EXPECT_FALSE(n.target.empty());
    saw_igd = saw_igd || n.target == ssdp::st::kIgd2;
  }
  EXPECT_TRUE(saw_igd);
}

TEST(PortmapUpnpSsdp, ToleratesFieldQuirks)
{
  // Bare LF, lower-case names, "max-age = 1800", no final empty line.
  const auto lf = parsed("crafted/ssdp_lf_no_final_line.bin");
  EXPECT_EQ(lf.location, "http://192.168.1.1:1900/igd.xml");
  EXPECT_EQ(lf.max_age, 1800u);
  EXPECT_EQ(lf.server, "Custom/1.0 UPnP/1.0 Proc/Ver");
  EXPECT_EQ(lf.target, ssdp::st::kIgd1);

  const auto bye = parsed("crafted/ssdp_notify_byebye.bin");
  EXPECT_EQ(bye.nts, ssdp::NotifySubtype::byebye);
  EXPECT_TRUE(bye.location.empty());
  EXPECT_EQ(bye.boot_id, 7u);

  const auto quoted = ssdp::parse_datagram(
      "HTTP/1.0 200 OK\r\nCache-Control: no-cache=\"Ext\", max-age = \"900\"\r\nLocation: http://192.168.1.1/d\r\n"
      "Content-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(quoted.ok) << quoted.detail;
  EXPECT_EQ(quoted.value.max_age, 900u);
  const auto no_age = ssdp::parse_datagram("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=soon\r\nLOCATION: http://a/\r\n\r\n");
  ASSERT_TRUE(no_age.ok);
  EXPECT_FALSE(no_age.value.max_age.has_value());
}

TEST(PortmapUpnpSsdp, HostileDatagrams)
{
  auto error_of = [](std::string_view d) { return ssdp::parse_datagram(d).error; };
  EXPECT_EQ(error_of(fixture("crafted/ssdp_msearch_from_other_host.bin")), CodecErrc::unexpected);
  EXPECT_EQ(error_of(fixture("crafted/ssdp_missing_location.bin")), CodecErrc::missing_field);
  EXPECT_EQ(error_of(fixture("crafted/ssdp_control_char.bin")), CodecErrc::malformed);
  EXPECT_EQ(error_of("HTTP/1.1 404 Not Found\r\nLOCATION: http://a/\r\n\r\n"), CodecErrc::unexpected);
  EXPECT_EQ(error_of("NOTIFY /x HTTP/1.1\r\nLOCATION: http://a/\r\n\r\n"), CodecErrc::unexpected);
  EXPECT_EQ(error_of("NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\n\r\n"), CodecErrc::missing_field);
  EXPECT_EQ(error_of(""), CodecErrc::malformed);
  EXPECT_EQ(error_of("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), CodecErrc::malformed);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nLOCATION http://a/\r\n\r\n"), CodecErrc::malformed);
  EXPECT_EQ(error_of("HTTP/9 200 OK\r\n\r\n"), CodecErrc::malformed);
  EXPECT_EQ(error_of(std::string(ssdp::kMaxDatagramBytes + 1, 'A')), CodecErrc::too_large);
  std::string many = "HTTP/1.1 200 OK\r\nLOCATION: http://a/\r\n";
  for (std::size_t i = 0; i < ssdp::kMaxHeaderFields; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  EXPECT_EQ(error_of(many + "\r\n"), CodecErrc::too_large);

  // Parsed, but their LOCATIONs are refused by the guard.
  const GatewayScope lab{"192.168.77.1", 24};
  for (const char* name : {"crafted/ssdp_off_subnet_location.bin", "crafted/ssdp_https_location.bin",
                           "crafted/ssdp_loopback_location.bin"}) {
    const auto m = parsed(name);
    const auto checked = accept_url(m.location, lab);
    EXPECT_FALSE(checked.ok) << name;
    EXPECT_EQ(checked.error, CodecErrc::unsafe_url) << name;
  }
}

TEST(PortmapUpnpSsdp, EveryTruncationIsHandled)
{
  const std::string real = fixture("real/ssdp_response_igd2_0.bin");
  for (std::size_t n = 0; n <= real.size(); ++n) {
    const auto r = ssdp::parse_datagram(std::string_view(real).substr(0, n));
    if (r.ok) {
      EXPECT_FALSE(r.value.location.empty());
    }
  }
}
