#include "portmap/upnp/ssdp.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"

namespace mulenet::portmap::upnp::ssdp {
namespace {

namespace http = boost::beast::http;
using Result = Parsed<Message>;

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

// The datagram as Beast wants it: CRLF line endings and a final empty line.
// Some devices end the datagram right after the last header, a few use bare
// LF; both are repaired here (the datagram is at most 8 KiB).
std::string normalized(std::string_view datagram)
{
  std::string text;
  text.reserve(datagram.size() + 4);
  for (std::size_t i = 0; i < datagram.size(); ++i) {
    if (datagram[i] == '\n' && (i == 0 || datagram[i - 1] != '\r')) text.push_back('\r');
    text.push_back(datagram[i]);
  }
  const auto end = text.find("\r\n\r\n");
  if (end != std::string::npos) {
    text.resize(end + 4);  // SSDP has no body: ignore whatever follows
  } else if (text.ends_with("\r\n")) {
    text += "\r\n";
  } else {
    text += "\r\n\r\n";
  }
  return text;
}

std::optional<std::uint32_t> parse_u32(std::string_view s) { return ascii::parse_decimal<std::uint32_t>(ascii::trim(s)); }

// "max-age=1800", "max-age = 1800", "no-cache=\"Ext\", max-age=1800".
std::optional<std::uint32_t> max_age_of(std::string_view cache_control)
{
  while (!cache_control.empty()) {
    const auto comma = cache_control.find(',');
    std::string_view directive = ascii::trim(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
    const auto eq = directive.find('=');
    if (eq == std::string_view::npos || !ascii::iequals(ascii::trim(directive.substr(0, eq)), "max-age")) continue;
    std::string_view value = ascii::trim(directive.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return parse_u32(value);
  }
  return std::nullopt;
}

NotifySubtype subtype_of(std::string_view nts)
{
  if (nts.empty()) return NotifySubtype::none;
  if (ascii::iequals(nts, "ssdp:alive")) return NotifySubtype::alive;
  if (ascii::iequals(nts, "ssdp:byebye")) return NotifySubtype::byebye;
  if (ascii::iequals(nts, "ssdp:update")) return NotifySubtype::update;
  return NotifySubtype::other;
}

template <typename Fields>
std::string field(const Fields& fields, std::string_view name)
{
  const auto it = fields.find(boost::beast::string_view(name.data(), name.size()));
  return it == fields.end() ? std::string() : std::string(ascii::trim(view(it->value())));
}

// Fills everything but `kind`/`nts`, then checks what a usable message needs.
template <typename Fields>
Result finish(Message m, const Fields& fields)
{
  std::size_t count = 0;
  for (auto it = fields.begin(); it != fields.end(); ++it) ++count;
  if (count > kMaxHeaderFields)
    return Result::fail(CodecErrc::too_large, fmt::format("{} header fields (at most {})", count, kMaxHeaderFields));
  m.location = field(fields, "LOCATION");
  m.target = field(fields, m.kind == MessageKind::notify ? "NT" : "ST");
  m.usn = field(fields, "USN");
  m.server = field(fields, "SERVER");
  m.max_age = max_age_of(field(fields, "CACHE-CONTROL"));
  m.boot_id = parse_u32(field(fields, "BOOTID.UPNP.ORG"));
  m.config_id = parse_u32(field(fields, "CONFIGID.UPNP.ORG"));
  if (m.kind == MessageKind::notify && m.nts == NotifySubtype::byebye) {
    if (m.usn.empty()) return Result::fail(CodecErrc::missing_field, "an ssdp:byebye without USN");
  } else if (m.location.empty()) {
    return Result::fail(CodecErrc::missing_field, "no LOCATION header");
  }
  return Result::done(std::move(m));
}

// Runs `parser` over the whole header block; a message with a body is not SSDP.
template <typename Parser>
std::optional<std::string> run(Parser& parser, const std::string& text)
{
  parser.header_limit(static_cast<std::uint32_t>(kMaxDatagramBytes + 8));
  parser.eager(false);
  boost::beast::error_code ec;
  parser.put(boost::asio::const_buffer(text.data(), text.size()), ec);
  if (ec && ec != http::error::need_more) return ec.message();
  if (!parser.is_header_done()) return std::string("the header block is incomplete");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> encode_m_search(std::string_view search_target, unsigned mx_seconds)
{
  if (search_target.empty() || search_target.size() > 256 || ascii::has_control(search_target)) return std::nullopt;
  const unsigned mx = mx_seconds < 1 ? 1 : (mx_seconds > 5 ? 5 : mx_seconds);
  return fmt::format(
      "M-SEARCH * HTTP/1.1\r\n"
      "HOST: {}:{}\r\n"
      "MAN: \"ssdp:discover\"\r\n"
      "MX: {}\r\n"
      "ST: {}\r\n"
      "\r\n",
      kMulticastAddress, kPort, mx, search_target);
}

Parsed<Message> parse_datagram(std::string_view datagram)
{
  if (datagram.size() > kMaxDatagramBytes)
    return Result::fail(CodecErrc::too_large,
                        fmt::format("a {}-byte datagram (at most {})", datagram.size(), kMaxDatagramBytes));
  if (datagram.starts_with("HTTP/")) {
    const std::string text = normalized(datagram);
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a search response has no body, whatever its headers say
    if (auto why = run(parser, text)) return Result::fail(CodecErrc::malformed, "not an HTTP response: " + *why);
    const auto& msg = parser.get();
    if (msg.result_int() != 200)
      return Result::fail(CodecErrc::unexpected, fmt::format("a search response with status {}", msg.result_int()));
    Message m;
    m.kind = MessageKind::search_response;
    return finish(std::move(m), msg);
  }
  const std::string text = normalized(datagram);
  http::request_parser<http::empty_body> parser;
  if (auto why = run(parser, text)) return Result::fail(CodecErrc::malformed, "not an SSDP message: " + *why);
  const auto& msg = parser.get();
  if (msg.method() != http::verb::notify) {
    return Result::fail(CodecErrc::unexpected,
                        fmt::format("an SSDP {} request, not a NOTIFY", view(msg.method_string())));
  }
  if (msg.target() != "*")
    return Result::fail(CodecErrc::unexpected, fmt::format("a NOTIFY for \"{}\", not \"*\"", view(msg.target())));
  Message m;
  m.kind = MessageKind::notify;
  m.nts = subtype_of(field(msg, "NTS"));
  return finish(std::move(m), msg);
}

}  // namespace mulenet::portmap::upnp::ssdp
