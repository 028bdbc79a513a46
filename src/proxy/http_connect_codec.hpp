#pragma once
// HTTP CONNECT (RFC 9110 §9.3.6) with Basic proxy authentication, as pure
// functions. The reply's status line and headers are parsed by Boost.Beast's
// HTTP parser; `consumed` is the header's size, so bytes the proxy sent after
// it (the start of the tunnelled stream) are kept by the caller.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/parse_result.hpp"
#include "proxy/target.hpp"

namespace mulenet::proxy::http_connect {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

struct Credentials {
  std::string user;
  std::string password;
};

// nullopt when the target or credentials contain CR, LF or NUL (header injection).
[[nodiscard]] std::optional<Bytes> encode_request(const Target& target, const std::optional<Credentials>& credentials);

struct Reply {
  unsigned status = 0;
  std::string reason;
};
// need_more until the whole header is in; complete for a 2xx; failed with a
// mapped error otherwise (407 -> auth, 403 -> not allowed, 502/503/504 ->
// target, garbage -> protocol violation). Headers beyond 16 KiB fail.
[[nodiscard]] Parsed<Reply> parse_reply(ByteView in, bool sent_credentials);

inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

}  // namespace mulenet::proxy::http_connect
