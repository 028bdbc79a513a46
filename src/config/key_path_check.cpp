#include "config/key_path_check.hpp"

#include <algorithm>
#include <vector>

#include "config/ini_document.hpp"
#include "config/key_catalog.hpp"
#include "net/utf8.hpp"

namespace mulenet::config {
namespace {

// Typos are short: more edits than this is another key, not a slip.
constexpr std::size_t kMaxEdits = 2;
// Paths are short; longer input is not compared (the distance is quadratic).
constexpr std::size_t kMaxComparedBytes = 128;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Levenshtein distance, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b)
{
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string> name_problem(std::string_view name, std::string_view what)
{
  const std::string w(what);
  if (name.empty()) return w + " is empty";
  if (name.front() == ' ' || name.front() == '\t' || name.back() == ' ' || name.back() == '\t')
    return w + " \"" + std::string(name) + "\" has blanks at its ends, which amule.conf drops";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return w + " has a control character";
    if (c == '=' || c == '[' || c == ']')
      return w + " \"" + std::string(name) + "\" has a '" + std::string(1, c) + "', which cannot be part of a name";
  }
  if (!net::is_utf8(name)) return w + " is not UTF-8 text";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> key_path_problem(std::string_view path)
{
  if (path.empty() || path.front() != '/') return "a key path starts with '/', as /eMule/Port";
  const std::size_t slash = path.rfind('/');
  if (slash == 0) return "a key path names its group, as /eMule/Port";
  if (auto p = name_problem(path.substr(slash + 1), "the key name")) return p;
  std::string_view groups = path.substr(1, slash - 1);
  while (true) {
    const std::size_t next = groups.find('/');
    if (auto p = name_problem(groups.substr(0, next), "a group name")) return p;
    if (next == std::string_view::npos) break;
    groups.remove_prefix(next + 1);
  }
  return std::nullopt;
}

std::optional<std::string> nearest_known_key(std::string_view path)
{
  if (path.size() > kMaxComparedBytes) return std::nullopt;
  const auto wanted = parse_key_path(path);
  std::optional<std::string> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (const KeySpec& spec : known_keys()) {
    // The distance is at least the difference in length: most keys need no comparing.
    const std::size_t longer = std::max(path.size(), spec.path.size());
    if (longer - std::min(path.size(), spec.path.size()) > kMaxEdits) continue;
    const std::size_t d = edit_distance(path, spec.path);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(spec.path);
    }
  }
  if (best || !wanted) return best;
  // The right key in the wrong group (/Proxy/Port for /eMule/Port is not it:
  // only a name that is unique among the known keys).
  std::optional<std::string> same_name;
  for (const KeySpec& spec : known_keys()) {
    const auto kp = parse_key_path(spec.path);
    if (!kp || !names_equal(kp->key, wanted->key)) continue;
    if (same_name) return std::nullopt;
    same_name = std::string(spec.path);
  }
  return same_name;
}

}  // namespace mulenet::config
