#pragma once
// amule.conf as wxFileConfig sees it, kept line by line so that nothing we do
// not change is ever rewritten: a file parsed and serialized again is
// byte-identical (CRLF, missing final newline, comments, unknown keys, odd
// spacing and duplicate keys included).
//
// Semantics follow wxFileConfig, which aMule uses: groups are `[A/B]` paths,
// names compare case-insensitively, a key repeated in a group takes its last
// value, lines starting with ';' or '#' are comments, leading blanks of a
// value are skipped, and new keys go after the last key of their group.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mulenet::config {

class IniDocument {
 public:
  struct Entry {
    std::string section;  // group path without slashes at the ends, "" for the root
    std::string key;
    std::string value;    // unescaped
    std::size_t line = 0; // 1-based line number
  };

  [[nodiscard]] static IniDocument parse(std::string_view bytes);
  [[nodiscard]] std::string serialize() const;

  // The value of section/key (the last one when repeated), unescaped.
  [[nodiscard]] std::optional<std::string> get(std::string_view section, std::string_view key) const;
  // Sets a value the way wxFileConfig does: rewrites only that key's line,
  // or inserts a line after the group's last key, or appends a new group.
  // Returns false when the value was already the same (nothing changed).
  bool set(std::string_view section, std::string_view key, std::string_view value);

  // Every key line in file order (repeated keys included).
  [[nodiscard]] std::vector<Entry> entries() const;
  // What wxFileConfig would warn about: lines without '=', unterminated
  // group headers, repeated keys. Informational: parsing never fails.
  [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  enum class Kind { other, group, entry };
  struct Line {
    std::string text;   // without the line ending
    std::string eol;    // "\n", "\r\n", "\r" or "" (last line without newline)
    Kind kind = Kind::other;
    std::string section;  // group this line belongs to (for group lines: the group itself)
    std::string key;      // for entries: unescaped name
    std::string value;    // for entries: unescaped value
  };

  [[nodiscard]] std::optional<std::size_t> find_entry(std::string_view section, std::string_view key) const;
  [[nodiscard]] std::optional<std::size_t> insertion_point(std::string_view section) const;
  void insert_line_after(std::optional<std::size_t> index, Line line);
  [[nodiscard]] std::string default_eol() const;

  void reindex();
  std::vector<Line> lines_;
  std::vector<std::string> warnings_;
  // Each key's last line (section and key folded as names_equal compares
  // them): a lookup, not a scan of every line, per get() and per parsed line.
  std::unordered_map<std::string, std::size_t> last_entry_;
};

// "/eMule/Port" -> {"eMule", "Port"}; "/UserEvents/DownloadCompleted/Enabled"
// -> {"UserEvents/DownloadCompleted", "Enabled"}. nullopt for a path without
// a key ("/eMule/", "", "eMule").
struct KeyPath {
  std::string section;
  std::string key;
  [[nodiscard]] std::string str() const;  // back to "/Section/Key"
};
[[nodiscard]] std::optional<KeyPath> parse_key_path(std::string_view path);

// Group paths compare like wxFileConfig: by components, case-insensitively.
[[nodiscard]] std::string normalize_section(std::string_view section);
[[nodiscard]] bool names_equal(std::string_view a, std::string_view b);

}  // namespace mulenet::config
