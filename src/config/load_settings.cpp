#include "config/load_settings.hpp"

#include "config/key_catalog.hpp"

namespace mulenet::config {
namespace {

std::optional<long long> valid_number(const IniDocument& doc, std::string_view path, long long lo, long long hi)
{
  const auto kp = parse_key_path(path);
  const auto raw = doc.get(kp->section, kp->key);
  if (!raw) return std::nullopt;
  const auto n = parse_config_integer(*raw);
  if (!n || *n < lo || *n > hi) return std::nullopt;
  return n;
}

long long number_or_default(const IniDocument& doc, std::string_view path, long long lo, long long hi)
{
  if (const auto n = valid_number(doc, path, lo, hi)) return *n;
  return *parse_config_integer(find_key_spec(path)->default_value);
}

std::uint16_t port(const IniDocument& doc, std::string_view path)
{
  return static_cast<std::uint16_t>(number_or_default(doc, path, 1, 65535));
}

bool flag(const IniDocument& doc, std::string_view path) { return number_or_default(doc, path, 0, 1) != 0; }

}  // namespace

std::string value_or_default(const IniDocument& doc, std::string_view path)
{
  if (const auto kp = parse_key_path(path)) {
    if (auto raw = doc.get(kp->section, kp->key)) return *raw;
  }
  if (const KeySpec* spec = find_key_spec(path)) return std::string(spec->default_value);
  return {};
}

Settings load_settings(const IniDocument& doc)
{
  Settings s;
  s.tcp_port = static_cast<std::uint16_t>(number_or_default(doc, "/eMule/Port", 1, 65532));
  s.udp_port = port(doc, "/eMule/UDPPort");
  s.udp_enabled = flag(doc, "/eMule/UDPEnable");
  s.bind_address = value_or_default(doc, "/eMule/Address");
  s.server_keep_alive_min = number_or_default(doc, "/eMule/ServerKeepAliveTimeout", 0, kMaxMinutes);
  s.upnp_enabled = flag(doc, "/eMule/UPnPEnabled");
  s.upnp_tcp_port = port(doc, "/eMule/UPnPTCPPort");
  s.ec_enabled = flag(doc, "/ExternalConnect/AcceptExternalConnections");
  s.ec_port = port(doc, "/ExternalConnect/ECPort");
  s.upnp_ec_enabled = flag(doc, "/ExternalConnect/UPnPECEnabled");
  s.ec_address = value_or_default(doc, "/ExternalConnect/ECAddress");
  s.ec_password_md5 = value_or_default(doc, "/ExternalConnect/ECPassword");
  s.web_enabled = flag(doc, "/WebServer/Enabled");
  s.web_port = port(doc, "/WebServer/Port");
  s.upnp_web_enabled = flag(doc, "/WebServer/UPnPWebServerEnabled");
  s.web_password_md5 = value_or_default(doc, "/WebServer/Password");
  s.status_address = value_or_default(doc, "/mulenet/StatusAddress");
  s.status_port = port(doc, "/mulenet/StatusPort");
  s.proxy.enabled = flag(doc, "/Proxy/ProxyEnableProxy");
  s.proxy.type = static_cast<ProxyType>(number_or_default(doc, "/Proxy/ProxyType", 0, 3));
  s.proxy.host = value_or_default(doc, "/Proxy/ProxyName");
  s.proxy.port = port(doc, "/Proxy/ProxyPort");
  s.proxy.use_auth = flag(doc, "/Proxy/ProxyEnablePassword");
  s.proxy.user = value_or_default(doc, "/Proxy/ProxyUser");
  s.proxy.password = value_or_default(doc, "/Proxy/ProxyPassword");
  s.proxy.strict = flag(doc, "/mulenet/ProxyStrict");
  s.kad_udp_flow_window_s = number_or_default(doc, "/mulenet/KadUdpFlowWindow", 1, kMaxWindowSeconds);
  s.kad_recheck_window_s =
      number_or_default(doc, "/mulenet/KadRecheckWindow", kMinRecheckWindowSeconds, kMaxWindowSeconds);
  return s;
}

}  // namespace mulenet::config
