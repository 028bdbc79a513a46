#pragma once
// GENA eventing (UDA §4): subscribing to the WAN service's state variables
// so the router tells us when ExternalIPAddress, ConnectionStatus or
// PortMappingNumberOfEntries change (a flushed or rebooted router shows up
// in seconds instead of at the next poll), and the NOTIFY body it then
// posts to our callback.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portmap/upnp/codec_result.hpp"
#include "portmap/upnp/soap_request.hpp"
#include "portmap/upnp/url_guard.hpp"

namespace mulenet::portmap::upnp::gena {

inline constexpr std::uint32_t kDefaultTimeoutSeconds = 1800;
inline constexpr std::size_t kMaxResponseHeaderBytes = 8 * 1024;
inline constexpr std::size_t kMaxEventBytes = 64 * 1024;
inline constexpr std::size_t kMaxEventDepth = 8;
inline constexpr std::size_t kMaxVariables = 64;

// "SUBSCRIBE /evt/IPConn HTTP/1.1" with HOST, CALLBACK: <http://ip:port/path>
// (our own listener), NT: upnp:event, TIMEOUT: Second-N. nullopt when the
// callback's host is not an address literal.
[[nodiscard]] std::optional<std::string> encode_subscribe(const HttpUrl& event_url, const HttpUrl& callback,
                                                          std::uint32_t timeout_seconds = kDefaultTimeoutSeconds);
// Renewal: SUBSCRIBE with SID and TIMEOUT only. nullopt for a SID that is
// empty, over 256 bytes or has control characters.
[[nodiscard]] std::optional<std::string> encode_renewal(const HttpUrl& event_url, std::string_view sid,
                                                        std::uint32_t timeout_seconds = kDefaultTimeoutSeconds);
[[nodiscard]] std::optional<std::string> encode_unsubscribe(const HttpUrl& event_url, std::string_view sid);

struct Subscription {
  std::string sid;  // "uuid:6d756c65-..."
  // The duration granted; nullopt for "Second-infinite" or no TIMEOUT at
  // all (then renew on the schedule asked for).
  std::optional<std::uint32_t> timeout_seconds;
};

// The router's answer to SUBSCRIBE (or a renewal): its status line and
// headers (a body, if any, is ignored). Fails: malformed (not HTTP),
// too_large (header over 8 KiB), unexpected (not 200: 412 Precondition
// Failed is what a renewal of a forgotten SID gets; subscribe again),
// missing_field (no SID).
[[nodiscard]] Parsed<Subscription> parse_subscribe_response(std::string_view http_response);

// A NOTIFY's body: <e:propertyset><e:property><Name>value</Name></e:property>...
struct Event {
  std::vector<soap::Argument> variables;  // name -> value, in order

  [[nodiscard]] const std::string* variable(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> external_ip_address() const;
  [[nodiscard]] std::optional<std::string> connection_status() const;
  [[nodiscard]] std::optional<std::uint32_t> port_mapping_number_of_entries() const;
};

// Fails: too_large, malformed (not XML, no propertyset root).
[[nodiscard]] Parsed<Event> parse_event_body(std::string_view xml_body);

}  // namespace mulenet::portmap::upnp::gena
