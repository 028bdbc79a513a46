#pragma once
// aMule writes amule.conf through wxFileConfig, which escapes values and key
// names in its own way. These four functions reproduce that escaping so that
// a value we write reads back in aMule exactly as we meant it, and vice versa.
#include <string>
#include <string_view>

namespace mulenet::config {

// The value as the program sees it, from its text after '=' (leading blanks
// already skipped): an opening '"' quotes the value, and \n \r \t \\ \" are
// escapes. Like wxFileConfig, an unknown escape drops both characters.
[[nodiscard]] std::string unescape_value(std::string_view text);

// The text to write after '=': quoted when the value starts with a blank or a
// '"' (otherwise leading blanks would be lost), with \n \r \t \\ escaped.
[[nodiscard]] std::string escape_value(std::string_view value);

// Key and group names: a backslash escapes the next character.
[[nodiscard]] std::string unescape_name(std::string_view text);

// A backslash before every ASCII character that is not alphanumeric and not
// one of  @ _ / - ! . * % ( )  (bytes >= 0x80, i.e. UTF-8, are left alone).
[[nodiscard]] std::string escape_name(std::string_view name);

// wxIsspace in the C locale: space, \t, \n, \v, \f, \r.
[[nodiscard]] constexpr bool is_wx_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace mulenet::config
