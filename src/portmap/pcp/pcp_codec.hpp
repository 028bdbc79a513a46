#pragma once
// PCP (RFC 6887) as pure functions: ANNOUNCE and MAP requests to bytes, and
// one received datagram to a Response or a precise error. Big-endian; the
// router listens on UDP 5351 and multicasts unsolicited ANNOUNCE responses
// (after a restart) to 224.0.0.1:5350. Addresses are 16 bytes, an IPv4
// address as IPv4-mapped IPv6 (::ffff:a.b.c.d).
//
//   request header   VERSION=2 R=0|OPCODE:7 RESERVED:2 LIFETIME:4 CLIENT-ADDRESS:16   24 bytes
//   response header  VERSION=2 R=1|OPCODE:7 RESERVED:1 RESULT:1 LIFETIME:4 EPOCH:4 RESERVED:12   24 bytes
//   MAP body         NONCE:12 PROTOCOL:1 RESERVED:3 INTERNAL-PORT:2 EXTERNAL-PORT:2 EXTERNAL-ADDRESS:16   36 bytes
//                    (request: suggested external port/address; response: assigned ones)
//   option           CODE:1 RESERVED:1 LENGTH:2 DATA:LENGTH, padded with zeros to a multiple of 4
//
// A message is at most 1100 bytes and a multiple of 4. miniupnpd answers by
// rewriting the request in place, so its responses carry our options back.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "portmap/pcp/pcp_nonce.hpp"
#include "portmap/pcp/pcp_result.hpp"

namespace mulenet::portmap::pcp {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Ipv4 = std::array<std::uint8_t, 4>;   // network order
using Ipv6 = std::array<std::uint8_t, 16>;  // network order

inline constexpr std::uint8_t kVersion = 2;
inline constexpr std::uint16_t kServerPort = 5351;
inline constexpr std::uint16_t kAnnouncePort = 5350;  // 224.0.0.1 / ff02::1: unsolicited ANNOUNCE
inline constexpr std::size_t kHeaderSize = 24;
inline constexpr std::size_t kMapBodySize = 36;
inline constexpr std::size_t kOptionHeaderSize = 4;
inline constexpr std::size_t kMaxMessageSize = 1100;
inline constexpr std::uint8_t kResponseBit = 0x80;

enum class Opcode : std::uint8_t { announce = 0, map = 1, peer = 2 };
// IANA protocol numbers; 0 means all protocols (only with internal port 0).
enum class Protocol : std::uint8_t { all = 0, tcp = 6, udp = 17 };
enum class OptionCode : std::uint8_t { third_party = 1, prefer_failure = 2, filter = 3 };

// ::ffff:a.b.c.d
[[nodiscard]] Ipv6 ipv4_mapped(const Ipv4& address);
// a.b.c.d of ::ffff:a.b.c.d; nullopt for any other address.
[[nodiscard]] std::optional<Ipv4> unmapped_ipv4(const Ipv6& address);
// "No preference" for the suggested external address (RFC 6887 §5: the
// address-family-specific all-zeros address).
inline constexpr Ipv6 kAnyIpv4 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0};  // ::ffff:0.0.0.0
inline constexpr Ipv6 kAnyIpv6 = {};                                                     // ::

// 24 bytes: version 2, opcode 0, lifetime 0. `client` is the address the
// router sees the request come from (else ADDRESS_MISMATCH).
[[nodiscard]] Bytes encode_announce_request(const Ipv6& client);

struct MapRequest {
  Nonce nonce{};  // the same for every request about this mapping, renewals and the delete included
  Protocol protocol = Protocol::tcp;
  std::uint16_t internal_port = 0;
  std::uint16_t suggested_external_port = 0;  // 0: no preference
  Ipv6 suggested_external_address = kAnyIpv4;  // kAnyIpv4 / kAnyIpv6: no preference
  std::uint32_t lifetime_seconds = 7200;  // 0 deletes
  Ipv6 client{};  // our address as the router sees it (IPv4-mapped for IPv4)
  // Adds the PREFER_FAILURE option: the suggested port or an error instead of
  // another port. Many routers ignore it or refuse it with UNSUPP_OPTION, and
  // miniupnpd 2.3.1 may grant another port anyway: always check the port in
  // the response. Needs a suggested port (else MALFORMED_OPTION).
  bool prefer_failure = false;
};
// 60 bytes, 64 with PREFER_FAILURE.
[[nodiscard]] Bytes encode_map_request(const MapRequest& request);

struct Option {
  std::uint8_t code = 0;  // 0..127 mandatory to understand, 128..255 optional
  Bytes data;             // without the padding
};

// The MAP part of a response: the assigned mapping.
struct MapResult {
  Nonce nonce{};                     // must equal the request's (see answers())
  std::uint8_t protocol = 0;         // as received (6 TCP, 17 UDP, ...)
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;   // assigned (miniupnpd: the request's suggestion, 0, on a delete)
  Ipv6 external_address{};           // assigned

  [[nodiscard]] std::optional<Ipv4> external_ipv4() const { return unmapped_ipv4(external_address); }
};

struct Response {
  Opcode opcode = Opcode::announce;  // the request it answers
  ResultCode result = ResultCode::success;
  // Success: the lifetime granted. Error: how long the same request will get
  // the same error (RFC 6887 §7.2).
  std::uint32_t lifetime_seconds = 0;
  std::uint32_t epoch_seconds = 0;  // see pcp_epoch.hpp
  // MAP responses: always on success; on an error when the router echoed the
  // body (a whole-size error reply), else empty.
  std::optional<MapResult> map;
  std::vector<Option> options;  // in order, as received

  [[nodiscard]] bool ok() const { return result == ResultCode::success; }
  [[nodiscard]] bool has_option(OptionCode code) const;
};

// Why a datagram is not a PCP response we can use.
enum class Errc : std::uint8_t {
  ok = 0,
  too_short,            // under 24 bytes, or a MAP success without its 36-byte body
  too_long,             // over 1100 bytes
  not_multiple_of_4,    // RFC 6887: every message is a multiple of 4 bytes
  natpmp_only,          // a NAT-PMP reply (version 0, at most 16 bytes): fall back to NAT-PMP
  unsupported_version,  // a version other than 2 (1 is the pre-RFC draft); or a version-0 reply too
                        // long for NAT-PMP (miniupnpd's answer to a request it could not parse)
  not_a_response,       // R bit clear: a request
  unknown_opcode,       // a response to an opcode we never send (PEER included)
  malformed_option,     // an option runs past the end, or has the wrong length for its code
};
[[nodiscard]] std::string_view errc_name(Errc e);

template <typename T>
struct Decoded {
  T value{};              // valid when ok()
  Errc error = Errc::ok;
  std::string detail;     // when failed: what exactly, for humans and logs
  std::uint8_t version = 0;  // the version byte received (when there was one)

  [[nodiscard]] bool ok() const { return error == Errc::ok; }
  [[nodiscard]] explicit operator bool() const { return ok(); }
  static Decoded done(T v) { return {std::move(v), Errc::ok, {}, 2}; }
  static Decoded fail(Errc e, std::string why, std::uint8_t v = 0) { return {T{}, e, std::move(why), v}; }
};

// One whole datagram from the router (or from 224.0.0.1:5350). Options are
// walked to the end (at most 1100/4 of them) and kept, those of RFC 6887
// checked for their length; unknown ones are kept as they are.
[[nodiscard]] Decoded<Response> parse_response(ByteView datagram);

// Whether `response` is the answer to `request` (RFC 6887 §11.3): a MAP
// response with the same nonce, protocol and internal port.
[[nodiscard]] bool answers(const MapRequest& request, const Response& response);

}  // namespace mulenet::portmap::pcp
