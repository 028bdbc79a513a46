#pragma once
// Which proxy to use: from a URL (`mulenet proxy test URL`) or from amule.conf.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace mulenet::proxy {

struct ProxySpec {
  config::ProxyType type = config::ProxyType::socks5;
  std::string host;
  std::uint16_t port = 1080;
  std::optional<std::string> user;      // SOCKS4/4a: the user ID
  std::optional<std::string> password;  // a secret: never printed; unused by SOCKS4/4a

  // socks5://user:***@host:port -- the password is never shown.
  [[nodiscard]] std::string redacted_url() const;
};

// socks5://[user:pass@]host:port, socks5h://..., socks4://[user@]host:port,
// socks4a://..., http://[user:pass@]host:port. User and password may be
// percent-encoded. IPv6 hosts in brackets. The port defaults to 1080.
// On failure, `error` says what is wrong (without the password).
[[nodiscard]] std::optional<ProxySpec> parse_proxy_url(std::string_view url, std::string& error);

// The proxy of amule.conf, or nullopt when it is not enabled. Credentials
// only when ProxyEnablePassword=1, as aMule does.
[[nodiscard]] std::optional<ProxySpec> proxy_from_settings(const config::ProxySettings& settings);

[[nodiscard]] const char* scheme_of(config::ProxyType type);

}  // namespace mulenet::proxy
