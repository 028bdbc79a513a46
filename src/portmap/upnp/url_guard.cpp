#include "portmap/upnp/url_guard.hpp"

#include <arpa/inet.h>

#include <array>
#include <fmt/format.h>

#include "portmap/upnp/ascii.hpp"

namespace mulenet::portmap::upnp {
namespace {

using Result = Parsed<HttpUrl>;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Printable ASCII but never a space, a backslash, quotes or angle brackets,
// and '%' only as the start of an escape: what may appear in a URL's path and
// query (RFC 3986 §2, plus a few sub-delims routers use unescaped).
std::optional<std::string> bad_path_chars(std::string_view s)
{
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u <= 0x20 || u >= 0x7f) return fmt::format("byte 0x{:02x} at {} is not allowed in a URL", u, i);
    if (s[i] == '\\' || s[i] == '"' || s[i] == '<' || s[i] == '>' || s[i] == '^' || s[i] == '`' ||
        s[i] == '{' || s[i] == '}' || s[i] == '|')
      return fmt::format("'{}' at {} is not allowed in a URL", s[i], i);
    if (s[i] == '%' && (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])))
      return fmt::format("'%' at {} does not start a %XX escape", i);
  }
  return std::nullopt;
}

// "http", "https", "ftp": the scheme of an absolute reference, or empty.
std::string_view scheme_of(std::string_view s)
{
  if (s.empty() || !is_alpha(s.front())) return {};
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return s.substr(0, i);
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view in)
{
  std::string out;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const auto slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t next = in.find('/', 1);
      const std::size_t n = next == std::string_view::npos ? in.size() : next;
      out.append(in.substr(0, n));
      in.remove_prefix(n);
    }
  }
  return out;
}

// A path (and query) as it goes on the request line: checked, bounded,
// never empty.
Result with_target(HttpUrl url, std::string_view path, std::string_view query)
{
  std::string target = remove_dot_segments(path);
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  if (!query.empty()) target.append("?").append(query);
  if (target.size() > kMaxTargetBytes)
    return Result::fail(CodecErrc::too_large, fmt::format("the URL's path is {} bytes long (at most {})",
                                                          target.size(), kMaxTargetBytes));
  if (auto why = bad_path_chars(target)) return Result::fail(CodecErrc::malformed, *why);
  url.target = std::move(target);
  return Result::done(std::move(url));
}

// "path?query#fragment" -> path, query (the fragment is never sent).
void split_reference(std::string_view ref, std::string_view& path, std::string_view& query)
{
  ref = ref.substr(0, ref.find('#'));
  const auto q = ref.find('?');
  path = ref.substr(0, q);
  query = q == std::string_view::npos ? std::string_view{} : ref.substr(q + 1);
}

Result parse_authority(std::string_view authority, HttpUrl& url)
{
  if (authority.find('@') != std::string_view::npos)
    return Result::fail(CodecErrc::unsafe_url, "the URL carries user info (\"user@host\")");
  std::string_view host, port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Result::fail(CodecErrc::malformed, "an IPv6 host without ']'");
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Result::fail(CodecErrc::malformed, "text after the IPv6 host");
      has_port = true;
      port_text = rest.substr(1);
    }
    if (host.find('%') != std::string_view::npos)
      return Result::fail(CodecErrc::malformed, "IPv6 zone IDs are not supported in URLs");
    std::array<unsigned char, 16> a{};
    if (host.size() > 45 || inet_pton(AF_INET6, std::string(host).c_str(), a.data()) != 1)
      return Result::fail(CodecErrc::malformed, "the host is not a valid IPv6 address");
    url.host_kind = HostKind::ipv6;
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return Result::fail(CodecErrc::malformed, "the URL has no host");
    bool digits_and_dots = true;
    for (const char c : host) digits_and_dots = digits_and_dots && (is_digit(c) || c == '.');
    if (digits_and_dots) {
      // Only the four-part dotted quad: "3232235777", "10.1" and "010.0.0.1"
      // mean other addresses to other parsers.
      std::array<unsigned char, 4> a{};
      if (host.size() > 15 || inet_pton(AF_INET, std::string(host).c_str(), a.data()) != 1)
        return Result::fail(CodecErrc::malformed, fmt::format("the host \"{}\" is not a dotted-quad IPv4 address", host));
      url.host_kind = HostKind::ipv4;
    } else {
      if (host.size() > 253) return Result::fail(CodecErrc::malformed, "the host name is longer than 253 bytes");
      for (const char c : host)
        if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.')
          return Result::fail(CodecErrc::malformed, fmt::format("'{}' is not allowed in a host name", c));
      url.host_kind = HostKind::name;
    }
  }
  url.host.clear();
  for (const char c : host) url.host.push_back(ascii::to_lower(c));
  url.port = 80;
  if (has_port && !port_text.empty()) {
    const auto port = ascii::parse_decimal<unsigned>(port_text);
    if (!port || *port == 0 || *port > 65535)
      return Result::fail(CodecErrc::malformed, fmt::format("the port \"{}\" is not in 1..65535", port_text));
    url.port = static_cast<std::uint16_t>(*port);
  }
  return Result::done(url);
}

struct Address {
  int family = 0;  // AF_INET, AF_INET6
  std::array<unsigned char, 16> bytes{};
  std::size_t size() const { return family == AF_INET ? 4 : 16; }
};

std::optional<Address> parse_address(const std::string& text)
{
  Address a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

bool same_prefix(const Address& a, const Address& b, unsigned bits)
{
  for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
    const unsigned n = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xffu << (8 - n));
    if ((a.bytes[i] & mask) != (b.bytes[i] & mask)) return false;
    bits -= n;
  }
  return true;
}

// Host bits (after `bits`) all zero (`ones` false) or all one (`ones` true).
bool host_bits_all(const Address& a, unsigned bits, bool ones)
{
  for (std::size_t i = 0; i < a.size(); ++i) {
    const unsigned first = static_cast<unsigned>(i) * 8;
    if (first + 8 <= bits) continue;
    const unsigned keep = bits > first ? bits - first : 0;
    const auto host_mask = static_cast<unsigned char>(0xffu >> keep);
    const auto want = static_cast<unsigned char>(ones ? host_mask : 0);
    if ((a.bytes[i] & host_mask) != want) return false;
  }
  return true;
}

std::optional<std::string> special_address(const Address& a)
{
  if (a.family == AF_INET) {
    if (a.bytes[0] == 0) return "an unspecified (0.0.0.0/8) address";
    if (a.bytes[0] == 127) return "a loopback address";
    if (a.bytes[0] >= 224 && a.bytes[0] <= 239) return "a multicast address";
    if (a.bytes[0] == 255 && a.bytes[1] == 255 && a.bytes[2] == 255 && a.bytes[3] == 255) return "the broadcast address";
    return std::nullopt;
  }
  Address zero;
  zero.family = AF_INET6;
  if (a.bytes == zero.bytes) return "the unspecified address";
  Address one = zero;
  one.bytes[15] = 1;
  if (a.bytes == one.bytes) return "the loopback address";
  if (a.bytes[0] == 0xff) return "a multicast address";
  // ::ffff:a.b.c.d would reach IPv4 hosts outside the check.
  static constexpr std::array<unsigned char, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin())) return "an IPv4-mapped address";
  return std::nullopt;
}

}  // namespace

std::string HttpUrl::authority() const
{
  std::string text = host_kind == HostKind::ipv6 ? "[" + host + "]" : host;
  if (port != 80) text += ":" + std::to_string(port);
  return text;
}

std::string HttpUrl::str() const { return "http://" + authority() + target; }

Parsed<HttpUrl> parse_http_url(std::string_view text)
{
  text = ascii::trim(text);
  if (text.size() > kMaxUrlBytes)
    return Result::fail(CodecErrc::too_large, fmt::format("the URL is {} bytes long (at most {})", text.size(), kMaxUrlBytes));
  if (text.empty()) return Result::fail(CodecErrc::malformed, "the URL is empty");
  const std::string_view scheme = scheme_of(text);
  if (scheme.empty()) return Result::fail(CodecErrc::malformed, "the URL has no scheme (expected http://)");
  if (!ascii::iequals(scheme, "http"))
    return Result::fail(CodecErrc::unsafe_url, fmt::format("the URL's scheme is \"{}\", only http is used", scheme));
  std::string_view rest = text.substr(scheme.size() + 1);
  if (!rest.starts_with("//")) return Result::fail(CodecErrc::malformed, "the URL has no \"//\" after \"http:\"");
  rest.remove_prefix(2);
  const std::size_t end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  if (auto why = bad_path_chars(authority)) return Result::fail(CodecErrc::malformed, *why);
  HttpUrl url;
  if (auto r = parse_authority(authority, url); !r) return r;
  std::string_view path, query;
  split_reference(end == std::string_view::npos ? std::string_view{} : rest.substr(end), path, query);
  return with_target(std::move(url), path, query);
}

Parsed<HttpUrl> resolve_url(const HttpUrl& base, std::string_view reference)
{
  reference = ascii::trim(reference);
  if (reference.size() > kMaxUrlBytes)
    return Result::fail(CodecErrc::too_large,
                        fmt::format("the URL is {} bytes long (at most {})", reference.size(), kMaxUrlBytes));
  if (!scheme_of(reference).empty()) return parse_http_url(reference);
  if (reference.starts_with("//")) return parse_http_url("http:" + std::string(reference));
  if (auto why = bad_path_chars(reference)) return Result::fail(CodecErrc::malformed, *why);

  std::string_view path, query;
  split_reference(reference, path, query);
  std::string_view base_path, base_query;
  split_reference(base.target, base_path, base_query);
  if (path.empty()) return with_target(base, base_path, reference.find('?') != std::string_view::npos ? query : base_query);
  if (path.starts_with('/')) return with_target(base, path, query);
  const auto slash = base_path.rfind('/');
  const std::string merged =
      std::string(slash == std::string_view::npos ? std::string_view("/") : base_path.substr(0, slash + 1)) +
      std::string(path);
  return with_target(base, merged, query);
}

std::optional<std::string> url_refusal(const HttpUrl& url, const GatewayScope& scope)
{
  if (url.host_kind == HostKind::name)
    return fmt::format("the URL names the host \"{}\"; only the router's address is accepted", url.host);
  const auto gateway = parse_address(scope.gateway);
  if (!gateway) return fmt::format("the gateway address \"{}\" is not an IP address", scope.gateway);
  const auto host = parse_address(url.host);
  if (!host) return fmt::format("the host \"{}\" is not an IP address", url.host);
  if (host->family != gateway->family)
    return fmt::format("the host {} is not of the gateway's ({}) address family", url.host, scope.gateway);
  if (auto special = special_address(*host)) return fmt::format("the host {} is {}", url.host, *special);
  const unsigned max_bits = static_cast<unsigned>(host->size()) * 8;
  const unsigned bits = scope.prefix_length > max_bits ? max_bits : scope.prefix_length;
  if (!same_prefix(*host, *gateway, bits))
    return fmt::format("the host {} is outside the gateway's network {}/{}", url.host, scope.gateway, bits);
  if (host->family == AF_INET && bits <= 30 && (host_bits_all(*host, bits, false) || host_bits_all(*host, bits, true)))
    return fmt::format("the host {} is the network or broadcast address of {}/{}", url.host, scope.gateway, bits);
  if (url.target.size() > kMaxTargetBytes) return "the URL's path is too long";
  return std::nullopt;
}

Parsed<HttpUrl> accept_url(std::string_view text, const GatewayScope& scope)
{
  auto parsed = parse_http_url(text);
  if (!parsed) return parsed;
  if (auto why = url_refusal(parsed.value, scope)) return Result::fail(CodecErrc::unsafe_url, *why);
  return parsed;
}

Parsed<HttpUrl> accept_url(const HttpUrl& base, std::string_view reference, const GatewayScope& scope)
{
  auto resolved = resolve_url(base, reference);
  if (!resolved) return resolved;
  if (auto why = url_refusal(resolved.value, scope)) return Result::fail(CodecErrc::unsafe_url, *why);
  return resolved;
}

}  // namespace mulenet::portmap::upnp
