// amule.conf as a lossless document (config/ini_document.hpp). Properties:
// - parse(bytes).serialize() == bytes, byte for byte;
// - get() returns the value of the last of the repeated keys;
// - set() on any section/key (an existing one in any letter case, or a new
//   one) returns whether something changed, makes get() return the value,
//   and keeps every other line: the old lines are all still there, in order,
//   with their line endings (only a final line without one may gain one),
//   with one line rewritten or one or two lines (key, group header) added;
// - the file written after set() reads back with the new value and every
//   other key unchanged -- for the names a file can hold: no line breaks in
//   the section or key, and no blank at the end of the key (the reader trims
//   it before unescaping, as wxFileConfig's Trim() does, so "Key\ " reads as
//   "Key": such names cannot be written, in aMule either).
// The section, key and value to set come from the input's last bytes and
// its first bytes (FuzzedDataProvider); the whole input is the document.
// ctest: -runs=3000 -max_len=4096
#include <fuzzer/FuzzedDataProvider.h>

#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/ini_document.hpp"
#include "config/wx_escaping.hpp"
#include "fuzz_check.hpp"

using mulenet::config::IniDocument;
using mulenet::config::names_equal;
using mulenet::config::normalize_section;

namespace {

struct FileLine {
  std::string_view text;
  std::string_view eol;
};

// Lines as wxTextFile splits them: "\r\n", "\n" and a lone "\r" end a line.
std::vector<FileLine> split_lines(std::string_view bytes)
{
  std::vector<FileLine> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n' && bytes[i] != '\r') continue;
    const std::size_t eol = bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n' ? 2 : 1;
    lines.push_back({bytes.substr(start, i - start), bytes.substr(i, eol)});
    i += eol - 1;
    start = i + 1;
  }
  if (start < bytes.size()) lines.push_back({bytes.substr(start), {}});
  return lines;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Whether a file can hold this section and key at all (see the top).
bool writable_names(std::string_view section, std::string_view key)
{
  return !has_line_break(section) && !has_line_break(key) && (key.empty() || !mulenet::config::is_wx_space(key.back()));
}

// The value get() must give: the last entry of that section and key.
std::optional<std::string> expected_value(const std::vector<IniDocument::Entry>& entries, std::string_view section,
                                          std::string_view key)
{
  const std::string wanted = normalize_section(section);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (names_equal(it->section, wanted) && names_equal(it->key, key)) return it->value;
  }
  return std::nullopt;
}

std::string flip_case(std::string s, unsigned pattern)
{
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if ((pattern >> (i % 8)) & 1u) s[i] = static_cast<char>(std::isupper(u) ? std::tolower(u) : std::toupper(u));
  }
  return s;
}

// Every line of `before` is in `after`, in order, with its ending (a last
// line without one may gain one); returns how many lines were added, or -1.
long kept_lines(const std::vector<FileLine>& before, const std::vector<FileLine>& after, std::size_t& changed)
{
  changed = 0;
  if (before.size() == after.size()) {
    for (std::size_t i = 0; i < before.size(); ++i) {
      if (before[i].eol != after[i].eol) return -1;
      if (before[i].text != after[i].text) ++changed;
    }
    return 0;
  }
  std::size_t j = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    const bool last = i + 1 == before.size();
    while (j < after.size() &&
           !(after[j].text == before[i].text && (after[j].eol == before[i].eol || (last && before[i].eol.empty()))))
      ++j;
    if (j == after.size()) return -1;
    ++j;
  }
  return static_cast<long>(after.size()) - static_cast<long>(before.size());
}

void check_set(const IniDocument& original, std::string_view bytes, const std::string& section, const std::string& key,
               const std::string& value)
{
  if (mulenet::fuzz::verbose()) {
    std::fprintf(stderr, "set(section %s, key %s, value %s)\n", mulenet::fuzz::quoted(section).c_str(),
                 mulenet::fuzz::quoted(key).c_str(), mulenet::fuzz::quoted(value).c_str());
  }
  IniDocument doc = original;
  const auto entries_before = original.entries();
  const auto old_value = original.get(section, key);
  FUZZ_CHECK(old_value == expected_value(entries_before, section, key), "get() returns the last repeated key");

  const bool changed = doc.set(section, key, value);
  FUZZ_CHECK(changed == !(old_value && *old_value == value), "set() says whether the value changed");
  FUZZ_CHECK(doc.get(section, key) == value, "get() after set() returns the value");

  const std::string written = doc.serialize();
  if (mulenet::fuzz::verbose()) std::fprintf(stderr, "written: %s\n", mulenet::fuzz::quoted(written).c_str());
  const auto before = split_lines(bytes);
  const auto after = split_lines(written);
  std::size_t rewritten = 0;
  const long added = kept_lines(before, after, rewritten);
  FUZZ_CHECK(added >= 0, "set() keeps every other line, in order, with its line ending");
  const bool one_line_names = !has_line_break(section) && !has_line_break(key);
  const bool writable = writable_names(section, key);
  if (old_value) {
    FUZZ_CHECK(added == 0 && rewritten == (changed ? 1u : 0u), "setting an existing key rewrites only its line");
  } else if (one_line_names) {
    FUZZ_CHECK(added == 1 || added == 2, "a new key adds its line, and its group header if new");
  }

  if (!writable) return;
  const IniDocument reread = IniDocument::parse(written);
  FUZZ_CHECK(reread.serialize() == written, "the written file parses back losslessly");
  FUZZ_CHECK(reread.get(section, key) == value, "the written file reads back with the new value");
  // Every other key keeps its value (a sample of them: lookups are linear).
  std::size_t checked = 0;
  for (auto it = entries_before.rbegin(); it != entries_before.rend() && checked < 24; ++it, ++checked) {
    if (names_equal(it->section, normalize_section(section)) && names_equal(it->key, key)) continue;
    FUZZ_CHECK(reread.get(it->section, it->key) == expected_value(entries_before, it->section, it->key),
               "set() leaves every other key's value alone");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view bytes = mulenet::fuzz::text(data, size);
  const IniDocument doc = IniDocument::parse(bytes);
  FUZZ_CHECK(doc.serialize() == bytes, "parse() then serialize() gives the same bytes");

  const auto entries = doc.entries();
  const std::size_t line_count = split_lines(bytes).size();
  std::size_t previous_line = 0;
  for (const auto& entry : entries) {
    FUZZ_CHECK(entry.line > previous_line && entry.line <= line_count, "entries are in file order, on real lines");
    FUZZ_CHECK(entry.section == normalize_section(entry.section), "entry sections are normalized");
    previous_line = entry.line;
  }

  FuzzedDataProvider fdp(data, size);
  const int operations = fdp.ConsumeIntegralInRange(1, 3);
  for (int op = 0; op < operations; ++op) {
    std::string section, key;
    if (!entries.empty() && fdp.ConsumeBool()) {
      const auto& entry = entries[fdp.ConsumeIntegralInRange<std::size_t>(0, entries.size() - 1)];
      const unsigned pattern = fdp.ConsumeIntegral<std::uint8_t>();
      section = flip_case(entry.section, pattern);
      key = flip_case(entry.key, pattern);
      if (fdp.ConsumeBool()) section = "/" + section + "/";
    } else {
      section = fdp.ConsumeRandomLengthString(24);
      key = fdp.ConsumeRandomLengthString(24);
    }
    const std::string value = fdp.ConsumeRandomLengthString(48);
    check_set(doc, bytes, section, key, value);
  }
  return 0;
}
