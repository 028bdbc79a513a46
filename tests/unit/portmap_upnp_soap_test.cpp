// SOAP control: the requests we build, and what miniupnpd 2.3.1 answered in
// the lab (tests/fixtures/upnp/real/*.http, successes and faults), plus
// hand-written answers in other routers' shapes (crafted/).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "portmap/upnp/soap_request.hpp"
#include "portmap/upnp/soap_response.hpp"
#include "portmap/upnp/soap_results.hpp"
#include "portmap/upnp/upnp_error.hpp"

using namespace mulenet;
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

std::string http_body(const std::string& response)
{
  const auto end = response.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

// A captured answer of miniupnpd, parsed as the response to `action`.
soap::Response real(const std::string& name, std::string_view action = {})
{
  auto r = soap::parse_response(http_body(fixture("real/" + name)), action);
  EXPECT_TRUE(r.ok) << name << ": " << r.detail;
  return r.value;
}

unsigned real_fault_code(const std::string& name)
{
  const std::string response = fixture("real/" + name);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 500 Internal Server Error\r\n")) << name;
  const auto r = real(name);
  EXPECT_TRUE(r.fault.has_value()) << name;
  return r.fault ? r.fault->error_code : 0;
}

constexpr std::string_view kIp2 = "urn:schemas-upnp-org:service:WANIPConnection:2";
constexpr std::string_view kIp1 = "urn:schemas-upnp-org:service:WANIPConnection:1";

HttpUrl control_url()
{
  return parse_http_url("http://192.168.77.1:5000/ctl/IPConn").value;
}

soap::PortMapping lab_mapping()
{
  soap::PortMapping m;
  m.external_port = 4662;
  m.protocol = config::Protocol::tcp;
  m.internal_port = 4662;
  m.internal_client = "192.168.77.10";
  m.description = "aMule TCP Listen Socket";
  m.lease_seconds = 3600;
  return m;
}

}  // namespace

TEST(PortmapUpnpSoap, BuildsAddPortMappingRequest)
{
  const auto request = soap::encode_request(control_url(), kIp2, soap::add_port_mapping(lab_mapping()));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->target, "/ctl/IPConn");
  EXPECT_EQ(request->host, "192.168.77.1:5000");
  EXPECT_EQ(request->soap_action, "\"urn:schemas-upnp-org:service:WANIPConnection:2#AddPortMapping\"");
  const std::string body =
      "<?xml version=\"1.0\"?>\r\n"
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
      "<u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
      "<NewRemoteHost></NewRemoteHost><NewExternalPort>4662</NewExternalPort><NewProtocol>TCP</NewProtocol>"
      "<NewInternalPort>4662</NewInternalPort><NewInternalClient>192.168.77.10</NewInternalClient>"
      "<NewEnabled>1</NewEnabled><NewPortMappingDescription>aMule TCP Listen Socket</NewPortMappingDescription>"
      "<NewLeaseDuration>3600</NewLeaseDuration></u:AddPortMapping></s:Body></s:Envelope>\r\n";
  EXPECT_EQ(request->body, body);
  EXPECT_EQ(request->to_http(),
            "POST /ctl/IPConn HTTP/1.1\r\n"
            "Host: 192.168.77.1:5000\r\n"
            "Content-Type: text/xml; charset=\"utf-8\"\r\n"
            "SOAPAction: \"urn:schemas-upnp-org:service:WANIPConnection:2#AddPortMapping\"\r\n"
            "Content-Length: " + std::to_string(body.size()) + "\r\n"
            "Connection: close\r\n"
            "\r\n" + body);
}

TEST(PortmapUpnpSoap, ActionsCarryTheirArgumentsInScpdOrder)
{
  using soap::Argument;
  EXPECT_EQ(soap::get_external_ip_address().name, "GetExternalIPAddress");
  EXPECT_TRUE(soap::get_external_ip_address().arguments.empty());
  EXPECT_EQ(soap::get_status_info().name, "GetStatusInfo");
  const soap::PortMappingKey key{"", 4672, config::Protocol::udp};
  EXPECT_EQ(soap::delete_port_mapping(key).name, "DeletePortMapping");
  EXPECT_EQ(soap::delete_port_mapping(key).arguments,
            (std::vector<Argument>{{"NewRemoteHost", ""}, {"NewExternalPort", "4672"}, {"NewProtocol", "UDP"}}));
  EXPECT_EQ(soap::get_specific_port_mapping_entry(key).name, "GetSpecificPortMappingEntry");
  EXPECT_EQ(soap::get_specific_port_mapping_entry(key).arguments, soap::delete_port_mapping(key).arguments);
  EXPECT_EQ(soap::get_generic_port_mapping_entry(65535).arguments,
            (std::vector<Argument>{{"NewPortMappingIndex", "65535"}}));
  auto m = lab_mapping();
  m.enabled = false;
  m.lease_seconds = 0;
  const auto any = soap::add_any_port_mapping(m);
  EXPECT_EQ(any.name, "AddAnyPortMapping");
  ASSERT_EQ(any.arguments.size(), 8u);
  EXPECT_EQ(any.arguments[5], (Argument{"NewEnabled", "0"}));
  EXPECT_EQ(any.arguments[7], (Argument{"NewLeaseDuration", "0"}));
  EXPECT_EQ(soap::protocol_text(config::Protocol::udp), "UDP");
}

TEST(PortmapUpnpSoap, EscapesValuesAndRefusesInjection)
{
  auto m = lab_mapping();
  m.description = "aMule <TCP> & \"friends\" 'n' stuff";
  const auto body = soap::encode_envelope(kIp1, soap::add_port_mapping(m));
  ASSERT_TRUE(body.has_value());
  EXPECT_NE(body->find("<NewPortMappingDescription>aMule &lt;TCP&gt; &amp; &quot;friends&quot; &apos;n&apos; "
                       "stuff</NewPortMappingDescription>"),
            std::string::npos);
  // The router's serviceType goes into an attribute and a header.
  EXPECT_FALSE(soap::encode_envelope("urn:x\" evil=\"1", soap::get_status_info()).has_value());
  EXPECT_FALSE(soap::encode_request(control_url(), "urn:x\r\nX-Evil: 1", soap::get_status_info()).has_value());
  EXPECT_FALSE(soap::encode_envelope("", soap::get_status_info()).has_value());
  EXPECT_FALSE(soap::encode_envelope(std::string(300, 'a'), soap::get_status_info()).has_value());
  EXPECT_FALSE(soap::encode_envelope(kIp1, soap::Action{"Get<Status>", {}}).has_value());
  EXPECT_FALSE(soap::encode_envelope(kIp1, soap::Action{"X", {{"a b", "1"}}}).has_value());
  m.description = std::string("bell\x07");
  EXPECT_FALSE(soap::encode_envelope(kIp1, soap::add_port_mapping(m)).has_value());
  m.description = "tab\tand newline\n are fine";
  EXPECT_TRUE(soap::encode_envelope(kIp1, soap::add_port_mapping(m)).has_value());
  // Our own envelope parses back (the same parser reads the routers').
  const auto again = soap::parse_response(*soap::encode_envelope(kIp1, soap::Action{"XResponse", {{"A", "<&>"}}}));
  ASSERT_TRUE(again.ok) << again.detail;
  EXPECT_EQ(again.value.action, "X");
  EXPECT_EQ(*again.value.argument("A"), "<&>");
}

TEST(PortmapUpnpSoap, RealMiniupnpdSuccesses)
{
  const auto ip = real("soap_get_external_ip.http", "GetExternalIPAddress");
  EXPECT_FALSE(ip.fault.has_value());
  EXPECT_EQ(ip.action, "GetExternalIPAddress");
  EXPECT_EQ(soap::external_ip_address(ip).value, "203.0.113.2");

  const auto status = soap::status_info(real("soap_get_status_info.http", "GetStatusInfo"));
  ASSERT_TRUE(status.ok);
  EXPECT_TRUE(status.value.connected());
  EXPECT_EQ(status.value.connection_status, "Connected");
  EXPECT_EQ(status.value.last_connection_error, "ERROR_NONE");
  EXPECT_TRUE(status.value.uptime_seconds.has_value());

  const auto add = real("soap_add_port_mapping.http", "AddPortMapping");  // <u:AddPortMappingResponse .../>
  EXPECT_FALSE(add.fault.has_value());
  EXPECT_TRUE(add.arguments.empty());
  EXPECT_FALSE(real("soap_delete_port_mapping.http", "DeletePortMapping").fault.has_value());
  // miniupnpd 2.3.1 (nftables) says success for a mapping that is not there.
  EXPECT_FALSE(real("soap_delete_nonexistent.http", "DeletePortMapping").fault.has_value());

  const soap::PortMappingKey key{"", 47900, config::Protocol::tcp};
  const auto specific = soap::port_mapping_entry(real("soap_get_specific_entry.http", "GetSpecificPortMappingEntry"), &key);
  ASSERT_TRUE(specific.ok) << specific.detail;
  EXPECT_EQ(specific.value.external_port, 47900);
  EXPECT_EQ(specific.value.internal_port, 47900);
  EXPECT_EQ(specific.value.internal_client, "192.168.77.10");
  EXPECT_TRUE(specific.value.enabled);
  EXPECT_EQ(specific.value.description, "mulenet fixture & <test>");  // sent escaped, answered escaped
  EXPECT_EQ(specific.value.lease_seconds, 3600u);

  const auto generic = soap::port_mapping_entry(real("soap_get_generic_entry_0.http", "GetGenericPortMappingEntry"));
  ASSERT_TRUE(generic.ok) << generic.detail;
  EXPECT_EQ(generic.value.remote_host, "");
  EXPECT_EQ(generic.value.external_port, 47900);
  EXPECT_EQ(generic.value.protocol, config::Protocol::tcp);
  EXPECT_EQ(generic.value.internal_client, "192.168.77.10");
  // Without the key, a specific entry lacks the external port.
  EXPECT_EQ(soap::port_mapping_entry(real("soap_get_specific_entry.http")).error, CodecErrc::missing_field);

  EXPECT_EQ(soap::reserved_port(real("soap_add_any_port_mapping.http", "AddAnyPortMapping")).value, 47920);
  // lan2 held 47930/UDP: the router granted the next free port.
  EXPECT_EQ(soap::reserved_port(real("soap_add_any_port_mapping_moved.http")).value, 47931);
}

TEST(PortmapUpnpSoap, RealMiniupnpdFaults)
{
  EXPECT_EQ(real_fault_code("fault_401_invalid_action.http"), 401u);
  EXPECT_EQ(real_fault_code("fault_402_invalid_args.http"), 402u);
  EXPECT_EQ(real_fault_code("fault_606_add_any_other_client.http"), 606u);
  EXPECT_EQ(real_fault_code("fault_606_permission_denied_port.http"), 606u);  // port 80: not in its allow rules
  EXPECT_EQ(real_fault_code("fault_delete_other_host_mapping.http"), 606u);
  EXPECT_EQ(real_fault_code("fault_713_array_index_invalid.http"), 713u);
  EXPECT_EQ(real_fault_code("fault_714_no_such_entry.http"), 714u);
  EXPECT_EQ(real_fault_code("fault_716_wildcard_external_port.http"), 716u);
  EXPECT_EQ(real_fault_code("fault_718_conflict_other_host.http"), 718u);
  // secure_mode with another internal client: 718 from AddPortMapping (606 from AddAnyPortMapping).
  EXPECT_EQ(real_fault_code("fault_718_secure_mode_other_client.http"), 718u);

  const auto conflict = real("fault_718_conflict_other_host.http", "AddPortMapping");  // a fault matches any action
  ASSERT_TRUE(conflict.fault.has_value());
  EXPECT_EQ(conflict.fault->error_description, "ConflictInMappingEntry");
  EXPECT_EQ(conflict.fault->fault_code, "s:Client");
  EXPECT_EQ(conflict.fault->fault_string, "UPnPError");
  EXPECT_EQ(real("fault_716_wildcard_external_port.http").fault->error_description,
            "Wildcard not permited in ExtPort");  // sic
}

TEST(PortmapUpnpSoap, OtherRoutersShapes)
{
  const auto odd = soap::parse_response(fixture("crafted/soap_fault_odd_prefixes.xml"), "AddPortMapping");
  ASSERT_TRUE(odd.ok) << odd.detail;
  ASSERT_TRUE(odd.value.fault.has_value());
  EXPECT_EQ(odd.value.fault->error_code, 725u);
  EXPECT_EQ(odd.value.fault->error_description, "OnlyPermanentLeasesSupported");
  EXPECT_EQ(odd.value.fault->fault_code, "SOAP-ENV:Client");

  const auto flat = soap::parse_response(fixture("crafted/soap_fault_no_upnperror.xml"));
  ASSERT_TRUE(flat.ok) << flat.detail;
  EXPECT_EQ(flat.value.fault->error_code, 501u);
  EXPECT_EQ(flat.value.fault->error_description, "Action Failed <really>");  // tab made a space

  const auto pretty = soap::parse_response(fixture("crafted/soap_success_whitespace_cdata.xml"),
                                           "GetGenericPortMappingEntry");
  ASSERT_TRUE(pretty.ok) << pretty.detail;
  const auto entry = soap::port_mapping_entry(pretty.value);
  ASSERT_TRUE(entry.ok) << entry.detail;
  EXPECT_EQ(entry.value.remote_host, "");
  EXPECT_EQ(entry.value.external_port, 4662);
  EXPECT_EQ(entry.value.protocol, config::Protocol::tcp);  // "tcp"
  EXPECT_EQ(entry.value.internal_port, 4662);              // CDATA
  EXPECT_EQ(entry.value.internal_client, "192.168.1.20");
  EXPECT_TRUE(entry.value.enabled);  // "true"
  EXPECT_EQ(entry.value.description, "aMule TCP & <Listen> Socket & more");
  EXPECT_EQ(entry.value.lease_seconds, 0u);
}

TEST(PortmapUpnpSoap, HostileResponses)
{
  auto error_of = [](const std::string& body, std::string_view action = {}) {
    const auto r = soap::parse_response(body, action);
    EXPECT_FALSE(r.ok) << body.substr(0, 80);
    return r.error;
  };
  const std::string env = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">";
  EXPECT_EQ(error_of(""), CodecErrc::malformed);
  EXPECT_EQ(error_of("<html>Unauthorized</html>"), CodecErrc::malformed);
  EXPECT_EQ(error_of(env + "</s:Envelope>"), CodecErrc::missing_field);
  EXPECT_EQ(error_of(env + "<s:Body/></s:Envelope>"), CodecErrc::missing_field);
  EXPECT_EQ(error_of(env + "<s:Body><u:Hello/></s:Body></s:Envelope>"), CodecErrc::malformed);
  EXPECT_EQ(error_of(env + "<s:Body><u:Response/></s:Body></s:Envelope>"), CodecErrc::malformed);
  EXPECT_EQ(error_of(env + "<s:Body><u:GetStatusInfoResponse/></s:Body></s:Envelope>", "AddPortMapping"),
            CodecErrc::unexpected);
  EXPECT_EQ(error_of(env + "<s:Body><u:X><unclosed></s:Body></s:Envelope>"), CodecErrc::malformed);
  EXPECT_EQ(error_of("<!DOCTYPE x [<!ENTITY e \"e\">]>" + env + "<s:Body/></s:Envelope>"), CodecErrc::malformed);
  EXPECT_EQ(error_of(env + "<s:Body>" + std::string(soap::kMaxResponseBytes, ' ') + "</s:Body></s:Envelope>"),
            CodecErrc::too_large);
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "<a>";
  for (int i = 0; i < 20; ++i) deep += "</a>";
  EXPECT_EQ(error_of(env + "<s:Body><u:XResponse>" + deep + "</u:XResponse></s:Body></s:Envelope>"),
            CodecErrc::too_large);
  std::string many = env + "<s:Body><u:XResponse>";
  for (std::size_t i = 0; i <= soap::kMaxOutArguments; ++i) many += "<A>1</A>";
  EXPECT_EQ(error_of(many + "</u:XResponse></s:Body></s:Envelope>"), CodecErrc::too_large);

  // A fault with garbage in it: still a fault, code 0, text bounded and printable.
  const auto junk = soap::parse_response(env + "<s:Body><s:Fault><detail><UPnPError><errorCode>7e2</errorCode>"
                                         "<errorDescription>" + std::string(1000, 'x') + "\x01</errorDescription>"
                                         "</UPnPError></detail></s:Fault></s:Body></s:Envelope>");
  ASSERT_TRUE(junk.ok);
  EXPECT_EQ(junk.value.fault->error_code, 0u);
  EXPECT_EQ(junk.value.fault->error_description.size(), soap::kMaxFaultTextBytes);

  // Typed results check their values.
  auto response_with = [&](const std::string& args) {
    return soap::parse_response(env + "<s:Body><u:XResponse>" + args + "</u:XResponse></s:Body></s:Envelope>").value;
  };
  EXPECT_EQ(soap::external_ip_address(response_with("")).error, CodecErrc::missing_field);
  EXPECT_EQ(soap::external_ip_address(response_with("<NewExternalIPAddress>evil.example</NewExternalIPAddress>")).error,
            CodecErrc::malformed);
  EXPECT_TRUE(soap::external_ip_address(response_with("<NewExternalIPAddress></NewExternalIPAddress>")).ok);
  EXPECT_EQ(soap::external_ip_address(response_with("<NewExternalIPAddress>0.0.0.0</NewExternalIPAddress>")).value,
            "0.0.0.0");
  EXPECT_EQ(soap::reserved_port(response_with("<NewReservedPort>0</NewReservedPort>")).error, CodecErrc::malformed);
  EXPECT_EQ(soap::reserved_port(response_with("<NewReservedPort>65536</NewReservedPort>")).error, CodecErrc::malformed);
  EXPECT_EQ(soap::status_info(response_with("<NewUptime>1</NewUptime>")).error, CodecErrc::missing_field);
  const soap::PortMappingKey key{"", 1, config::Protocol::udp};
  EXPECT_EQ(soap::port_mapping_entry(response_with("<NewInternalPort>1</NewInternalPort>"
                                                   "<NewInternalClient>192.168.1.2</NewInternalClient>"
                                                   "<NewEnabled>maybe</NewEnabled>"),
                                     &key)
                .error,
            CodecErrc::malformed);
  EXPECT_EQ(soap::port_mapping_entry(response_with("<NewExternalPort>1</NewExternalPort><NewProtocol>SCTP</NewProtocol>"))
                .error,
            CodecErrc::malformed);
}

TEST(PortmapUpnpSoap, EveryTruncationIsHandled)
{
  for (const char* name : {"real/soap_get_generic_entry_0.http", "real/fault_718_conflict_other_host.http"}) {
    const std::string body = http_body(fixture(name));
    for (std::size_t n = 0; n < body.size(); ++n) {
      const auto r = soap::parse_response(body.substr(0, n));
      if (r.ok) {
        EXPECT_TRUE(r.value.fault.has_value() || !r.value.action.empty());
      }
    }
  }
}

TEST(PortmapUpnpSoap, ErrorCodesExplainThemselves)
{
  const unsigned named[] = {401, 402, 501, 606, 713, 714, 715, 716, 718, 724, 725, 726, 727, 728, 729, 732};
  for (const unsigned code : named) {
    const auto info = describe_upnp_error(code);
    ASSERT_TRUE(info.has_value()) << code;
    EXPECT_EQ(info->code, code);
    EXPECT_FALSE(info->name.empty());
    EXPECT_FALSE(info->meaning.empty());
    EXPECT_FALSE(info->what_to_do.empty());
  }
  EXPECT_EQ(describe_upnp_error(718)->remedy, Remedy::try_another_external_port);
  EXPECT_EQ(describe_upnp_error(501)->remedy, Remedy::try_another_external_port);  // 501-as-718 routers
  EXPECT_EQ(describe_upnp_error(725)->remedy, Remedy::use_permanent_lease);
  EXPECT_EQ(describe_upnp_error(402)->remedy, Remedy::use_permanent_lease);  // ARRIS: 402 for any lease
  EXPECT_EQ(describe_upnp_error(724)->remedy, Remedy::use_same_ports);
  EXPECT_EQ(describe_upnp_error(726)->remedy, Remedy::use_wildcard_remote_host);
  EXPECT_EQ(describe_upnp_error(727)->remedy, Remedy::use_wildcard_external_port);
  EXPECT_EQ(describe_upnp_error(716)->remedy, Remedy::use_specific_external_port);
  EXPECT_EQ(describe_upnp_error(732)->remedy, Remedy::use_specific_internal_port);
  EXPECT_EQ(describe_upnp_error(713)->remedy, Remedy::end_of_list);
  EXPECT_EQ(describe_upnp_error(714)->remedy, Remedy::no_such_mapping);
  EXPECT_EQ(describe_upnp_error(606)->remedy, Remedy::give_up);
  EXPECT_EQ(describe_upnp_error(728)->remedy, Remedy::give_up);
  EXPECT_EQ(describe_upnp_error(729)->remedy, Remedy::try_another_external_port);
  EXPECT_EQ(static_cast<unsigned>(UpnpError::conflict_in_mapping_entry), 718u);
  EXPECT_FALSE(describe_upnp_error(899).has_value());

  const auto conflict = real("fault_718_conflict_other_host.http").fault;
  const std::string message = upnp_error_message(conflict->error_code, conflict->error_description);
  EXPECT_TRUE(message.starts_with("UPnP error 718 ConflictInMappingEntry: another device")) << message;
  EXPECT_EQ(upnp_error_message(899, "Vendor thing"), "UPnP error 899 (router: \"Vendor thing\")");
  EXPECT_TRUE(upnp_error_message(716, "Wildcard not permited in ExtPort")
                  .starts_with("UPnP error 716 WildCardNotPermittedInExtPort (router: \"Wildcard not permited in ExtPort\")"));
}

// Found by fuzz_soap: an element named "p:" has no local name, so it is no
// argument (it used to become one named "", breaking "every argument has a name").
TEST(PortmapUpnpSoap, AnElementWithOnlyAPrefixIsNoArgument)
{
  const std::string body =
      "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
      "<u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
      "<p:>1.2.3.4</p:></u:GetExternalIPAddressResponse></s:Body></s:Envelope>";
  const auto r = soap::parse_response(body, "GetExternalIPAddress");
  ASSERT_TRUE(r) << r.detail;
  EXPECT_TRUE(r.value.arguments.empty());
  EXPECT_FALSE(soap::external_ip_address(r.value));
}
