#include "proxy/socks4_codec.hpp"

#include <fmt/format.h>

namespace mulenet::proxy::socks4 {
namespace {

Bytes header(const Ipv4& address, std::uint16_t port, std::string_view user_id)
{
  // A NUL inside the user ID would end it early on the wire: cut it there ourselves.
  const std::string_view id = user_id.substr(0, user_id.find('\0'));
  Bytes out;
  out.reserve(8 + id.size() + 1 + 256);  // room for a SOCKS4a host name too
  out.push_back(0x04);
  out.push_back(0x01);  // CONNECT
  out.push_back(static_cast<std::uint8_t>(port >> 8));
  out.push_back(static_cast<std::uint8_t>(port & 0xFF));
  out.insert(out.end(), address.begin(), address.end());
  out.insert(out.end(), id.begin(), id.end());
  out.push_back(0x00);
  return out;
}

}  // namespace

Bytes encode_connect(const Ipv4& address, std::uint16_t port, std::string_view user_id)
{
  return header(address, port, user_id);
}

std::optional<Bytes> encode_connect_4a(std::string_view host, std::uint16_t port, std::string_view user_id)
{
  if (host.empty() || host.size() > 255 || host.find('\0') != std::string_view::npos) return std::nullopt;
  Bytes out = header(Ipv4{0, 0, 0, 1}, port, user_id);
  out.insert(out.end(), host.begin(), host.end());
  out.push_back(0x00);
  return out;
}

Parsed<bool> parse_reply(ByteView in)
{
  if (in.size() < 8) return Parsed<bool>::need_more();
  // The reply's version byte is 0; a few servers put 4 there. Anything else is
  // not SOCKS4 (e.g. 5 from a SOCKS5-only server, or "HT" from an HTTP proxy).
  if (in[0] != 0x00 && in[0] != 0x04) {
    return Parsed<bool>::fail(ProxyErrc::protocol_violation,
                              fmt::format("the proxy answered version byte {}, not a SOCKS4 reply", in[0]));
  }
  switch (in[1]) {
    case 90: return Parsed<bool>::done(true, 8);
    case 91:
      return Parsed<bool>::fail(ProxyErrc::request_rejected, "SOCKS4 reply 91: request rejected or failed");
    case 92:
      return Parsed<bool>::fail(ProxyErrc::auth_failed,
                                "SOCKS4 reply 92: the proxy could not reach an identd on this host to check the user ID");
    case 93:
      return Parsed<bool>::fail(ProxyErrc::auth_failed, "SOCKS4 reply 93: the user ID was not accepted");
    default:
      return Parsed<bool>::fail(ProxyErrc::protocol_violation, fmt::format("unknown SOCKS4 reply code {}", in[1]));
  }
}

}  // namespace mulenet::proxy::socks4
