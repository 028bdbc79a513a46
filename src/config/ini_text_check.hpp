#pragma once
// Is this an INI text at all? aMule writes amule.conf as UTF-8 text of
// `[group]` headers and `key=value` lines. A binary file, an image or an
// archive given by mistake as --config parses "successfully" as a file of
// ignored lines whose every key takes aMule's default, and a `config set`
// would append to it: such a file is refused instead, naming its first bad
// line. Pure: bytes in, verdict out.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::config {

struct NotIniText {
  std::size_t line = 0;  // 1-based: the first line that shows it
  std::string why;       // in plain words
};

// nullopt for an INI text (also an empty one). Refused: a NUL byte; a group
// or key name that is not UTF-8 (values may be: old aMule wrote Latin-1
// nicks); at least 3 lines that are neither a group, a key=value nor a
// comment, and more of them than of lines that are.
[[nodiscard]] std::optional<NotIniText> check_ini_text(std::string_view bytes);

}  // namespace mulenet::config
