#pragma once
// SOCKS4 and SOCKS4a as pure functions.
//
//   request  04 CMD DSTPORT(2, big-endian) DSTIP(4) USERID 00 [HOSTNAME 00]
//   reply    00 CD DSTPORT(2) DSTIP(4)      CD: 90 granted, 91 rejected/failed,
//                                           92 no identd, 93 user ID mismatch
// SOCKS4a sends DSTIP 0.0.0.1 and the host name after the user ID, for the
// proxy to resolve. SOCKS4 has no password: only the user ID is sent.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "proxy/parse_result.hpp"
#include "proxy/target.hpp"

namespace mulenet::proxy::socks4 {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// CONNECT to an IPv4 address (SOCKS4).
[[nodiscard]] Bytes encode_connect(const Ipv4& address, std::uint16_t port, std::string_view user_id);
// CONNECT to a name resolved by the proxy (SOCKS4a); nullopt for an empty
// name or one with a NUL byte.
[[nodiscard]] std::optional<Bytes> encode_connect_4a(std::string_view host, std::uint16_t port,
                                                     std::string_view user_id);
// The 8-byte reply; fails with the mapped error for codes 91-93 and anything else.
[[nodiscard]] Parsed<bool> parse_reply(ByteView in);

}  // namespace mulenet::proxy::socks4
