#pragma once
// Which router URLs we fetch or post to, and how a description's relative
// URLs resolve.
//
// SSDP is unauthenticated multicast: any host on the LAN (or a web page
// doing DNS rebinding, or a forged datagram) can announce a LOCATION, and a
// description can name any control URL. Following them blindly makes us a
// request forger against loopback services or the wider LAN, as libtorrent
// and tailscale learnt. So a URL is accepted only when it is plain http://
// to an address literal inside the gateway's own subnet (or exactly the
// gateway), with a bounded path.
//
// Resolution follows UPnP Device Architecture 1.0 §2.1 (controlURL and the
// other URLs of a description are relative to URLBase, else to the URL the
// description was fetched from) and RFC 3986 §5.2 (merge, dot segments).
//
// Hand-written on purpose: Boost 1.81 ships Boost.URL's headers, but its
// compiled part (Debian libboost-url1.81-dev) is not among our dependencies,
// and we need only absolute http:// URLs and relative references.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "portmap/upnp/codec_result.hpp"

namespace mulenet::portmap::upnp {

enum class HostKind { ipv4, ipv6, name };

struct HttpUrl {
  std::string host;          // "192.168.1.1", "fd00::1" (no brackets), or a lower-cased name
  HostKind host_kind = HostKind::name;
  std::uint16_t port = 80;
  std::string target = "/";  // path and query as sent on the request line; starts with '/'

  // The Host header: "192.168.1.1:5000", "[fd00::1]:5000"; the port is left
  // out when it is 80 (some routers reject "Host: a.b.c.d:80").
  [[nodiscard]] std::string authority() const;
  // "http://192.168.1.1:5000/rootDesc.xml"
  [[nodiscard]] std::string str() const;

  bool operator==(const HttpUrl&) const = default;
};

inline constexpr std::size_t kMaxUrlBytes = 2048;
inline constexpr std::size_t kMaxTargetBytes = 1024;

// An absolute http:// URL. Leading and trailing whitespace is ignored, a
// fragment dropped, an empty path becomes "/". Fails (malformed) on anything
// else that is not RFC 3986 http: control characters, spaces, non-ASCII, bad
// percent escapes, an empty host, a port outside 1..65535, an IPv6 zone ID, a
// number-only host that is not a dotted quad ("3232235777", "192.168.1.256");
// (unsafe_url) on another scheme, https included, and on user info
// ("http://192.168.1.1@evil/"); (too_large) over kMaxUrlBytes or a target
// over kMaxTargetBytes.
[[nodiscard]] Parsed<HttpUrl> parse_http_url(std::string_view text);

// `reference` (a controlURL, URLBase, ...) resolved against `base`: absolute
// http URLs as they are, "//host/x" with http:, "/x" on base's host,
// "x" merged with base's directory, dot segments removed.
[[nodiscard]] Parsed<HttpUrl> resolve_url(const HttpUrl& base, std::string_view reference);

// Where the router may be: the default gateway's address and the prefix
// length of the LAN it is on. prefix_length 32 (IPv4) or 128 (IPv6) accepts
// the gateway alone; larger values count as those.
struct GatewayScope {
  std::string gateway;          // "192.168.1.1" or "fd00::1"
  unsigned prefix_length = 32;  // 24 for 192.168.1.0/24
};

// nullopt when `url` may be used, else why not: its host must be an IP
// literal of the gateway's family inside gateway/prefix_length, and not an
// unspecified, loopback, multicast or broadcast address nor (IPv4, prefix
// <= 30) the subnet's network or broadcast address.
[[nodiscard]] std::optional<std::string> url_refusal(const HttpUrl& url, const GatewayScope& scope);

// parse_http_url then url_refusal (unsafe_url).
[[nodiscard]] Parsed<HttpUrl> accept_url(std::string_view text, const GatewayScope& scope);
// resolve_url then url_refusal (unsafe_url).
[[nodiscard]] Parsed<HttpUrl> accept_url(const HttpUrl& base, std::string_view reference, const GatewayScope& scope);

}  // namespace mulenet::portmap::upnp
