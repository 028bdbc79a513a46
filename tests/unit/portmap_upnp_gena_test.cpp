// GENA: SUBSCRIBE / renewal / UNSUBSCRIBE requests, the router's answer, and
// the NOTIFY bodies miniupnpd 2.3.1 posted to a listener in the lab
// (tests/fixtures/upnp/real/gena_*.http) plus a hand-written one.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "portmap/upnp/gena.hpp"

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

std::string http_body(const std::string& message)
{
  const auto end = message.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  return end == std::string::npos ? std::string() : message.substr(end + 4);
}

HttpUrl url(const std::string& text) { return parse_http_url(text).value; }

}  // namespace

TEST(PortmapUpnpGena, BuildsSubscribeRequests)
{
  const HttpUrl events = url("http://192.168.77.1:5000/evt/IPConn");
  EXPECT_EQ(*gena::encode_subscribe(events, url("http://192.168.77.10:50000/mulenet/events")),
            "SUBSCRIBE /evt/IPConn HTTP/1.1\r\n"
            "HOST: 192.168.77.1:5000\r\n"
            "CALLBACK: <http://192.168.77.10:50000/mulenet/events>\r\n"
            "NT: upnp:event\r\n"
            "TIMEOUT: Second-1800\r\n"
            "Content-Length: 0\r\n"
            "\r\n");
  EXPECT_FALSE(gena::encode_subscribe(events, url("http://me.lan:50000/e")).has_value());

  const std::string sid = "uuid:6d756c65-6e65-7400-0000-726f757422f5";
  EXPECT_EQ(*gena::encode_renewal(events, sid, 300),
            "SUBSCRIBE /evt/IPConn HTTP/1.1\r\nHOST: 192.168.77.1:5000\r\nSID: " + sid +
                "\r\nTIMEOUT: Second-300\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(*gena::encode_unsubscribe(events, sid),
            "UNSUBSCRIBE /evt/IPConn HTTP/1.1\r\nHOST: 192.168.77.1:5000\r\nSID: " + sid +
                "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(gena::encode_renewal(events, "").has_value());
  EXPECT_FALSE(gena::encode_renewal(events, "uuid:x\r\nCALLBACK: <http://evil/>").has_value());
  EXPECT_FALSE(gena::encode_unsubscribe(events, std::string(300, 'a')).has_value());
}

TEST(PortmapUpnpGena, RealSubscribeResponse)
{
  const auto r = gena::parse_subscribe_response(fixture("real/gena_subscribe_response.http"));
  ASSERT_TRUE(r.ok) << r.detail;
  EXPECT_TRUE(r.value.sid.starts_with("uuid:6d756c65-6e65-7400-0000-")) << r.value.sid;  // the lab's UUID, varied
  EXPECT_EQ(r.value.timeout_seconds, 1800u);
}

TEST(PortmapUpnpGena, OtherSubscribeResponses)
{
  const auto infinite = gena::parse_subscribe_response(
      "HTTP/1.1 200 OK\r\nsid: uuid:abc\r\ntimeout: second-infinite\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(infinite.ok);
  EXPECT_EQ(infinite.value.sid, "uuid:abc");
  EXPECT_FALSE(infinite.value.timeout_seconds.has_value());
  const auto no_timeout = gena::parse_subscribe_response("HTTP/1.1 200 OK\r\nSID: uuid:abc\r\n\r\n");
  ASSERT_TRUE(no_timeout.ok);
  EXPECT_FALSE(no_timeout.value.timeout_seconds.has_value());
  // Bytes after the header (a body, the next response) are ignored.
  EXPECT_TRUE(gena::parse_subscribe_response("HTTP/1.1 200 OK\r\nSID: uuid:a\r\nContent-Length: 3\r\n\r\nabc").ok);

  auto error_of = [](std::string_view text) { return gena::parse_subscribe_response(text).error; };
  EXPECT_EQ(error_of("HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\n\r\n"), CodecErrc::unexpected);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nTIMEOUT: Second-1800\r\n\r\n"), CodecErrc::missing_field);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nSID:\r\n\r\n"), CodecErrc::missing_field);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nSID: uuid:a\r\n"), CodecErrc::malformed);  // incomplete
  EXPECT_EQ(error_of("garbage\r\n\r\n"), CodecErrc::malformed);
  EXPECT_EQ(error_of(""), CodecErrc::malformed);
  EXPECT_EQ(error_of("HTTP/1.1 200 OK\r\nX: " + std::string(gena::kMaxResponseHeaderBytes, 'a') + "\r\n\r\n"),
            CodecErrc::too_large);
}

TEST(PortmapUpnpGena, RealEventBodies)
{
  const std::string initial = fixture("real/gena_notify_initial.http");
  ASSERT_TRUE(initial.starts_with("NOTIFY /mulenet/events HTTP/1.1\r\n"));
  const auto first = gena::parse_event_body(http_body(initial));
  ASSERT_TRUE(first.ok) << first.detail;
  EXPECT_EQ(first.value.variables.size(), 5u);
  EXPECT_EQ(first.value.external_ip_address(), "203.0.113.2");
  EXPECT_EQ(first.value.connection_status(), "Connected");
  EXPECT_EQ(first.value.port_mapping_number_of_entries(), 2u);
  EXPECT_EQ(*first.value.variable("PossibleConnectionTypes"), "IP_Routed");

  // After one more AddPortMapping: miniupnpd sends every variable again, not only the change.
  const auto change = gena::parse_event_body(http_body(fixture("real/gena_notify_change.http")));
  ASSERT_TRUE(change.ok) << change.detail;
  EXPECT_EQ(change.value.variables.size(), 5u);
  EXPECT_EQ(change.value.port_mapping_number_of_entries(), 3u);
}

TEST(PortmapUpnpGena, OddAndHostileEventBodies)
{
  const auto odd = gena::parse_event_body(fixture("crafted/event_odd.xml"));
  ASSERT_TRUE(odd.ok) << odd.detail;
  EXPECT_EQ(odd.value.external_ip_address(), "198.51.100.8");  // the later report counts
  EXPECT_EQ(odd.value.port_mapping_number_of_entries(), 4u);
  EXPECT_FALSE(odd.value.connection_status().has_value());

  auto error_of = [](const std::string& body) { return gena::parse_event_body(body).error; };
  EXPECT_EQ(error_of(""), CodecErrc::malformed);
  EXPECT_EQ(error_of("<e:propertyset><e:property>"), CodecErrc::malformed);
  EXPECT_EQ(error_of("<Envelope/>"), CodecErrc::malformed);
  EXPECT_EQ(error_of("<propertyset>" + std::string(gena::kMaxEventBytes, ' ') + "</propertyset>"),
            CodecErrc::too_large);
  std::string many = "<propertyset>";
  for (std::size_t i = 0; i <= gena::kMaxVariables; ++i) many += "<property><V>1</V></property>";
  EXPECT_EQ(error_of(many + "</propertyset>"), CodecErrc::too_large);
  EXPECT_EQ(error_of("<propertyset><property><a><b><c><d><e><f><g></g></f></e></d></c></b></a></property></propertyset>"),
            CodecErrc::too_large);
  const auto bad_count = gena::parse_event_body(
      "<propertyset><property><PortMappingNumberOfEntries>-1</PortMappingNumberOfEntries></property></propertyset>");
  ASSERT_TRUE(bad_count.ok);
  EXPECT_FALSE(bad_count.value.port_mapping_number_of_entries().has_value());
}
