#include "config/ini_text_check.hpp"

#include <fmt/format.h>

#include "net/utf8.hpp"

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
  if (kind == LineKind::group) return t.substr(1, t.find(']') - 1);  // npos - 1 still means "to the end"
  return trim(t.substr(0, t.find('=')));
}

}  // namespace

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
    if (!net::is_utf8(name_of(line, kind)))
      return NotIniText{line_number, kind == LineKind::group ? "a group name that is not UTF-8 text"
                                                             : "a key name that is not UTF-8 text"};
  }
  if (bad >= kMinBadLines && bad > good)
    return NotIniText{first_bad, fmt::format("{} of its {} lines are neither a [group], a key=value nor a comment",
                                             bad, bad + good)};
  return std::nullopt;
}

}  // namespace mulenet::config
