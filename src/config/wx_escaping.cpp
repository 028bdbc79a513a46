#include "config/wx_escaping.hpp"

#include <cctype>

namespace mulenet::config {

std::string unescape_value(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  const bool quoted = !text.empty() && text.front() == '"';
  if (quoted) i = 1;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (++i == text.size()) break;  // trailing backslash: ignored, as wx does
      switch (text[i]) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        default: break;  // wx drops unknown escapes
      }
    } else if (c != '"' || !quoted) {
      out += c;
    }
    // else: a quote inside a quoted value; wx keeps none of them
  }
  return out;
}

std::string escape_value(std::string_view value)
{
  if (value.empty()) return {};
  const bool quote = is_wx_space(value.front()) || value.front() == '"';
  std::string out;
  out.reserve(value.size() + 2);
  if (quote) out += '"';
  for (const char c : value) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '"':
        if (quote) out += "\\\"";
        else out += '"';
        break;
      default: out += c; break;
    }
  }
  if (quote) out += '"';
  return out;
}

std::string unescape_name(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (++i == text.size()) break;
    }
    out += text[i];
  }
  return out;
}

std::string escape_name(std::string_view name)
{
  static constexpr std::string_view kSafe = "@_/-!.*%()";
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u) == 0 && kSafe.find(c) == std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace mulenet::config
