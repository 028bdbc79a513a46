#include "proxy/proxy_error.hpp"

#include <string>

namespace mulenet::proxy {
namespace {

struct Description {
  std::string_view code;
  std::string_view message;
  std::string_view fix;
};

Description describe(ProxyErrc e) noexcept
{
  switch (e) {
    case ProxyErrc::proxy_unreachable:
      return {"proxy-unreachable", "the proxy cannot be reached (connection refused or no route)",
              "Check /Proxy/ProxyName and /Proxy/ProxyPort, and that the proxy is running."};
    case ProxyErrc::proxy_name_unresolved:
      return {"proxy-name-unresolved", "the proxy's host name does not resolve",
              "Check the spelling of /Proxy/ProxyName, or give its IP address."};
    case ProxyErrc::proxy_timeout:
      return {"proxy-timeout", "the proxy did not answer in time",
              "Check that /Proxy/ProxyName and /Proxy/ProxyPort point to a proxy and that no firewall drops the "
              "traffic to it."};
    case ProxyErrc::proxy_closed:
      return {"proxy-closed", "the proxy closed the connection during the handshake",
              "Check /Proxy/ProxyType: the proxy may speak another protocol (SOCKS5, SOCKS4, SOCKS4a or HTTP), or "
              "it rejected the credentials by hanging up."};
    case ProxyErrc::no_acceptable_auth:
      return {"no-acceptable-auth", "the proxy accepts none of the authentication methods offered",
              "If the proxy needs a user name and password, set /Proxy/ProxyEnablePassword=1, /Proxy/ProxyUser and "
              "/Proxy/ProxyPassword."};
    case ProxyErrc::auth_failed:
      return {"auth-failed", "the proxy rejected the user name or password",
              "Check /Proxy/ProxyUser and /Proxy/ProxyPassword (mulenet config set /Proxy/ProxyPassword --stdin)."};
    case ProxyErrc::not_allowed:
      return {"not-allowed", "the proxy's rules do not allow this connection",
              "Ask the proxy's administrator to allow connections to this target and port."};
    case ProxyErrc::target_refused:
      return {"target-refused", "the target refused the connection made by the proxy",
              "The proxy works; the target host is not listening on that port."};
    case ProxyErrc::target_unreachable:
      return {"target-unreachable", "the proxy could not reach the target",
              "The proxy works; the target is down or unreachable from the proxy."};
    case ProxyErrc::request_rejected:
      return {"request-rejected", "the SOCKS4 proxy rejected the request or could not connect (code 91)",
              "The target may be down, or the proxy's rules forbid it; SOCKS5 would say which."};
    case ProxyErrc::address_type_not_supported:
      return {"address-type-not-supported", "the proxy does not accept this kind of address",
              "Use an IPv4 address, or a proxy that supports IPv6 and host names (SOCKS5 or SOCKS4a)."};
    case ProxyErrc::command_not_supported:
      return {"command-not-supported", "the proxy does not support this command",
              "Use a proxy that supports it."};
    case ProxyErrc::udp_not_supported:
      return {"udp-not-supported", "the proxy cannot carry UDP",
              "Kad and server UDP need a SOCKS5 proxy with UDP ASSOCIATE (e.g. dante); otherwise they go direct or, "
              "in strict mode, stay off."};
    case ProxyErrc::protocol_violation:
      return {"protocol-violation", "the proxy's answer does not follow the protocol",
              "Check /Proxy/ProxyType: the proxy probably speaks another protocol."};
    case ProxyErrc::proxy_failure:
      return {"proxy-failure", "the proxy reports a general failure", "See the proxy's own logs."};
    case ProxyErrc::refused_by_strict_mode:
      return {"refused-by-strict-mode", "strict mode: this traffic cannot go through the proxy, so it is not sent",
              "Use a proxy type that carries it (SOCKS5 for UDP), or turn strict mode off: mulenet config set "
              "/mulenet/ProxyStrict 0."};
    case ProxyErrc::port_not_allowed:
      return {"port-not-allowed", "the proxy's rules allow connections only to some ports, not to this one",
              "eD2k needs the servers' ports (4661, ...) and other clients' TCP ports: ask the proxy's administrator "
              "to allow them (Debian's squid allows CONNECT to 443 only: `http_access deny CONNECT !SSL_ports`; add "
              "the ports to SSL_ports), or use a SOCKS5 proxy (/Proxy/ProxyType=0), which carries any port."};
    case ProxyErrc::udp_association_lost:
      return {"udp-association-lost", "the proxy closed the UDP association's control connection",
              "UDP through the proxy is down until it is re-associated; check the proxy's logs and limits."};
  }
  return {"unknown", "unknown proxy error", ""};
}

class ProxyCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mulenet.proxy"; }
  std::string message(int ev) const override { return std::string(describe(static_cast<ProxyErrc>(ev)).message); }
};

}  // namespace

const std::error_category& proxy_category() noexcept
{
  static const ProxyCategory category;  // immutable, as std::generic_category()
  return category;
}

std::error_code make_error_code(ProxyErrc e) noexcept { return {static_cast<int>(e), proxy_category()}; }
std::string_view code_name(ProxyErrc e) noexcept { return describe(e).code; }
std::string_view fix_for(ProxyErrc e) noexcept { return describe(e).fix; }

}  // namespace mulenet::proxy
