#include "proxy/http_connect_codec.hpp"

#include <openssl/evp.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mulenet::proxy::http_connect {
namespace {

namespace http = boost::beast::http;

bool header_safe(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

std::string base64(std::string_view in)
{
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Squid says why a CONNECT failed in "X-Squid-Error: ERR_CONNECT_FAIL <errno>".
bool squid_says_refused(const http::response_parser<http::empty_body>& parser)
{
  const auto& h = parser.get();
  const auto it = h.find("X-Squid-Error");
  return it != h.end() && it->value().find(" 111") != boost::beast::string_view::npos;  // ECONNREFUSED
}

// "HTTP/1.1 200 Connection established\r\n..." -> "Connection established".
std::string status_line_reason(ByteView in)
{
  const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const auto first_space = line.find(' ');
  if (first_space == std::string_view::npos) return {};
  const auto second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return {};
  return std::string(line.substr(second_space + 1));
}

}  // namespace

std::optional<Bytes> encode_request(const Target& target, const std::optional<Credentials>& credentials)
{
  const std::string authority = target.str();
  if (!header_safe(authority)) return std::nullopt;
  std::string text = fmt::format("CONNECT {0} HTTP/1.1\r\nHost: {0}\r\nUser-Agent: mulenet\r\n", authority);
  if (credentials) {
    if (!header_safe(credentials->user) || !header_safe(credentials->password)) return std::nullopt;
    text += "Proxy-Authorization: Basic " + base64(credentials->user + ":" + credentials->password) + "\r\n";
  }
  text += "\r\n";
  return Bytes(text.begin(), text.end());
}

Parsed<Reply> parse_reply(ByteView in, bool sent_credentials)
{
  // Fail at the first byte that cannot start "HTTP/" (a SOCKS server answers
  // two bytes and waits), rather than waiting for a header that never comes.
  constexpr std::string_view kPrefix = "HTTP/";
  for (std::size_t i = 0; i < in.size() && i < kPrefix.size(); ++i) {
    if (in[i] != static_cast<std::uint8_t>(kPrefix[i])) {
      return Parsed<Reply>::fail(ProxyErrc::protocol_violation,
                                 fmt::format("the proxy's reply does not start with HTTP/ (first bytes {:02x})",
                                             fmt::join(in.first(std::min<std::size_t>(in.size(), 4)), " ")));
    }
  }
  http::response_parser<http::empty_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.skip(true);  // only the header matters: after a 2xx the tunnel starts
  parser.eager(false);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::const_buffer(in.data(), in.size()), ec);
  if (ec == http::error::need_more) {
    if (in.size() >= kMaxHeaderBytes)
      return Parsed<Reply>::fail(ProxyErrc::protocol_violation, "the proxy's reply header is larger than 16 KiB");
    return Parsed<Reply>::need_more();
  }
  if (ec) {
    return Parsed<Reply>::fail(ProxyErrc::protocol_violation,
                               fmt::format("the proxy's reply is not HTTP ({})", ec.message()));
  }
  if (!parser.is_header_done()) return Parsed<Reply>::need_more();
  // Beast enforces header_limit loosely; make the limit the same however the bytes arrived.
  if (used > kMaxHeaderBytes)
    return Parsed<Reply>::fail(ProxyErrc::protocol_violation, "the proxy's reply header is larger than 16 KiB");
  const unsigned status = parser.get().result_int();
  // The reason phrase as sent (Beast's reason() would invent "OK" for an empty one).
  Reply reply{status, status_line_reason(in)};
  const std::string what = fmt::format("HTTP {} {}", status, reply.reason);
  if (status >= 200 && status < 300) return Parsed<Reply>::done(std::move(reply), used);
  switch (status) {
    case 401:  // tinyproxy answers a wrong password with 401 instead of 407
    case 407:
      return Parsed<Reply>::fail(sent_credentials ? ProxyErrc::auth_failed : ProxyErrc::no_acceptable_auth,
                                 what + (sent_credentials ? ": the user name or password was rejected"
                                                          : ": the proxy requires a user name and password"));
    case 403: return Parsed<Reply>::fail(ProxyErrc::not_allowed, what);
    case 405:
    case 501: return Parsed<Reply>::fail(ProxyErrc::command_not_supported, what + ": the proxy does not do CONNECT");
    case 500:
    case 502:
    case 503:
    case 504:
      return Parsed<Reply>::fail(squid_says_refused(parser) ? ProxyErrc::target_refused
                                                            : ProxyErrc::target_unreachable,
                                 what);
    default: return Parsed<Reply>::fail(ProxyErrc::proxy_failure, what);
  }
}

}  // namespace mulenet::proxy::http_connect
