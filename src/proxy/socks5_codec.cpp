#include "proxy/socks5_codec.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mulenet::proxy::socks5 {
namespace {

constexpr std::uint8_t kVersion = 0x05;
constexpr std::uint8_t kAtypIpv4 = 0x01;
constexpr std::uint8_t kAtypName = 0x03;
constexpr std::uint8_t kAtypIpv6 = 0x04;

void put_port(Bytes& out, std::uint16_t port)
{
  out.push_back(static_cast<std::uint8_t>(port >> 8));
  out.push_back(static_cast<std::uint8_t>(port & 0xFF));
}

std::uint16_t get_port(ByteView in, std::size_t at)
{
  return static_cast<std::uint16_t>((in[at] << 8) | in[at + 1]);
}

void put_address(Bytes& out, const Target& t)
{
  if (const auto* v4 = std::get_if<Ipv4>(&t.host)) {
    out.push_back(kAtypIpv4);
    out.insert(out.end(), v4->begin(), v4->end());
  } else if (const auto* v6 = std::get_if<Ipv6>(&t.host)) {
    out.push_back(kAtypIpv6);
    out.insert(out.end(), v6->begin(), v6->end());
  } else {
    const auto& name = std::get<std::string>(t.host);
    const std::size_t n = std::min<std::size_t>(name.size(), 255);  // parse_target already caps names
    out.push_back(kAtypName);
    out.push_back(static_cast<std::uint8_t>(n));
    out.insert(out.end(), name.begin(), name.begin() + static_cast<std::ptrdiff_t>(n));
  }
  put_port(out, t.port);
}

// ATYP ADDR PORT starting at `at`. need_more / failed / complete with the
// number of bytes from `at`.
Parsed<Target> parse_address(ByteView in, std::size_t at)
{
  if (in.size() < at + 1) return Parsed<Target>::need_more();
  const std::uint8_t atyp = in[at];
  std::size_t len = 0;
  switch (atyp) {
    case kAtypIpv4: len = 1 + 4 + 2; break;
    case kAtypIpv6: len = 1 + 16 + 2; break;
    case kAtypName:
      if (in.size() < at + 2) return Parsed<Target>::need_more();
      len = 1 + 1 + in[at + 1] + 2;
      break;
    default:
      return Parsed<Target>::fail(ProxyErrc::protocol_violation,
                                  fmt::format("unknown address type {} in the SOCKS5 reply", atyp));
  }
  if (in.size() < at + len) return Parsed<Target>::need_more();
  Target t;
  if (atyp == kAtypIpv4) {
    Ipv4 a{};
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(at + 1), 4, a.begin());
    t.host = a;
  } else if (atyp == kAtypIpv6) {
    Ipv6 a{};
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(at + 1), 16, a.begin());
    t.host = a;
  } else {
    const auto* p = reinterpret_cast<const char*>(in.data() + at + 2);
    t.host = std::string(p, in[at + 1]);
  }
  t.port = get_port(in, at + len - 2);
  return Parsed<Target>::done(std::move(t), len);
}

ProxyErrc error_for_rep(std::uint8_t rep, Command cmd)
{
  switch (rep) {
    case 0x01: return ProxyErrc::proxy_failure;
    case 0x02: return ProxyErrc::not_allowed;
    case 0x03:  // network unreachable
    case 0x04:  // host unreachable
    case 0x06:  // TTL expired
      return ProxyErrc::target_unreachable;
    case 0x05: return ProxyErrc::target_refused;
    case 0x07: return cmd == Command::udp_associate ? ProxyErrc::udp_not_supported : ProxyErrc::command_not_supported;
    case 0x08: return ProxyErrc::address_type_not_supported;
    default: return ProxyErrc::protocol_violation;
  }
}

const char* rep_text(std::uint8_t rep)
{
  switch (rep) {
    case 0x01: return "general SOCKS server failure";
    case 0x02: return "connection not allowed by ruleset";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "command not supported";
    case 0x08: return "address type not supported";
    default: return "unassigned reply code";
  }
}

}  // namespace

Bytes encode_greeting(bool offer_user_pass)
{
  if (offer_user_pass) return {kVersion, 0x02, kMethodNoAuth, kMethodUserPass};
  return {kVersion, 0x01, kMethodNoAuth};
}

Parsed<std::uint8_t> parse_method_reply(ByteView in, bool offered_user_pass)
{
  if (in.size() < 2) return Parsed<std::uint8_t>::need_more();
  if (in[0] != kVersion) {
    return Parsed<std::uint8_t>::fail(ProxyErrc::protocol_violation,
                                      fmt::format("the proxy answered version {} instead of SOCKS5", in[0]));
  }
  const std::uint8_t method = in[1];
  if (method == kMethodNoAuth || (method == kMethodUserPass && offered_user_pass))
    return Parsed<std::uint8_t>::done(method, 2);
  if (method == kMethodNoneAcceptable) {
    return Parsed<std::uint8_t>::fail(
        ProxyErrc::no_acceptable_auth,
        offered_user_pass ? "the proxy accepts neither no authentication nor username/password"
                          : "the proxy requires authentication, and no user name and password are configured");
  }
  return Parsed<std::uint8_t>::fail(ProxyErrc::protocol_violation,
                                    fmt::format("the proxy chose method {}, which was not offered", method));
}

std::optional<Bytes> encode_login(std::string_view user, std::string_view password)
{
  if (user.size() > 255 || password.size() > 255) return std::nullopt;
  Bytes out{0x01, static_cast<std::uint8_t>(user.size())};
  out.insert(out.end(), user.begin(), user.end());
  out.push_back(static_cast<std::uint8_t>(password.size()));
  out.insert(out.end(), password.begin(), password.end());
  return out;
}

Parsed<bool> parse_login_reply(ByteView in)
{
  if (in.size() < 2) return Parsed<bool>::need_more();
  // RFC 1929 says version 1; some servers answer 5. Accept both, judge the status.
  if (in[0] != 0x01 && in[0] != kVersion) {
    return Parsed<bool>::fail(ProxyErrc::protocol_violation,
                              fmt::format("login reply with version {} instead of 1", in[0]));
  }
  if (in[1] != 0x00) {
    return Parsed<bool>::fail(ProxyErrc::auth_failed,
                              fmt::format("the proxy rejected the user name or password (status {})", in[1]));
  }
  return Parsed<bool>::done(true, 2);
}

Bytes encode_request(Command cmd, const Target& target)
{
  Bytes out{kVersion, static_cast<std::uint8_t>(cmd), 0x00};
  put_address(out, target);
  return out;
}

Parsed<Reply> parse_reply(ByteView in, Command cmd)
{
  if (in.size() < 2) return Parsed<Reply>::need_more();
  if (in[0] != kVersion) {
    return Parsed<Reply>::fail(ProxyErrc::protocol_violation,
                               fmt::format("the proxy answered version {} instead of SOCKS5", in[0]));
  }
  if (in[1] != 0x00) {
    // The rest of the reply does not matter: the code says it all.
    return Parsed<Reply>::fail(error_for_rep(in[1], cmd), fmt::format("SOCKS5 reply {}: {}", in[1], rep_text(in[1])));
  }
  if (in.size() < 3) return Parsed<Reply>::need_more();
  auto address = parse_address(in, 3);
  if (address.status == ParseStatus::need_more) return Parsed<Reply>::need_more();
  if (address.status == ParseStatus::failed) return Parsed<Reply>::fail(address.error, address.detail);
  return Parsed<Reply>::done(Reply{std::move(address.value)}, 3 + address.consumed);
}

Bytes wrap_udp(const Target& destination, ByteView payload)
{
  Bytes out{0x00, 0x00, 0x00};
  put_address(out, destination);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::optional<UdpDatagram> unwrap_udp(ByteView datagram)
{
  if (datagram.size() < 4 || datagram[0] != 0 || datagram[1] != 0) return std::nullopt;
  if (datagram[2] != 0) return std::nullopt;  // a fragment: dropped
  auto address = parse_address(datagram, 3);
  if (address.status != ParseStatus::complete) return std::nullopt;
  const std::size_t header = 3 + address.consumed;
  return UdpDatagram{std::move(address.value), datagram.subspan(header)};
}

}  // namespace mulenet::proxy::socks5
