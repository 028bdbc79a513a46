#include "config/ini_document.hpp"

#include <cctype>
#include <unordered_map>

#include "config/wx_escaping.hpp"

namespace mulenet::config {
namespace {

std::string_view trim_right(std::string_view s)
{
  while (!s.empty() && is_wx_space(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t skip_blanks(std::string_view s, std::size_t i)
{
  while (i < s.size() && is_wx_space(s[i])) ++i;
  return i;
}

// Splits like wxTextFile: "\r\n", "\n" and a lone "\r" all end a line.
template <typename OnLine>
void split_lines(std::string_view bytes, OnLine on_line)
{
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      on_line(bytes.substr(start, i - start), std::string_view{"\n"});
      start = i + 1;
    } else if (bytes[i] == '\r') {
      const bool crlf = i + 1 < bytes.size() && bytes[i + 1] == '\n';
      on_line(bytes.substr(start, i - start), crlf ? std::string_view{"\r\n"} : std::string_view{"\r"});
      if (crlf) ++i;
      start = i + 1;
    }
  }
  if (start < bytes.size()) on_line(bytes.substr(start), std::string_view{});
}

}  // namespace

bool names_equal(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto ca = static_cast<unsigned char>(a[i]);
    const auto cb = static_cast<unsigned char>(b[i]);
    if (std::tolower(ca) != std::tolower(cb)) return false;
  }
  return true;
}

std::string normalize_section(std::string_view section)
{
  std::string out;
  std::size_t i = 0;
  while (i < section.size()) {
    const std::size_t slash = section.find('/', i);
    const std::size_t end = slash == std::string_view::npos ? section.size() : slash;
    if (end > i) {
      if (!out.empty()) out += '/';
      out.append(section.substr(i, end - i));
    }
    i = end + 1;
  }
  return out;
}

std::optional<KeyPath> parse_key_path(std::string_view path)
{
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  KeyPath kp{normalize_section(path.substr(0, slash)), std::string(path.substr(slash + 1))};
  if (kp.key.empty()) return std::nullopt;
  return kp;
}

std::string KeyPath::str() const
{
  return section.empty() ? "/" + key : "/" + section + "/" + key;
}

namespace {

// Section and key as names_equal compares them, as one map key (the length
// first, so that no two pairs give the same text).
std::string folded_name(std::string_view section, std::string_view key)
{
  std::string out = std::to_string(section.size()) + ':';
  out.reserve(out.size() + section.size() + key.size());
  for (const char c : section) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char c : key) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

IniDocument IniDocument::parse(std::string_view bytes)
{
  IniDocument doc;
  std::string current;  // the root group until the first header
  std::size_t number = 0;

  split_lines(bytes, [&](std::string_view text, std::string_view eol) {
    ++number;
    Line line{std::string(text), std::string(eol), Kind::other, current, {}, {}};
    const std::size_t start = skip_blanks(text, 0);
    if (start == text.size() || text[start] == ';' || text[start] == '#') {
      // blank or comment
    } else if (text[start] == '[') {
      std::size_t end = start + 1;
      while (end < text.size() && text[end] != ']') {
        if (text[end] == '\\') ++end;  // an escaped character, even ']'
        ++end;
      }
      if (end >= text.size()) {
        doc.warnings_.push_back("line " + std::to_string(number) + ": group header without ']' ignored");
      } else {
        current = normalize_section(unescape_name(text.substr(start + 1, end - start - 1)));
        line.kind = Kind::group;
        line.section = current;
      }
    } else {
      std::size_t end = start;
      while (end < text.size() && text[end] != '=') {
        if (text[end] == '\\' && end + 1 < text.size()) ++end;
        ++end;
      }
      if (end >= text.size()) {
        doc.warnings_.push_back("line " + std::to_string(number) + ": '=' expected, line ignored");
      } else {
        line.kind = Kind::entry;
        line.key = unescape_name(trim_right(text.substr(start, end - start)));
        line.value = unescape_value(text.substr(skip_blanks(text, end + 1)));
        auto [previous, first] = doc.last_entry_.try_emplace(folded_name(current, line.key), doc.lines_.size());
        if (!first) {
          doc.warnings_.push_back("line " + std::to_string(number) + ": key '" + line.key +
                                  "' was first found at line " + std::to_string(previous->second + 1) +
                                  "; the last one counts");
          previous->second = doc.lines_.size();
        }
      }
    }
    doc.lines_.push_back(std::move(line));
  });
  return doc;
}

std::string IniDocument::serialize() const
{
  std::string out;
  for (const Line& line : lines_) {
    out += line.text;
    out += line.eol;
  }
  return out;
}

std::optional<std::size_t> IniDocument::find_entry(std::string_view section, std::string_view key) const
{
  const auto it = last_entry_.find(folded_name(normalize_section(section), key));
  if (it == last_entry_.end()) return std::nullopt;
  return it->second;
}

void IniDocument::reindex()
{
  last_entry_.clear();
  for (std::size_t i = 0; i < lines_.size(); ++i)
    if (lines_[i].kind == Kind::entry) last_entry_[folded_name(lines_[i].section, lines_[i].key)] = i;
}

std::optional<std::string> IniDocument::get(std::string_view section, std::string_view key) const
{
  if (const auto i = find_entry(section, key)) return lines_[*i].value;
  return std::nullopt;
}

std::optional<std::size_t> IniDocument::insertion_point(std::string_view section) const
{
  // After the group's last key; else after its (last) header line.
  std::optional<std::size_t> header;
  for (std::size_t i = lines_.size(); i-- > 0;) {
    const Line& line = lines_[i];
    if (!names_equal(line.section, section)) continue;
    if (line.kind == Kind::entry) return i;
    if (line.kind == Kind::group && !header) header = i;
  }
  return header;
}

std::string IniDocument::default_eol() const
{
  // CRLF when the file uses it, else "\n" (as wxFileConfig writes on Unix).
  // Never a lone CR: before a blank "\n" line it would read back as one CRLF
  // and the blank line would vanish.
  for (const Line& line : lines_)
    if (!line.eol.empty()) return line.eol == "\r\n" ? "\r\n" : "\n";
  return "\n";
}

void IniDocument::insert_line_after(std::optional<std::size_t> index, Line line)
{
  const std::string eol = default_eol();
  if (!index) {  // before everything (root keys)
    line.eol = eol;
    lines_.insert(lines_.begin(), std::move(line));
    return;
  }
  const std::size_t at = *index + 1;
  if (at == lines_.size() && lines_[*index].eol.empty()) {
    // The file ended without a newline: keep it that way.
    lines_[*index].eol = eol;
    line.eol.clear();
  } else {
    line.eol = eol;
  }
  lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(at), std::move(line));
}

bool IniDocument::set(std::string_view section, std::string_view key, std::string_view value)
{
  const std::string sec = normalize_section(section);
  if (const auto i = find_entry(sec, key)) {
    Line& line = lines_[*i];
    if (line.value == value) return false;
    line.value = std::string(value);
    line.text = escape_name(line.key) + "=" + escape_value(value);
    return true;
  }
  Line entry{escape_name(key) + "=" + escape_value(value), {}, Kind::entry, sec, std::string(key),
             std::string(value)};
  auto point = insertion_point(sec);
  if (!point && !sec.empty()) {
    Line header{"[" + escape_name(sec) + "]", {}, Kind::group, sec, {}, {}};
    insert_line_after(lines_.empty() ? std::nullopt : std::optional<std::size_t>{lines_.size() - 1},
                      std::move(header));
    point = lines_.size() - 1;
  }
  insert_line_after(point, std::move(entry));
  reindex();  // the lines after the new ones moved
  return true;
}

std::vector<IniDocument::Entry> IniDocument::entries() const
{
  std::vector<Entry> out;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const Line& line = lines_[i];
    if (line.kind == Kind::entry) out.push_back({line.section, line.key, line.value, i + 1});
  }
  return out;
}

}  // namespace mulenet::config
