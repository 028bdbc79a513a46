#pragma once
// UTF-8 as text that leaves mulenet must be: checked, and made valid in a way
// that can be undone. Names and values in amule.conf, server names from
// server.met, what routers and peers say: any of them can hold bytes that are
// not UTF-8 (old aMule wrote Latin-1), and JSON text must be UTF-8 (RFC 8259).
//
// The escape: every byte that is not part of a well-formed sequence becomes
// the code point U+10FF00 + byte (U+10FF80..U+10FFFF, the end of plane 16's
// private use area), and so does every byte of a sequence that already
// encodes one of those code points, so that unescaping gives back exactly the
// bytes there were. Text that is valid UTF-8 without them is left as it is.
#include <cstddef>
#include <string>
#include <string_view>

namespace mulenet::net {

// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
[[nodiscard]] bool is_utf8(std::string_view text);

// The length of the well-formed sequence at `text[at]` (1..4), 0 when none starts there.
[[nodiscard]] std::size_t utf8_sequence_at(std::string_view text, std::size_t at);

// Valid UTF-8 whatever `bytes` holds (see above); `bytes` itself when it was already.
[[nodiscard]] std::string escape_invalid_utf8(std::string_view bytes);
// The bytes escape_invalid_utf8 was given: each U+10FF80..U+10FFFF back to its byte.
[[nodiscard]] std::string unescape_utf8_bytes(std::string_view text);

}  // namespace mulenet::net
