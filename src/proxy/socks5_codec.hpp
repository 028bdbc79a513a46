#pragma once
// SOCKS5 (RFC 1928) and its username/password login (RFC 1929), as pure
// functions: requests to bytes, and replies from all bytes received so far.
//
//   greeting      05 NMETHODS METHODS...            -> 05 METHOD
//   login         01 ULEN USER PLEN PASS            -> 01 STATUS
//   request       05 CMD 00 ATYP DST.ADDR DST.PORT  -> 05 REP 00 ATYP BND.ADDR BND.PORT
//   UDP datagram  00 00 FRAG ATYP DST.ADDR DST.PORT DATA
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "proxy/parse_result.hpp"
#include "proxy/target.hpp"

namespace mulenet::proxy::socks5 {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline constexpr std::uint8_t kMethodNoAuth = 0x00;
inline constexpr std::uint8_t kMethodUserPass = 0x02;
inline constexpr std::uint8_t kMethodNoneAcceptable = 0xFF;

enum class Command : std::uint8_t { connect = 1, bind = 2, udp_associate = 3 };

// Offers "no authentication", and username/password when we have them.
[[nodiscard]] Bytes encode_greeting(bool offer_user_pass);
// The method the proxy chose; fails on FF (none acceptable) or a method we did not offer.
[[nodiscard]] Parsed<std::uint8_t> parse_method_reply(ByteView in, bool offered_user_pass);

// nullopt when the user or password is longer than 255 bytes (RFC 1929 limit).
[[nodiscard]] std::optional<Bytes> encode_login(std::string_view user, std::string_view password);
[[nodiscard]] Parsed<bool> parse_login_reply(ByteView in);

// IPv4 and IPv6 targets go as addresses, names as ATYP 3 for the proxy to resolve.
[[nodiscard]] Bytes encode_request(Command cmd, const Target& target);

struct Reply {
  Target bound;  // BND.ADDR:BND.PORT (the UDP relay for UDP ASSOCIATE)
};
// Maps every REP code to a ProxyErrc; `cmd` lets "command not supported"
// for UDP ASSOCIATE become udp_not_supported.
[[nodiscard]] Parsed<Reply> parse_reply(ByteView in, Command cmd);

// UDP relay header (RFC 1928 §7).
[[nodiscard]] Bytes wrap_udp(const Target& destination, ByteView payload);
struct UdpDatagram {
  Target source;      // who sent it, as the relay says
  ByteView payload;   // points into the input
};
// nullopt for a malformed header or a fragment (FRAG != 0, which we drop, as
// nearly every client does).
[[nodiscard]] std::optional<UdpDatagram> unwrap_udp(ByteView datagram);

}  // namespace mulenet::proxy::socks5
