#pragma once
// The 96-bit mapping nonce of PCP MAP requests (RFC 6887 §11.1). A mapping
// is bound to its nonce: renewals and the delete must carry the same one (a
// delete with another nonce is refused with NOT_AUTHORIZED by miniupnpd), so
// the mapper keeps it, also across restarts, in its journal as hex.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::portmap::pcp {

using Nonce = std::array<std::uint8_t, 12>;

// 12 random bytes from the kernel (net::random_bytes); nullopt if the generator fails.
[[nodiscard]] std::optional<Nonce> make_nonce();

// 24 lowercase hex digits.
[[nodiscard]] std::string nonce_to_hex(const Nonce& nonce);
// Exactly 24 hex digits, either case, nothing else; nullopt otherwise.
[[nodiscard]] std::optional<Nonce> nonce_from_hex(std::string_view hex);

}  // namespace mulenet::portmap::pcp
