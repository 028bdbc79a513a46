#include "proxy/proxy_spec.hpp"

#include <cctype>
#include <charconv>

#include "proxy/target.hpp"

namespace mulenet::proxy {
namespace {

std::optional<std::string> percent_decode(std::string_view in)
{
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
    if (ec != std::errc{} || end != in.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

std::optional<config::ProxyType> parse_scheme(std::string_view scheme)
{
  std::string s;
  for (const char c : scheme) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "socks5" || s == "socks5h") return config::ProxyType::socks5;
  if (s == "socks4") return config::ProxyType::socks4;
  if (s == "socks4a") return config::ProxyType::socks4a;
  if (s == "http") return config::ProxyType::http;
  return std::nullopt;
}

}  // namespace

const char* scheme_of(config::ProxyType type)
{
  switch (type) {
    case config::ProxyType::socks5: return "socks5";
    case config::ProxyType::socks4: return "socks4";
    case config::ProxyType::http: return "http";
    case config::ProxyType::socks4a: return "socks4a";
  }
  return "socks5";
}

std::string ProxySpec::redacted_url() const
{
  std::string url = std::string(scheme_of(type)) + "://";
  if (user) url += *user + (password ? ":***" : "") + "@";
  const bool v6 = host.find(':') != std::string::npos;
  url += (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  return url;
}

std::optional<ProxySpec> parse_proxy_url(std::string_view url, std::string& error)
{
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    error = "a proxy URL starts with socks5://, socks4://, socks4a:// or http://";
    return std::nullopt;
  }
  const auto type = parse_scheme(url.substr(0, sep));
  if (!type) {
    error = "unknown proxy scheme '" + std::string(url.substr(0, sep)) + "'; use socks5, socks4, socks4a or http";
    return std::nullopt;
  }
  ProxySpec spec;
  spec.type = *type;
  std::string_view rest = url.substr(sep + 3);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash).find_first_not_of('/') != std::string_view::npos) {
      error = "a proxy URL has no path: write scheme://[user:password@]host:port";
      return std::nullopt;
    }
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    if (!user) {
      error = "the user name in the proxy URL has a bad %-escape";
      return std::nullopt;
    }
    spec.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = percent_decode(userinfo.substr(colon + 1));
      if (!password) {
        error = "the password in the proxy URL has a bad %-escape";
        return std::nullopt;
      }
      spec.password = std::move(*password);
    }
  }
  std::string_view host = rest, port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "unclosed '[' in the proxy address";
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') {
        error = "expected ':' and a port after the IPv6 address";
        return std::nullopt;
      }
      port_text = rest.substr(close + 2);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  if (host.empty()) {
    error = "the proxy URL has no host";
    return std::nullopt;
  }
  // An IPv6 address only in brackets, and nothing else with ':' or brackets.
  const bool bracketed = !rest.empty() && rest.front() == '[';
  if (bracketed ? !parse_ipv6(host).has_value()
                : host.find_first_of(std::string_view(":[]\0", 4)) != std::string_view::npos) {
    error = bracketed ? "the address in brackets is not an IPv6 address"
                      : "the proxy host is not a name or address (an IPv6 address needs brackets: [::1]:1080)";
    return std::nullopt;
  }
  spec.host = std::string(host);
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      error = "the proxy port must be a number from 1 to 65535";
      return std::nullopt;
    }
    spec.port = static_cast<std::uint16_t>(port);
  }
  return spec;
}

std::optional<ProxySpec> proxy_from_settings(const config::ProxySettings& s)
{
  if (!s.enabled || s.host.empty()) return std::nullopt;
  ProxySpec spec{s.type, s.host, s.port, std::nullopt, std::nullopt};
  if (s.use_auth) {
    spec.user = s.user;
    spec.password = s.password;
  }
  return spec;
}

}  // namespace mulenet::proxy
