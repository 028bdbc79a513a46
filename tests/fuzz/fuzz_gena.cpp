// GENA eventing (portmap/upnp/gena.hpp): the router's answer to SUBSCRIBE
// (parse_subscribe_response) and a NOTIFY's body (parse_event_body), both
// fed the whole input. Properties: a failure says why; a subscription has a
// SID of 1..256 bytes, trimmed, without control characters, which we can send
// back: the renewal and the unsubscribe we write with it parse (Beast) as one
// request whose SID header is that SID; an event has at most 64 variables
// with local names and trimmed values, a body over 64 KiB is too_large, and
// variable() and the typed getters read the last value of a name.
// ctest: -runs=50000 -max_len=2048
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "fuzz_check.hpp"
#include "portmap/upnp/gena.hpp"

using namespace mulenet::portmap::upnp;

namespace {

namespace http = boost::beast::http;

bool trimmed(std::string_view s)
{
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  return s.empty() || (!space(s.front()) && !space(s.back()));
}

// The SID header of the request `text`, which must be exactly one header block.
void check_request_carries(const std::string& text, const std::string& sid)
{
  http::request_parser<http::empty_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::const_buffer(text.data(), text.size()), ec);
  FUZZ_CHECK(!ec && parser.is_done() && used == text.size(), "a request written with the SID is one whole request");
  const auto& msg = parser.get();
  std::size_t sids = 0;
  for (const auto& f : msg)
    if (f.name_string() == "SID") ++sids;
  FUZZ_CHECK(sids == 1, "the request has one SID header");
  const auto field = msg.find("SID");
  FUZZ_CHECK(std::string_view(field->value().data(), field->value().size()) == sid, "its SID header is the SID");
}

void check_subscription(std::string_view in)
{
  const auto r = gena::parse_subscribe_response(in);
  if (!r) {
    FUZZ_CHECK(!r.detail.empty(), "a SUBSCRIBE response that does not parse has an explanation");
    return;
  }
  const std::string& sid = r.value.sid;
  FUZZ_CHECK(!sid.empty() && sid.size() <= 256 && trimmed(sid), "a SID is 1..256 bytes, trimmed");
  for (const char c : sid)
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "a SID has no control character");
  static const HttpUrl kEventUrl = parse_http_url("http://192.168.1.1:5000/evt/IPConn").value;
  const auto renewal = gena::encode_renewal(kEventUrl, sid, 1800);
  FUZZ_CHECK(renewal.has_value(), "the SID received can be renewed");
  check_request_carries(*renewal, sid);
  const auto unsubscribe = gena::encode_unsubscribe(kEventUrl, sid);
  FUZZ_CHECK(unsubscribe.has_value(), "the SID received can be unsubscribed");
  check_request_carries(*unsubscribe, sid);
}

void check_event(std::string_view in)
{
  const auto r = gena::parse_event_body(in);
  if (in.size() > gena::kMaxEventBytes) FUZZ_CHECK(!r && r.error == CodecErrc::too_large, "over 64 KiB is too_large");
  if (!r) {
    FUZZ_CHECK(!r.detail.empty(), "an event that does not parse has an explanation");
    return;
  }
  const gena::Event& e = r.value;
  FUZZ_CHECK(e.variables.size() <= gena::kMaxVariables, "at most kMaxVariables variables");
  for (std::size_t i = 0; i < e.variables.size(); ++i) {
    const auto& v = e.variables[i];
    FUZZ_CHECK(!v.name.empty() && v.name.find(':') == std::string::npos, "a variable has a local name");
    FUZZ_CHECK(trimmed(v.value), "variable values are trimmed");
    bool last = true;
    for (std::size_t j = i + 1; j < e.variables.size(); ++j) last = last && e.variables[j].name != v.name;
    if (last) {
      const std::string* found = e.variable(v.name);
      FUZZ_CHECK(found == &v.value, "variable() reads the last value of a name");
    }
  }
  const std::string* ip = e.variable("ExternalIPAddress");
  FUZZ_CHECK(e.external_ip_address() == (ip ? std::optional<std::string>(*ip) : std::nullopt),
             "external_ip_address() is the variable");
  const std::string* status = e.variable("ConnectionStatus");
  FUZZ_CHECK(e.connection_status() == (status ? std::optional<std::string>(*status) : std::nullopt),
             "connection_status() is the variable");
  if (const auto n = e.port_mapping_number_of_entries()) {
    const std::string* text = e.variable("PortMappingNumberOfEntries");
    FUZZ_CHECK(text && !text->empty() && text->find_first_not_of("0123456789") == std::string::npos,
               "the number of entries is read only from a decimal number");
    std::uint64_t value = 0;
    for (const char c : *text) value = std::min<std::uint64_t>(value * 10 + static_cast<std::uint64_t>(c - '0'), 1ULL << 40);
    FUZZ_CHECK(value == *n, "the number of entries is the variable's value");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view in = mulenet::fuzz::text(data, size);
  check_subscription(in);
  check_event(in);
  return 0;
}
