#pragma once
// NAT-PMP (RFC 6886) as pure functions: requests to bytes, and one received
// datagram to a Response or a precise error. All numbers are big-endian; the
// router listens on UDP 5351 and multicasts address changes to 224.0.0.1:5350.
//
//   external address  request   00 00                                        2 bytes
//                     response  00 80 RESULT:2 EPOCH:4 ADDRESS:4             12 bytes
//   map UDP / TCP     request   00 OP 00 00 INTERNAL:2 SUGGESTED:2 LIFETIME:4 12 bytes (OP 1 UDP, 2 TCP)
//                     response  00 OP+128 RESULT:2 EPOCH:4 INTERNAL:2 EXTERNAL:2 LIFETIME:4  16 bytes
//   error             response  00 OP+128 RESULT:2 EPOCH:4                   8 bytes, or the full size
//
// A lifetime of 0 deletes the mapping of that protocol and internal port; with
// internal port 0 too it deletes all of the client's mappings (of that protocol
// by the RFC; miniupnpd 2.3.1 deletes those of both protocols).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "portmap/natpmp/natpmp_result.hpp"

namespace mulenet::portmap::natpmp {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Ipv4 = std::array<std::uint8_t, 4>;  // network order

inline constexpr std::uint8_t kVersion = 0;
inline constexpr std::uint16_t kServerPort = 5351;
inline constexpr std::uint16_t kAnnouncePort = 5350;  // 224.0.0.1: unsolicited address responses
inline constexpr std::uint32_t kRecommendedLifetime = 7200;  // RFC 6886 §3.3
inline constexpr std::size_t kExternalAddressRequestSize = 2;
inline constexpr std::size_t kMapRequestSize = 12;
inline constexpr std::size_t kExternalAddressResponseSize = 12;
inline constexpr std::size_t kMapResponseSize = 16;
inline constexpr std::size_t kErrorResponseSize = 8;
inline constexpr std::uint8_t kResponseBit = 0x80;

enum class Opcode : std::uint8_t { external_address = 0, map_udp = 1, map_tcp = 2 };
// The transport of a mapping; its value is the MAP opcode.
enum class Protocol : std::uint8_t { udp = 1, tcp = 2 };

[[nodiscard]] constexpr Opcode map_opcode(Protocol p) { return static_cast<Opcode>(p); }

struct MapRequest {
  Protocol protocol = Protocol::tcp;
  std::uint16_t internal_port = 0;
  std::uint16_t suggested_external_port = 0;  // 0: no preference; sent as 0 when deleting
  std::uint32_t lifetime_seconds = kRecommendedLifetime;  // 0 deletes
};

// Deleting one mapping: lifetime 0, suggested external port 0 (RFC 6886 §3.4).
[[nodiscard]] MapRequest delete_request(Protocol protocol, std::uint16_t internal_port);
// Deleting all of our mappings of `protocol`: internal port, suggested port and lifetime 0.
[[nodiscard]] MapRequest delete_all_request(Protocol protocol);

[[nodiscard]] Bytes encode_external_address_request();
// 12 bytes. A request with lifetime 0 always carries suggested external port 0.
[[nodiscard]] Bytes encode_map_request(const MapRequest& request);

// A response, whichever request it answers. Fields a response of its kind
// does not carry (or that an 8-byte error response leaves out) are zero.
struct Response {
  Opcode opcode = Opcode::external_address;  // the request it answers
  ResultCode result = ResultCode::success;
  std::uint32_t epoch_seconds = 0;  // "seconds since start of epoch": see natpmp_epoch.hpp
  Ipv4 external_address{};          // external-address responses (0.0.0.0 unless success)
  std::uint16_t internal_port = 0;  // map responses
  std::uint16_t external_port = 0;  // map responses: the port the router chose (0 after a delete)
  std::uint32_t lifetime_seconds = 0;  // map responses: the lifetime granted

  [[nodiscard]] bool ok() const { return result == ResultCode::success; }
  [[nodiscard]] bool is_map() const { return opcode != Opcode::external_address; }
  // The protocol of a map response (meaningless for an external-address response).
  [[nodiscard]] Protocol protocol() const { return static_cast<Protocol>(opcode); }
};

// Why a datagram is not a NAT-PMP response we can use.
enum class Errc : std::uint8_t {
  ok = 0,
  too_short,          // fewer bytes than the smallest response of its kind
  wrong_size,         // neither the error size (8) nor the full size of its kind
  wrong_version,      // version byte is not 0 (a PCP reply, e.g. 2, belongs to the PCP codec)
  not_a_response,     // top bit of the opcode clear: a request (ours reflected, or another client's)
  unknown_opcode,     // a response to an opcode we never send (not 0, 1 or 2)
};
[[nodiscard]] std::string_view errc_name(Errc e);

template <typename T>
struct Decoded {
  T value{};                // valid when ok()
  Errc error = Errc::ok;
  std::string detail;       // when failed: what exactly, for humans and logs

  [[nodiscard]] bool ok() const { return error == Errc::ok; }
  [[nodiscard]] explicit operator bool() const { return ok(); }
  static Decoded done(T v) { return {std::move(v), Errc::ok, {}}; }
  static Decoded fail(Errc e, std::string why) { return {T{}, e, std::move(why)}; }
};

// One whole datagram from the router (or from 224.0.0.1:5350). A success
// response must have exactly its size (12 or 16); an error response 8 bytes
// or its full size. Accepts the "unsupported version" response with opcode 0
// instead of 128 that RFC 6886 printed by mistake (erratum 3618) and some
// routers copied.
[[nodiscard]] Decoded<Response> parse_response(ByteView datagram);

// Whether `response` answers `request`: the same protocol, and the same
// internal port when the response carries one (8-byte errors do not).
[[nodiscard]] bool answers(const MapRequest& request, const Response& response);

}  // namespace mulenet::portmap::natpmp
