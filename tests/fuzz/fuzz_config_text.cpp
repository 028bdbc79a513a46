// What refuses an amule.conf that is not one (config/ini_text_check.hpp), and
// what `config set` checks about a key (config/key_path_check.hpp).
// Properties, for any bytes:
// - is_utf8 agrees with a decoder written differently (code point by code
//   point, from the Unicode table of well-formed sequences); escaping makes
//   any bytes UTF-8, and unescaping gives them back exactly;
// - check_ini_text names a line that exists, and a NUL byte is always refused;
// - a key path accepted by key_path_problem has a group and a key, no '=',
//   '[', ']' or control character, and is UTF-8;
// - nearest_known_key only ever suggests a key mulenet knows.
// ctest: -runs=50000 -max_len=512
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/ini_text_check.hpp"
#include "config/key_catalog.hpp"
#include "config/key_path_check.hpp"
#include "fuzz_check.hpp"
#include "net/utf8.hpp"

using namespace mulenet::config;

namespace {

// Well-formed UTF-8 by decoding: the code point's value decides the length it
// must have, so overlongs, surrogates and values past U+10FFFF are refused.
bool decodes_as_utf8(std::string_view s)
{
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) { n = 1; cp = b0; }
    else if ((b0 & 0xE0) == 0xC0) { n = 2; cp = b0 & 0x1Fu; }
    else if ((b0 & 0xF0) == 0xE0) { n = 3; cp = b0 & 0x0Fu; }
    else if ((b0 & 0xF8) == 0xF0) { n = 4; cp = b0 & 0x07u; }
    else return false;
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<std::uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    const std::size_t needed = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (needed != n || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FUZZ_CHECK(mulenet::net::is_utf8(text) == decodes_as_utf8(text), "is_utf8 agrees with a reference decoder");
  const std::string escaped = mulenet::net::escape_invalid_utf8(text);
  FUZZ_CHECK(decodes_as_utf8(escaped), "escaped text is UTF-8");
  FUZZ_CHECK(mulenet::net::unescape_utf8_bytes(escaped) == text, "the escape is undone exactly");

  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  const auto bad = check_ini_text(text);
  if (bad) FUZZ_CHECK(bad->line >= 1 && bad->line <= lines && !bad->why.empty(), "a refusal names a real line");
  if (text.find('\0') != std::string_view::npos) FUZZ_CHECK(bad.has_value(), "a NUL byte is refused");

  // The first line as a key path.
  const std::string_view path = text.substr(0, std::min(text.find('\n'), text.size()));
  if (!key_path_problem(path)) {
    FUZZ_CHECK(path.size() >= 4 && path.front() == '/' && path.rfind('/') > 0 && path.back() != '/',
               "an accepted path has a group and a key");
    FUZZ_CHECK(path.find_first_of("=[]") == std::string_view::npos, "no '=' or bracket in an accepted path");
    FUZZ_CHECK(std::none_of(path.begin(), path.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
               "no control character in an accepted path");
    FUZZ_CHECK(mulenet::net::is_utf8(path), "an accepted path is UTF-8");
  }
  if (const auto near = nearest_known_key(path)) FUZZ_CHECK(find_key_spec(*near) != nullptr, "suggests known keys only");
  return 0;
}
