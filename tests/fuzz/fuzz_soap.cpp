// SOAP responses (portmap/upnp/soap_response.hpp parse_response) and the
// typed out-arguments taken from them (soap_results.hpp). Properties: a
// failure says why, and a body over 64 KiB is too_large; a fault's texts are
// printable and at most 256 bytes, its errorCode at most 9999, and it has a
// message for users; an action's response has a name, at most 64
// out-arguments with names and trimmed values, and parses the same when that
// action is the one expected (and as `unexpected` when another one is);
// every extractor that succeeds gives checked values: addresses that are IP
// literals (no NUL), ports 1..65535, printable bounded texts, and for
// GetSpecificPortMappingEntry the key that was asked for.
// ctest: -runs=70000 -max_len=4096
#include <arpa/inet.h>

#include <array>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "portmap/upnp/soap_response.hpp"
#include "portmap/upnp/soap_results.hpp"
#include "portmap/upnp/upnp_error.hpp"

using namespace mulenet::portmap::upnp;

namespace {

bool printable(std::string_view s, std::size_t max)
{
  if (s.size() > max) return false;
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

bool trimmed(std::string_view s)
{
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  return s.empty() || (!space(s.front()) && !space(s.back()));
}

bool ip_literal(const std::string& s)
{
  if (s.find('\0') != std::string::npos) return false;
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET, s.c_str(), buf.data()) == 1 || inet_pton(AF_INET6, s.c_str(), buf.data()) == 1;
}

bool same(const soap::Response& a, const soap::Response& b)
{
  return a.fault.has_value() == b.fault.has_value() && a.action == b.action && a.arguments == b.arguments;
}

void check_entry(const soap::PortMappingEntry& e)
{
  FUZZ_CHECK(e.external_port >= 1 && e.internal_port >= 1, "an entry's ports are 1..65535");
  FUZZ_CHECK(ip_literal(e.internal_client), "an entry's internal client is an IP address");
  FUZZ_CHECK(e.remote_host.empty() || ip_literal(e.remote_host), "an entry's remote host is empty or an IP address");
  FUZZ_CHECK(printable(e.description, 256), "an entry's description is printable, at most 256 bytes");
}

void check_results(const soap::Response& r)
{
  if (const auto ip = soap::external_ip_address(r)) {
    FUZZ_CHECK(ip.value.empty() || ip_literal(ip.value), "an external address is empty or an IP address");
  } else {
    FUZZ_CHECK(!ip.detail.empty(), "a refused external address has an explanation");
  }
  if (const auto status = soap::status_info(r)) {
    FUZZ_CHECK(!status.value.connection_status.empty(), "a status has a connection status");
    FUZZ_CHECK(printable(status.value.connection_status, 256) && printable(status.value.last_connection_error, 256),
               "status texts are printable, at most 256 bytes");
    (void)status.value.connected();
  } else {
    FUZZ_CHECK(!status.detail.empty(), "a refused status has an explanation");
  }
  if (const auto entry = soap::port_mapping_entry(r)) check_entry(entry.value);
  const soap::PortMappingKey key{"", 4662, mulenet::config::Protocol::udp};
  if (const auto entry = soap::port_mapping_entry(r, &key)) {
    check_entry(entry.value);
    FUZZ_CHECK(entry.value.remote_host == key.remote_host && entry.value.external_port == key.external_port &&
                   entry.value.protocol == key.protocol,
               "a specific entry is the key asked for");
  }
  if (const auto port = soap::reserved_port(r)) FUZZ_CHECK(port.value >= 1, "a reserved port is 1..65535");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view in = mulenet::fuzz::text(data, size);
  const auto r = soap::parse_response(in);
  if (in.size() > soap::kMaxResponseBytes) FUZZ_CHECK(!r && r.error == CodecErrc::too_large, "over 64 KiB is too_large");
  if (!r) {
    FUZZ_CHECK(!r.detail.empty(), "a response that does not parse has an explanation");
    const auto expecting = soap::parse_response(in, "AddPortMapping");
    FUZZ_CHECK(!expecting && (expecting.error == r.error || expecting.error == CodecErrc::unexpected),
               "what fails without an expected action fails with one too");
    return 0;
  }
  const soap::Response& response = r.value;
  if (response.fault) {
    const soap::Fault& f = *response.fault;
    FUZZ_CHECK(f.error_code <= 9999, "an errorCode is at most 9999");
    for (const std::string* s : {&f.error_description, &f.fault_code, &f.fault_string})
      FUZZ_CHECK(printable(*s, soap::kMaxFaultTextBytes), "fault texts are printable, at most 256 bytes");
    FUZZ_CHECK(response.action.empty() && response.arguments.empty(), "a fault has no action and no arguments");
    const std::string message = upnp_error_message(f.error_code, f.error_description);
    FUZZ_CHECK(!message.empty(), "every fault has a message for users");
    const auto expecting = soap::parse_response(in, "AddPortMapping");
    FUZZ_CHECK(expecting && expecting.value.fault, "a fault answers whatever was asked");
    return 0;
  }
  FUZZ_CHECK(!response.action.empty(), "an action's response names the action");
  FUZZ_CHECK(response.arguments.size() <= soap::kMaxOutArguments, "at most kMaxOutArguments out-arguments");
  for (const auto& a : response.arguments) {
    FUZZ_CHECK(!a.name.empty() && a.name.find(':') == std::string::npos, "an argument has a local name");
    FUZZ_CHECK(trimmed(a.value), "argument values are trimmed");
    const std::string* found = response.argument(a.name);
    FUZZ_CHECK(found != nullptr, "argument() finds every argument");
  }
  const auto expected = soap::parse_response(in, response.action);
  FUZZ_CHECK(expected && same(expected.value, response), "the response parses alike when its action is expected");
  const auto other = soap::parse_response(in, response.action + "X");
  FUZZ_CHECK(!other && other.error == CodecErrc::unexpected, "a response to another action is unexpected");
  check_results(response);
  return 0;
}
