#pragma once
// SSDP (UPnP Device Architecture 1.1 §1): the M-SEARCH we multicast (or
// unicast to the gateway) to find the router, and the datagrams that come
// back: a search response ("HTTP/1.1 200 OK") or an announcement ("NOTIFY *
// HTTP/1.1", ssdp:alive / ssdp:byebye / ssdp:update). The header block is
// parsed by Boost.Beast's HTTP parser; header names are case-insensitive.
//
// A datagram says where the description is (LOCATION); nothing in it is
// trusted: url_guard.hpp decides whether that LOCATION may be fetched.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "portmap/upnp/codec_result.hpp"

namespace mulenet::portmap::upnp::ssdp {

inline constexpr std::string_view kMulticastAddress = "239.255.255.250";
inline constexpr std::uint16_t kPort = 1900;
inline constexpr std::size_t kMaxDatagramBytes = 8 * 1024;
inline constexpr std::size_t kMaxHeaderFields = 48;  // miniupnpd sends 11, 12 with NOTIFY

// Search targets (ST) a port mapper asks for.
namespace st {
inline constexpr std::string_view kAll = "ssdp:all";
inline constexpr std::string_view kRootDevice = "upnp:rootdevice";
inline constexpr std::string_view kIgd1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
inline constexpr std::string_view kIgd2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";
inline constexpr std::string_view kWanIpConnection1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
inline constexpr std::string_view kWanIpConnection2 = "urn:schemas-upnp-org:service:WANIPConnection:2";
inline constexpr std::string_view kWanPppConnection1 = "urn:schemas-upnp-org:service:WANPPPConnection:1";
}  // namespace st

// "M-SEARCH * HTTP/1.1" with HOST 239.255.255.250:1900, MAN "ssdp:discover",
// MX and ST (the same bytes go to the multicast group and, unicast, to the
// gateway). MX is clamped to 1..5 s (UDA 1.1). nullopt when the search target
// is empty, longer than 256 bytes, or contains a control character.
[[nodiscard]] std::optional<std::string> encode_m_search(std::string_view search_target, unsigned mx_seconds);

enum class MessageKind { search_response, notify };
enum class NotifySubtype { none, alive, byebye, update, other };

struct Message {
  MessageKind kind = MessageKind::search_response;
  NotifySubtype nts = NotifySubtype::none;  // NOTIFY only
  std::string location;                     // LOCATION, as sent (check it with url_guard)
  std::string target;                       // ST of a response, NT of a NOTIFY
  std::string usn;                          // USN: "uuid:...::urn:..."
  std::string server;                       // SERVER: "OS/1.0 UPnP/1.1 MiniUPnPd/2.3.1"
  std::optional<std::uint32_t> max_age;     // CACHE-CONTROL max-age, seconds
  std::optional<std::uint32_t> boot_id;     // BOOTID.UPNP.ORG: changes when the device reboots
  std::optional<std::uint32_t> config_id;   // CONFIGID.UPNP.ORG: changes with its description
};

// One received datagram. Fails with
//   too_large      over kMaxDatagramBytes or kMaxHeaderFields;
//   malformed      not an HTTP header block (Beast's reason in the detail);
//   unexpected     valid HTTP but neither a 200 response nor "NOTIFY *"
//                  (other control points' M-SEARCHes arrive on the same
//                  multicast socket);
//   missing_field  no LOCATION (a NOTIFY byebye needs only a USN).
// Tolerated, as seen in the field: a missing final empty line, bare LF line
// endings, "max-age = 1800", "HTTP/1.0 200 OK".
[[nodiscard]] Parsed<Message> parse_datagram(std::string_view datagram);

}  // namespace mulenet::portmap::upnp::ssdp
