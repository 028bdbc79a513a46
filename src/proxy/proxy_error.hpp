#pragma once
// Why a connection through (or around) the proxy failed, as stable codes a
// script can match, each with a message naming the cause and the fix.
#include <string_view>
#include <system_error>

namespace mulenet::proxy {

enum class ProxyErrc {
  proxy_unreachable = 1,       // TCP to the proxy failed (refused, no route)
  proxy_name_unresolved,       // the proxy's host name did not resolve
  proxy_timeout,               // the proxy did not answer in time
  proxy_closed,                // the proxy hung up in the middle of the handshake
  no_acceptable_auth,          // none of the offered methods suits the proxy
  auth_failed,                 // user name / password (or SOCKS4 user ID) rejected
  not_allowed,                 // the proxy's rules forbid this connection
  target_refused,              // the target refused the connection
  target_unreachable,          // the proxy could not reach the target
  request_rejected,            // SOCKS4 code 91: rejected or failed, it does not say which
  address_type_not_supported,  // the proxy does not take this kind of address (IPv6, names)
  command_not_supported,       // the proxy does not know the command
  udp_not_supported,           // the proxy cannot carry UDP (no UDP ASSOCIATE)
  protocol_violation,          // the proxy's answer is not valid protocol
  proxy_failure,               // the proxy reports a general failure
  refused_by_strict_mode,      // strict mode: this traffic would not go through the proxy
  udp_association_lost,        // the UDP association's control connection closed
  port_not_allowed,            // the proxy's rules allow only some target ports (HTTP proxies: often 443 only)
};

[[nodiscard]] const std::error_category& proxy_category() noexcept;
[[nodiscard]] std::error_code make_error_code(ProxyErrc e) noexcept;

// "auth-failed", ...: the stable code of the public contract (JSON "code").
[[nodiscard]] std::string_view code_name(ProxyErrc e) noexcept;
// What to do about it, one or two sentences naming the settings involved.
[[nodiscard]] std::string_view fix_for(ProxyErrc e) noexcept;

}  // namespace mulenet::proxy

template <>
struct std::is_error_code_enum<mulenet::proxy::ProxyErrc> : std::true_type {};
