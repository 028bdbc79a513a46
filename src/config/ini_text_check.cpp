#include "config/ini_text_check.hpp"

#include <fmt/format.h>

namespace mulenet::config {
namespace {

// Bounds: a file this long of short lines is read through once, never more.
constexpr std::size_t kMinBadLines = 3;

std::string_view trim(std::string_view s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The length of the UTF-8 sequence that starts with `lead`, 0 when it cannot start one.
std::size_t sequence_length(unsigned char lead)
{
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;  // a continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF (F5..FF)
}

// The second byte's range: the first continuation byte rules out overlongs,
// surrogates (ED A0..BF) and code points past U+10FFFF.
bool second_byte_fits(unsigned char lead, unsigned char next)
{
  if (lead == 0xE0) return next >= 0xA0 && next <= 0xBF;
  if (lead == 0xED) return next >= 0x80 && next <= 0x9F;
  if (lead == 0xF0) return next >= 0x90 && next <= 0xBF;
  if (lead == 0xF4) return next >= 0x80 && next <= 0x8F;
  return next >= 0x80 && next <= 0xBF;
}

enum class LineKind { blank_or_comment, group, entry, other };

LineKind kind_of(std::string_view line)
{
  const std::string_view t = trim(line);
  if (t.empty() || t.front() == ';' || t.front() == '#') return LineKind::blank_or_comment;
  if (t.front() == '[') return LineKind::group;
  if (t.find('=') != std::string_view::npos && t.front() != '=') return LineKind::entry;
  return LineKind::other;
}

// The name a line gives: the group's, or the key's (before '=').
std::string_view name_of(std::string_view line, LineKind kind)
{
  const std::string_view t = trim(line);
  if (kind == LineKind::group) return t.substr(1, t.find(']') == std::string_view::npos ? t.npos : t.find(']') - 1);
  return trim(t.substr(0, t.find('=')));
}

}  // namespace

bool is_utf8(std::string_view text)
{
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t n = sequence_length(lead);
    if (n == 0 || i + n > text.size()) return false;
    if (n > 1 && !second_byte_fits(lead, static_cast<unsigned char>(text[i + 1]))) return false;
    for (std::size_t k = 2; k < n; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if (c < 0x80 || c > 0xBF) return false;
    }
    i += n;
  }
  return true;
}

std::optional<NotIniText> check_ini_text(std::string_view bytes)
{
  std::size_t line_number = 0, good = 0, bad = 0, first_bad = 0;
  for (std::size_t start = 0; start < bytes.size();) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    const std::string_view line = bytes.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find('\0') != std::string_view::npos)
      return NotIniText{line_number, "it holds a NUL byte, which no text file has"};
    const LineKind kind = kind_of(line);
    if (kind == LineKind::blank_or_comment) continue;
    if (kind == LineKind::other) {
      if (bad++ == 0) first_bad = line_number;
      continue;
    }
    ++good;
    if (!is_utf8(name_of(line, kind)))
      return NotIniText{line_number, kind == LineKind::group ? "a group name that is not UTF-8 text"
                                                             : "a key name that is not UTF-8 text"};
  }
  if (bad >= kMinBadLines && bad > good)
    return NotIniText{first_bad, fmt::format("{} of its {} lines are neither a [group], a key=value nor a comment",
                                             bad, bad + good)};
  return std::nullopt;
}

}  // namespace mulenet::config
