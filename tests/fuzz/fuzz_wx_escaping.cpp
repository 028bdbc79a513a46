// wxFileConfig's escaping (config/wx_escaping.hpp). Properties, for any bytes:
// unescape_value(escape_value(x)) == x and unescape_name(escape_name(x)) == x;
// an escaped value stays on one line and does not start with a blank (the
// reader skips those); an escaped name has no bare '=', bracket, comment
// character or blank. (A line break in a name stays a line break after its
// backslash, as in wxFileConfig: names with line breaks cannot be written.)
// The unescaping functions also take arbitrary text without crashing.
// ctest: -runs=100000 -max_len=256
#include <string>
#include <string_view>

#include "config/wx_escaping.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::config;

namespace {

// Whether `c` appears in `escaped` other than right after a backslash escape.
bool has_unescaped(std::string_view escaped, std::string_view chars)
{
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\\') {
      ++i;
      continue;
    }
    if (chars.find(escaped[i]) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view x = mulenet::fuzz::text(data, size);

  const std::string value = escape_value(x);
  FUZZ_CHECK(unescape_value(value) == x, "unescape_value(escape_value(x)) == x");
  FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos, "an escaped value stays on one line");
  FUZZ_CHECK(value.empty() || !is_wx_space(value.front()), "an escaped value does not start with a blank");

  const std::string name = escape_name(x);
  FUZZ_CHECK(unescape_name(name) == x, "unescape_name(escape_name(x)) == x");
  FUZZ_CHECK(!has_unescaped(name, std::string_view("=[]#; \t\v\f\r\n", 12)),
             "an escaped name has no bare '=', brackets, comment characters or blanks");

  // Arbitrary text: no crash, and unescaping never grows the text.
  FUZZ_CHECK(unescape_value(x).size() <= x.size(), "unescaping a value never adds bytes");
  FUZZ_CHECK(unescape_name(x).size() <= x.size(), "unescaping a name never adds bytes");
  return 0;
}
