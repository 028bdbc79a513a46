#include "config/key_catalog.hpp"

#include <array>
#include <cctype>
#include <charconv>

#include "config/ini_document.hpp"
#include "config/wx_escaping.hpp"

namespace mulenet::config {
namespace {

constexpr std::array kKeys{
    KeySpec{"/eMule/Port", KeyType::port, "4662", "TCP port for eD2k clients; must be reachable for a High ID"},
    KeySpec{"/eMule/UDPPort", KeyType::port, "4672", "UDP port for Kad and the extended eMule protocol"},
    KeySpec{"/eMule/UDPEnable", KeyType::boolean, "1", "1 = the Kad/extended UDP port is used (Kad needs it)"},
    KeySpec{"/eMule/Address", KeyType::text, "", "local address to bind to (empty = all)"},
    KeySpec{"/eMule/ServerKeepAliveTimeout", KeyType::minutes, "0",
            "minutes without traffic after which an empty file offer keeps the eD2k server connection (and the "
            "router's entry for it) alive; 0 = off"},
    KeySpec{"/eMule/UPnPEnabled", KeyType::boolean, "0", "1 = UPnP forwards the eD2k TCP port, TCP+3 and the UDP port"},
    KeySpec{"/eMule/UPnPTCPPort", KeyType::port, "50000", "local port of the UPnP control point (never forwarded)"},
    KeySpec{"/ExternalConnect/AcceptExternalConnections", KeyType::boolean, "0", "1 = the EC port accepts amulecmd/amulegui"},
    KeySpec{"/ExternalConnect/ECPort", KeyType::port, "4712", "External Connections (EC) TCP port"},
    KeySpec{"/ExternalConnect/ECAddress", KeyType::text, "", "local address EC listens on (empty = all)"},
    KeySpec{"/ExternalConnect/UPnPECEnabled", KeyType::boolean, "0", "1 = UPnP also forwards the EC port (needs UPnPEnabled=1)"},
    KeySpec{"/ExternalConnect/ECPassword", KeyType::secret, "", "MD5 of the EC password"},
    KeySpec{"/WebServer/Enabled", KeyType::boolean, "0", "1 = amuleweb serves the web interface"},
    KeySpec{"/WebServer/Port", KeyType::port, "4711", "amuleweb web interface TCP port"},
    KeySpec{"/WebServer/UPnPWebServerEnabled", KeyType::boolean, "0", "1 = UPnP forwards the web server port"},
    KeySpec{"/WebServer/Password", KeyType::secret, "", "MD5 of the web admin password"},
    KeySpec{"/WebServer/PasswordLow", KeyType::secret, "", "MD5 of the web guest password"},
    KeySpec{"/Proxy/ProxyEnableProxy", KeyType::boolean, "0", "1 = outgoing connections go through the proxy"},
    KeySpec{"/Proxy/ProxyType", KeyType::proxy_type, "0", "0 = SOCKS5, 1 = SOCKS4, 2 = HTTP, 3 = SOCKS4a"},
    KeySpec{"/Proxy/ProxyName", KeyType::text, "", "proxy host name or IP address"},
    KeySpec{"/Proxy/ProxyPort", KeyType::port, "1080", "proxy port"},
    KeySpec{"/Proxy/ProxyEnablePassword", KeyType::boolean, "0", "1 = log in to the proxy with user and password"},
    KeySpec{"/Proxy/ProxyUser", KeyType::text, "", "proxy user name (SOCKS4/4a: the user ID)"},
    KeySpec{"/Proxy/ProxyPassword", KeyType::secret, "", "proxy password (stored in clear by aMule)"},
    KeySpec{"/mulenet/ProxyStrict", KeyType::boolean, "0", "1 = nothing leaves the host except through the proxy"},
    KeySpec{"/mulenet/KadUdpFlowWindow", KeyType::seconds, "600",
            "seconds: a Kad node that exchanged UDP with our Kad port this recently is not asked for the UDP test "
            "(longer than the firewall's and router's UDP timeouts)"},
    KeySpec{"/mulenet/KadRecheckWindow", KeyType::seconds, "300",
            "seconds: a Kad node that checked our ports this recently is not asked to check them again"},
    KeySpec{"/mulenet/StatusAddress", KeyType::text, "127.0.0.1",
            "where `mulenet run` serves its status page and API (off loopback it needs /WebServer/Password)"},
    KeySpec{"/mulenet/StatusPort", KeyType::port, "4715", "TCP port of `mulenet run`'s status page and API"},
};

}  // namespace

std::span<const KeySpec> known_keys() { return kKeys; }

const KeySpec* find_key_spec(std::string_view path)
{
  const auto wanted = parse_key_path(path);
  if (!wanted) return nullptr;
  // The catalog's paths are written canonically ("/Section/Key", the unit
  // tests hold them to it): compared as text, no parse per entry.
  const std::string canonical = wanted->str();
  for (const KeySpec& spec : kKeys)
    if (names_equal(spec.path, canonical)) return &spec;
  return nullptr;
}

bool is_secret_key(std::string_view path)
{
  const KeySpec* spec = find_key_spec(path);
  if (spec != nullptr) return spec->type == KeyType::secret;
  // Unknown keys that look like passwords are treated as secrets too.
  const auto kp = parse_key_path(path);
  if (!kp) return false;
  std::string lower;
  for (const char c : kp->key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("password") != std::string::npos || lower.find("passwd") != std::string::npos;
}

std::optional<long long> parse_config_integer(std::string_view text)
{
  while (!text.empty() && is_wx_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_wx_space(text.back())) text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string mask_secret(std::string_view value) { return value.empty() ? std::string{} : std::string("********"); }

}  // namespace mulenet::config
