#pragma once
// Small ASCII helpers shared by the UPnP codecs (header fields, URNs and XML
// text are ASCII where they matter; no locale is ever consulted).
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::portmap::upnp::ascii {

[[nodiscard]] constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

[[nodiscard]] constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

[[nodiscard]] constexpr std::string_view trim(std::string_view s)
{
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

[[nodiscard]] constexpr bool istarts_with(std::string_view s, std::string_view prefix)
{
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// CR, LF, NUL or any other C0 control or DEL: never allowed in a header line
// we write (header injection), nor in a URL.
[[nodiscard]] constexpr bool has_control(std::string_view s)
{
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// A decimal number that fills the whole text, no sign, no spaces.
template <typename Int>
[[nodiscard]] std::optional<Int> parse_decimal(std::string_view s)
{
  if (s.empty() || s.size() > 20 || s.front() < '0' || s.front() > '9') return std::nullopt;
  Int value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Router text for messages and logs: at most `max_bytes`, control characters
// made spaces (a router's fault text never breaks a line or a terminal).
[[nodiscard]] inline std::string printable(std::string_view text, std::size_t max_bytes)
{
  std::string out(text.substr(0, max_bytes));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

}  // namespace mulenet::portmap::upnp::ascii
