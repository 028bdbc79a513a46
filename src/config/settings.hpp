#pragma once
// The typed view of the amule.conf keys mulenet uses, with the defaults of
// aMule's documentation (shared/seeds) filled in for every key that is absent.
#include <cstdint>
#include <string>

namespace mulenet::config {

enum class ProxyType : int { socks5 = 0, socks4 = 1, http = 2, socks4a = 3 };

struct ProxySettings {
  bool enabled = false;                  // [Proxy] ProxyEnableProxy
  ProxyType type = ProxyType::socks5;    // [Proxy] ProxyType
  std::string host;                      // [Proxy] ProxyName
  std::uint16_t port = 1080;             // [Proxy] ProxyPort
  bool use_auth = false;                 // [Proxy] ProxyEnablePassword
  std::string user;                      // [Proxy] ProxyUser
  std::string password;                  // [Proxy] ProxyPassword -- a secret: never print it
  bool strict = false;                   // [mulenet] ProxyStrict

  bool operator==(const ProxySettings&) const = default;
};

struct Settings {
  std::uint16_t tcp_port = 4662;         // [eMule] Port
  std::uint16_t udp_port = 4672;         // [eMule] UDPPort (Kad + extended eMule)
  bool udp_enabled = true;               // [eMule] UDPEnable
  std::string bind_address;              // [eMule] Address (empty: all interfaces)
  bool upnp_enabled = false;             // [eMule] UPnPEnabled (master switch)
  std::uint16_t upnp_tcp_port = 50000;   // [eMule] UPnPTCPPort (control point, never forwarded)

  bool ec_enabled = false;               // [ExternalConnect] AcceptExternalConnections
  std::uint16_t ec_port = 4712;          // [ExternalConnect] ECPort
  bool upnp_ec_enabled = false;          // [ExternalConnect] UPnPECEnabled
  std::string ec_address;                // [ExternalConnect] ECAddress (empty: all interfaces)
  std::string ec_password_md5;           // [ExternalConnect] ECPassword -- a secret: never print it

  bool web_enabled = false;              // [WebServer] Enabled
  std::uint16_t web_port = 4711;         // [WebServer] Port
  bool upnp_web_enabled = false;         // [WebServer] UPnPWebServerEnabled

  std::string web_password_md5;         // [WebServer] Password -- a secret: never print it

  ProxySettings proxy;

  // `mulenet run`'s status page and JSON API (never forwarded).
  std::string status_address = "127.0.0.1";  // [mulenet] StatusAddress
  std::uint16_t status_port = 4715;          // [mulenet] StatusPort

  // Kad checks (seconds): a node that exchanged UDP with our Kad port this
  // recently is not asked for the UDP test (a firewall or NAT may still hold
  // the flow); one that checked us this recently is not asked again (amuled
  // would answer from its earlier check).
  std::int64_t kad_udp_flow_window_s = 600;  // [mulenet] KadUdpFlowWindow
  std::int64_t kad_recheck_window_s = 300;   // [mulenet] KadRecheckWindow

  // After this many minutes without traffic, an empty OP_OFFERFILES to the
  // eD2k server (aMule's keep-alive); 0: none, aMule's default.
  std::int64_t server_keep_alive_min = 0;  // [eMule] ServerKeepAliveTimeout

  // The eD2k server UDP socket is always the TCP port + 3 (aMule's Port+3 rule).
  [[nodiscard]] std::uint32_t server_udp_port() const { return std::uint32_t{tcp_port} + 3; }

  // Equal: nothing mulenet reads from amule.conf differs (`mulenet run` on SIGHUP).
  bool operator==(const Settings&) const = default;
};

[[nodiscard]] const char* to_string(ProxyType type);     // "socks5", ... (URL schemes, JSON)
[[nodiscard]] const char* display_name(ProxyType type);  // "SOCKS5", ... (for people)

}  // namespace mulenet::config
