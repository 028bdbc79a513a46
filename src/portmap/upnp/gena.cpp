#include "portmap/upnp/gena.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"
#include "portmap/upnp/xml_support.hpp"

namespace mulenet::portmap::upnp::gena {
namespace {

namespace http = boost::beast::http;

bool sid_ok(std::string_view sid) { return !sid.empty() && sid.size() <= 256 && !ascii::has_control(sid); }

std::string request_head(std::string_view method, const HttpUrl& url)
{
  return fmt::format("{} {} HTTP/1.1\r\nHOST: {}\r\n", method, url.target, url.authority());
}

// "Second-1800", "second-1800", "Second-infinite".
std::optional<std::uint32_t> timeout_of(std::string_view header)
{
  header = ascii::trim(header);
  if (!ascii::istarts_with(header, "Second-")) return std::nullopt;
  return ascii::parse_decimal<std::uint32_t>(header.substr(7));
}

}  // namespace

std::optional<std::string> encode_subscribe(const HttpUrl& event_url, const HttpUrl& callback,
                                            std::uint32_t timeout_seconds)
{
  if (callback.host_kind == HostKind::name) return std::nullopt;
  return request_head("SUBSCRIBE", event_url) +
         fmt::format("CALLBACK: <{}>\r\nNT: upnp:event\r\nTIMEOUT: Second-{}\r\nContent-Length: 0\r\n\r\n",
                     callback.str(), timeout_seconds);
}

std::optional<std::string> encode_renewal(const HttpUrl& event_url, std::string_view sid, std::uint32_t timeout_seconds)
{
  if (!sid_ok(sid)) return std::nullopt;
  return request_head("SUBSCRIBE", event_url) +
         fmt::format("SID: {}\r\nTIMEOUT: Second-{}\r\nContent-Length: 0\r\n\r\n", sid, timeout_seconds);
}

std::optional<std::string> encode_unsubscribe(const HttpUrl& event_url, std::string_view sid)
{
  if (!sid_ok(sid)) return std::nullopt;
  return request_head("UNSUBSCRIBE", event_url) + fmt::format("SID: {}\r\nContent-Length: 0\r\n\r\n", sid);
}

Parsed<Subscription> parse_subscribe_response(std::string_view http_response)
{
  using R = Parsed<Subscription>;
  http::response_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kMaxResponseHeaderBytes));
  parser.skip(true);
  parser.eager(false);
  boost::beast::error_code ec;
  parser.put(boost::asio::const_buffer(http_response.data(), http_response.size()), ec);
  if (ec == http::error::header_limit)
    return R::fail(CodecErrc::too_large, fmt::format("the header is over {} bytes", kMaxResponseHeaderBytes));
  if (ec && ec != http::error::need_more) return R::fail(CodecErrc::malformed, "not an HTTP response: " + ec.message());
  if (!parser.is_header_done()) return R::fail(CodecErrc::malformed, "the HTTP header is incomplete");
  const auto& msg = parser.get();
  if (msg.result_int() != 200)
    return R::fail(CodecErrc::unexpected, fmt::format("the router answered HTTP {} to SUBSCRIBE", msg.result_int()));
  const auto sid_field = msg.find("SID");
  const std::string_view sid =
      sid_field == msg.end() ? std::string_view{}
                             : ascii::trim(std::string_view(sid_field->value().data(), sid_field->value().size()));
  if (!sid_ok(sid)) return R::fail(CodecErrc::missing_field, "the SUBSCRIBE response has no usable SID");
  Subscription s;
  s.sid = std::string(sid);
  if (const auto t = msg.find("TIMEOUT"); t != msg.end())
    s.timeout_seconds = timeout_of(std::string_view(t->value().data(), t->value().size()));
  return R::done(std::move(s));
}

const std::string* Event::variable(std::string_view name) const
{
  // A variable reported twice: the later value is the current one.
  for (auto it = variables.rbegin(); it != variables.rend(); ++it)
    if (it->name == name) return &it->value;
  return nullptr;
}

std::optional<std::string> Event::external_ip_address() const
{
  if (const std::string* v = variable("ExternalIPAddress")) return *v;
  return std::nullopt;
}

std::optional<std::string> Event::connection_status() const
{
  if (const std::string* v = variable("ConnectionStatus")) return *v;
  return std::nullopt;
}

std::optional<std::uint32_t> Event::port_mapping_number_of_entries() const
{
  if (const std::string* v = variable("PortMappingNumberOfEntries")) return ascii::parse_decimal<std::uint32_t>(*v);
  return std::nullopt;
}

Parsed<Event> parse_event_body(std::string_view xml_body)
{
  using R = Parsed<Event>;
  pugi::xml_document doc;
  if (auto failure = xml::load(doc, xml_body, kMaxEventBytes, kMaxEventDepth, "the event"))
    return R::fail(failure->error, std::move(failure->detail));
  const pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "propertyset")
    return R::fail(CodecErrc::malformed, "the event's root element is not a propertyset");
  Event e;
  for (pugi::xml_node p = root.first_child(); p; p = p.next_sibling()) {
    if (p.type() != pugi::node_element || xml::local_name(p) != "property") continue;
    for (pugi::xml_node v = p.first_child(); v; v = v.next_sibling()) {
      // An element named "prefix:" has no local name: no variable (as in SOAP responses).
      if (v.type() != pugi::node_element || xml::local_name(v).empty()) continue;
      if (e.variables.size() == kMaxVariables)
        return R::fail(CodecErrc::too_large, fmt::format("more than {} variables", kMaxVariables));
      e.variables.push_back({std::string(xml::local_name(v)), xml::text(v)});
    }
  }
  return R::done(std::move(e));
}

}  // namespace mulenet::portmap::upnp::gena
