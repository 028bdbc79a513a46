#pragma once
// EC's salted-MD5 login, as aMule 2.3.3 computes it on both sides
// (RemoteConnect.cpp ProcessAuthPacket, ExternalConn.cpp Authenticate):
//   hash = MD5( lower-hex(MD5(password)) ‖ lower-hex(MD5( "%lX" of salt )) )
// sent as 16 raw bytes. amule.conf's ECPassword already is lower-hex(MD5(password)),
// so neither side ever needs the password itself.
#include <cstdint>
#include <string>
#include <string_view>

#include "ec/ec_tag.hpp"

namespace mulenet::ec {

// Lowercase hex of the MD5 of `text` (what ECPassword holds for a password).
[[nodiscard]] std::string md5_hex(std::string_view text);

// True when `text` is 32 hex digits (a usable ECPassword).
[[nodiscard]] bool is_md5_hex(std::string_view text);

// The PASSWD_HASH for a salt, from ECPassword (any case).
[[nodiscard]] Hash16 login_hash(std::string_view password_md5_hex, std::uint64_t salt);

// Equal without an early exit (a login check must not leak how much matched).
[[nodiscard]] bool same_hash(const Hash16& a, const Hash16& b);

}  // namespace mulenet::ec
