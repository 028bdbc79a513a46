// Router URLs (portmap/upnp/url_guard.hpp): parse_http_url, resolve_url and
// accept_url. The input is a URL, and a reference resolved against fixed
// bases; when it has a line break, the first line is also a base for the
// rest. Properties: a failure says why; a parsed or resolved URL has a host
// of its kind, a port 1..65535 and a bounded target that starts with '/',
// carries no space, control, non-ASCII or '#' byte and no dot segment in
// its path; parse_http_url(u.str()) == u and an absolute URL resolves to
// itself; accept_url accepts exactly what parses and url_refusal lets
// through, and only address literals of the gateway's family inside its
// network (checked here independently with inet_pton), never loopback,
// multicast, unspecified or the IPv4 subnet's network/broadcast address.
// ctest: -runs=12000 -max_len=300
#include <arpa/inet.h>

#include <array>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "portmap/upnp/url_guard.hpp"

using namespace mulenet::portmap::upnp;

namespace {

const GatewayScope kScopes[] = {
    {"192.168.1.1", 24}, {"192.168.1.1", 32}, {"10.0.0.1", 8}, {"192.168.77.1", 30},
    {"fd00::1", 64},     {"fd00::1", 128},
};

struct Address {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  std::size_t size() const { return family == AF_INET ? 4 : 16; }
};

Address address_of(const std::string& text)
{
  Address a;
  if (text.find('\0') != std::string::npos) return a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) a.family = AF_INET;
  else if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) a.family = AF_INET6;
  return a;
}

bool bit(const Address& a, unsigned i) { return ((a.bytes[i / 8] >> (7 - i % 8)) & 1) != 0; }

bool path_has_dot_segment(std::string_view target)
{
  std::string_view path = target.substr(0, target.find('?'));
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const std::string_view segment = path.substr(0, path.find('/'));
    if (segment == "." || segment == "..") return true;
    path.remove_prefix(segment.size());
  }
  return false;
}

void check_url(const HttpUrl& u, const char* where)
{
  FUZZ_CHECK(!u.host.empty(), where);
  FUZZ_CHECK(u.port >= 1, "a URL's port is 1..65535");
  FUZZ_CHECK(!u.target.empty() && u.target.front() == '/', "a target starts with '/'");
  FUZZ_CHECK(u.target.size() <= kMaxTargetBytes, "a target is at most kMaxTargetBytes");
  for (const char c : u.target) {
    const auto b = static_cast<unsigned char>(c);
    FUZZ_CHECK(b > 0x20 && b < 0x7f && c != '#', "a target has no space, control, non-ASCII or '#' byte");
  }
  FUZZ_CHECK(!path_has_dot_segment(u.target), "a target's path has no '.' or '..' segment");
  const Address a = address_of(u.host);
  switch (u.host_kind) {
    case HostKind::ipv4: FUZZ_CHECK(a.family == AF_INET, "an ipv4 host is an IPv4 address"); break;
    case HostKind::ipv6: FUZZ_CHECK(a.family == AF_INET6, "an ipv6 host is an IPv6 address"); break;
    case HostKind::name:
      FUZZ_CHECK(u.host.size() <= 253, "a host name is at most 253 bytes");
      for (const char c : u.host)
        FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.',
                   "a host name is lower-case letters, digits, '-' and '.'");
      break;
  }
  const std::string text = u.str();
  const auto again = parse_http_url(text);
  FUZZ_CHECK(again.ok, "the URL a parsed URL prints parses");
  FUZZ_CHECK(again.value == u, "parse_http_url(u.str()) == u");
}

// What accept_url may let through, decided without url_guard's own code.
void check_in_scope(const HttpUrl& u, const GatewayScope& scope)
{
  FUZZ_CHECK(u.host_kind != HostKind::name, "an accepted URL names no host, it has an address");
  const Address host = address_of(u.host);
  const Address gateway = address_of(scope.gateway);
  FUZZ_CHECK(host.family != 0 && host.family == gateway.family, "an accepted host is of the gateway's family");
  const unsigned width = static_cast<unsigned>(host.size()) * 8;
  const unsigned prefix = scope.prefix_length < width ? scope.prefix_length : width;
  for (unsigned i = 0; i < prefix; ++i)
    FUZZ_CHECK(bit(host, i) == bit(gateway, i), "an accepted host is inside the gateway's network");
  if (host.family == AF_INET) {
    const auto first = host.bytes[0];
    FUZZ_CHECK(first != 0 && first != 127 && (first < 224 || first > 239) &&
                   !(first == 255 && host.bytes[1] == 255 && host.bytes[2] == 255 && host.bytes[3] == 255),
               "an accepted IPv4 host is not unspecified, loopback, multicast or broadcast");
    if (prefix <= 30) {
      bool zeros = true, ones = true;
      for (unsigned i = prefix; i < 32; ++i) {
        zeros = zeros && !bit(host, i);
        ones = ones && bit(host, i);
      }
      FUZZ_CHECK(!zeros && !ones, "an accepted IPv4 host is not its subnet's network or broadcast address");
    }
  } else {
    const std::array<unsigned char, 16> unspecified{};
    std::array<unsigned char, 16> loopback{};
    loopback[15] = 1;
    static constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    FUZZ_CHECK(host.bytes != unspecified && host.bytes != loopback && host.bytes[0] != 0xff &&
                   !std::equal(kMapped.begin(), kMapped.end(), host.bytes.begin()),
               "an accepted IPv6 host is not unspecified, loopback, multicast or IPv4-mapped");
  }
}

void check_resolve(const HttpUrl& base, std::string_view reference)
{
  const auto resolved = resolve_url(base, reference);
  if (!resolved) {
    FUZZ_CHECK(!resolved.detail.empty(), "a reference that does not resolve has an explanation");
  } else {
    check_url(resolved.value, "a resolved URL has a host");
    const auto absolute = resolve_url(base, resolved.value.str());
    FUZZ_CHECK(absolute.ok && absolute.value == resolved.value, "a resolved URL, written out, resolves to itself");
  }
  for (const GatewayScope& scope : kScopes) {
    const auto accepted = accept_url(base, reference, scope);
    FUZZ_CHECK(accepted.ok == (resolved.ok && !url_refusal(resolved.value, scope)),
               "accept_url(base, ref) accepts exactly what resolves and url_refusal lets through");
    if (accepted) {
      FUZZ_CHECK(accepted.value == resolved.value, "accept_url gives the resolved URL");
      check_in_scope(accepted.value, scope);
    } else {
      FUZZ_CHECK(!accepted.detail.empty(), "a refusal has an explanation");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = mulenet::fuzz::text(data, size);

  const auto parsed = parse_http_url(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.detail.empty(), "a URL that does not parse has an explanation");
  } else {
    check_url(parsed.value, "a parsed URL has a host");
  }
  for (const GatewayScope& scope : kScopes) {
    const auto accepted = accept_url(text, scope);
    FUZZ_CHECK(accepted.ok == (parsed.ok && !url_refusal(parsed.value, scope)),
               "accept_url accepts exactly what parses and url_refusal lets through");
    if (accepted) {
      FUZZ_CHECK(accepted.value == parsed.value, "accept_url gives the parsed URL");
      check_in_scope(accepted.value, scope);
      const auto again = accept_url(accepted.value.str(), scope);
      FUZZ_CHECK(again.ok && again.value == accepted.value, "an accepted URL, written out, is accepted as itself");
    }
  }

  static const HttpUrl kBases[] = {
      parse_http_url("http://192.168.1.1:49152/desc/igd.xml?x=1").value,
      parse_http_url("http://[fd00::1]:5000/a/b/").value,
      parse_http_url("http://192.168.77.1/").value,
  };
  for (const HttpUrl& base : kBases) check_resolve(base, text);
  if (const auto nl = text.find('\n'); nl != std::string_view::npos) {
    if (const auto base = parse_http_url(text.substr(0, nl))) check_resolve(base.value, text.substr(nl + 1));
  }
  return 0;
}
