// The root device description: miniupnpd 2.3.1's real one (captured in the
// lab, tests/fixtures/upnp/real/root_desc.http) and hand-written ones shaped
// like other routers, broken ones and hostile ones (crafted/).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "portmap/upnp/description.hpp"
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

// The body of a captured HTTP response.
std::string http_body(const std::string& response)
{
  const auto end = response.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

RootDescription parsed(const std::string& xml)
{
  auto r = parse_description(xml);
  EXPECT_TRUE(r.ok) << r.detail;
  return r.value;
}

}  // namespace

TEST(PortmapUpnpDescription, RealMiniupnpdDescription)
{
  const std::string response = fixture("real/root_desc.http");
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n"));
  const RootDescription d = parsed(http_body(response));
  EXPECT_TRUE(d.url_base.empty());
  EXPECT_EQ(d.device.device_type, "urn:schemas-upnp-org:device:InternetGatewayDevice:2");
  EXPECT_EQ(d.device.friendly_name, "mulenet lab router");
  EXPECT_EQ(d.device.manufacturer, "Debian");
  EXPECT_EQ(d.device.model_name, "Debian router");
  EXPECT_EQ(d.device.udn, "uuid:6d756c65-6e65-7400-0000-726f75746572");
  ASSERT_EQ(d.device.services.size(), 2u);  // Layer3Forwarding, DeviceProtection
  ASSERT_EQ(d.device.devices.size(), 1u);
  const auto& wan_device = d.device.devices[0];
  EXPECT_EQ(wan_device.device_type, "urn:schemas-upnp-org:device:WANDevice:2");
  ASSERT_EQ(wan_device.services.size(), 1u);
  EXPECT_EQ(wan_device.services[0].service_type, "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1");
  ASSERT_EQ(wan_device.devices.size(), 1u);
  EXPECT_EQ(wan_device.devices[0].services.size(), 2u);  // WANIPConnection:2, WANIPv6FirewallControl:1

  const auto wan = select_wan_service(d);
  ASSERT_TRUE(wan.has_value());
  EXPECT_EQ(wan->kind, WanServiceKind::wan_ip_connection_2);
  EXPECT_TRUE(wan->canonical_placement);
  EXPECT_EQ(wan->service.service_type, "urn:schemas-upnp-org:service:WANIPConnection:2");
  EXPECT_EQ(wan->service.service_id, "urn:upnp-org:serviceId:WANIPConn1");
  EXPECT_EQ(wan->service.control_url, "/ctl/IPConn");
  EXPECT_EQ(wan->service.event_sub_url, "/evt/IPConn");
  EXPECT_EQ(wan->service.scpd_url, "/WANIPCn.xml");
  EXPECT_EQ(wan->device_friendly_name, "WANConnectionDevice");
  EXPECT_EQ(wan->root_friendly_name, "mulenet lab router");
  EXPECT_EQ(wan->root_model_name, "Debian router");
  EXPECT_EQ(to_string(wan->kind), "WANIPConnection:2");
  EXPECT_EQ(wan_services(d).size(), 1u);

  // No URLBase: relative to the LOCATION the description came from.
  const auto location = accept_url("http://192.168.77.1:5000/rootDesc.xml", GatewayScope{"192.168.77.1", 24});
  ASSERT_TRUE(location.ok);
  const auto control = accept_url(location.value, wan->service.control_url, GatewayScope{"192.168.77.1", 24});
  ASSERT_TRUE(control.ok) << control.detail;
  EXPECT_EQ(control.value.str(), "http://192.168.77.1:5000/ctl/IPConn");
}

TEST(PortmapUpnpDescription, UrlBaseAndPppNextToIp)
{
  const RootDescription d = parsed(fixture("crafted/desc_urlbase_ppp_and_ip.xml"));
  EXPECT_EQ(d.url_base, "http://192.168.1.1:49152/");
  EXPECT_EQ(d.device.manufacturer, "Example & Sons");
  const auto all = wan_services(d);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, WanServiceKind::wan_ip_connection_1);
  EXPECT_EQ(all[1].kind, WanServiceKind::wan_ppp_connection_1);
  EXPECT_EQ(all[1].service.control_url, "upnp/control/WANPPPConn1");  // whitespace around it dropped
  EXPECT_TRUE(all[0].canonical_placement && all[1].canonical_placement);

  const GatewayScope scope{"192.168.1.1", 24};
  const auto base = accept_url(d.url_base, scope);
  ASSERT_TRUE(base.ok);
  EXPECT_EQ(accept_url(base.value, all[0].service.control_url, scope).value.str(),
            "http://192.168.1.1:49152/upnp/control/WANIPConn1");
}

TEST(PortmapUpnpDescription, OddlyNestedServiceIsTolerated)
{
  const RootDescription d = parsed(fixture("crafted/desc_odd_nesting.xml"));
  EXPECT_EQ(d.device.friendly_name, "Odd <Router>");  // CDATA, "tns:" prefixes
  const auto all = wan_services(d);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0].canonical_placement);
  EXPECT_EQ(all[0].kind, WanServiceKind::wan_ip_connection_1);
  EXPECT_EQ(all[0].service.control_url, "http://192.168.0.1:2869/ctl/ip");
  EXPECT_EQ(all[1].kind, WanServiceKind::wan_ppp_connection_1);
  EXPECT_EQ(all[1].device_friendly_name, "WAN");
  EXPECT_EQ(select_wan_service(d)->service.control_url, "http://192.168.0.1:2869/ctl/ip");
}

TEST(PortmapUpnpDescription, CanonicalBeatsBetterKindPlacedOddly)
{
  // A WANIPConnection:2 directly in the IGD loses to a canonically placed
  // WANPPPConnection:1.
  const std::string xml =
      "<root><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>"
      "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>"
      "<controlURL>/odd</controlURL></service></serviceList>"
      "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>"
      "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>"
      "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>"
      "<controlURL>/ppp</controlURL></service></serviceList>"
      "</device></deviceList></device></deviceList></device></root>";
  const auto wan = select_wan_service(parsed(xml));
  ASSERT_TRUE(wan.has_value());
  EXPECT_EQ(wan->service.control_url, "/ppp");
  EXPECT_TRUE(wan->canonical_placement);
}

TEST(PortmapUpnpDescription, MissingControlUrlIsSkipped)
{
  const RootDescription d = parsed(fixture("crafted/desc_missing_control_url.xml"));
  const auto all = wan_services(d);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, WanServiceKind::wan_ppp_connection_1);
  EXPECT_FALSE(all[0].canonical_placement);
  EXPECT_EQ(all[0].service.control_url, "/ctl/ppp");
}

TEST(PortmapUpnpDescription, NoWanService)
{
  const RootDescription d = parsed(fixture("crafted/desc_no_wan_service.xml"));
  EXPECT_EQ(d.device.services.size(), 1u);
  EXPECT_FALSE(select_wan_service(d).has_value());
  EXPECT_TRUE(wan_services(d).empty());
}

TEST(PortmapUpnpDescription, WanServiceKinds)
{
  EXPECT_EQ(wan_service_kind("urn:schemas-upnp-org:service:WANIPConnection:1"), WanServiceKind::wan_ip_connection_1);
  EXPECT_EQ(wan_service_kind("URN:SCHEMAS-UPNP-ORG:SERVICE:WANIPCONNECTION:2"), WanServiceKind::wan_ip_connection_2);
  EXPECT_EQ(wan_service_kind("urn:schemas-upnp-org:service:WANPPPConnection:1"), WanServiceKind::wan_ppp_connection_1);
  EXPECT_FALSE(wan_service_kind("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1").has_value());
  EXPECT_FALSE(wan_service_kind("urn:dslforum-org:service:WANIPConnection:1").has_value());
  EXPECT_FALSE(wan_service_kind("").has_value());
}

TEST(PortmapUpnpDescription, HostileDescriptions)
{
  auto error_of = [](const std::string& xml) {
    const auto r = parse_description(xml);
    EXPECT_FALSE(r.ok);
    return r.error;
  };
  EXPECT_EQ(error_of(fixture("crafted/desc_bad_xml.xml")), CodecErrc::malformed);
  EXPECT_EQ(error_of(fixture("crafted/desc_entity_expansion.xml")), CodecErrc::malformed);
  EXPECT_EQ(error_of(fixture("crafted/desc_deep_nesting.xml")), CodecErrc::too_large);
  EXPECT_EQ(error_of(""), CodecErrc::malformed);
  EXPECT_EQ(error_of("not xml at all"), CodecErrc::malformed);
  EXPECT_EQ(error_of("<root></root>"), CodecErrc::missing_field);
  EXPECT_EQ(error_of("<html><body>Login</body></html>"), CodecErrc::malformed);
  EXPECT_EQ(error_of(http_body(fixture("real/scpd_wanipcn.http"))), CodecErrc::malformed);  // an SCPD, not a description

  // Over 256 KiB: a valid document padded with a huge comment.
  std::string huge = "<root><device><friendlyName>x</friendlyName></device><!--";
  huge += std::string(kMaxDescriptionBytes, 'x');
  huge += "--></root>";
  EXPECT_EQ(error_of(huge), CodecErrc::too_large);

  // Deep nesting well beyond any stack: refused, not recursed into.
  std::string deep;
  for (int i = 0; i < 30000; ++i) deep += "<a>";
  EXPECT_EQ(error_of("<root><device>" + deep + "</device></root>"), CodecErrc::malformed);  // unclosed
  std::string closed_deep = deep;
  for (int i = 0; i < 30000; ++i) closed_deep += "</a>";
  EXPECT_EQ(error_of("<root><device>" + closed_deep + "</device></root>"), CodecErrc::too_large);

  // Too many devices, each shallow.
  std::string wide = "<root><device><deviceList>";
  for (std::size_t i = 0; i < kMaxDevices + 1; ++i) wide += "<device><deviceType>x</deviceType></device>";
  EXPECT_EQ(error_of(wide + "</deviceList></device></root>"), CodecErrc::too_large);
  std::string services = "<root><device><serviceList>";
  for (std::size_t i = 0; i < kMaxServices + 1; ++i) services += "<service><controlURL>/c</controlURL></service>";
  EXPECT_EQ(error_of(services + "</serviceList></device></root>"), CodecErrc::too_large);
}

TEST(PortmapUpnpDescription, EveryTruncationIsHandled)
{
  const std::string body = http_body(fixture("real/root_desc.http"));
  std::size_t ok = 0;
  for (std::size_t n = 0; n < body.size(); n += 7) ok += parse_description(body.substr(0, n)).ok ? 1u : 0u;
  EXPECT_EQ(ok, 0u);  // cut anywhere, the document is not complete
  EXPECT_TRUE(parse_description(body).ok);
}
