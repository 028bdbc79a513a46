#pragma once
// What `config set` checks about the key it is given before it writes:
// that the path can be written as one line of amule.conf at all, and, for a
// key mulenet does not know, which known key was probably meant (a typo such
// as /eMule/Prot would otherwise be written next to the real one, and aMule
// would silently ignore it). Pure.
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::config {

// Why `path` is not a /Section/Key that wxFileConfig would read back as
// written (an '=' or a bracket in a name, control characters, blanks at the
// ends of a name, an empty group, text that is not UTF-8), or nullopt.
[[nodiscard]] std::optional<std::string> key_path_problem(std::string_view path);

// The known key closest to `path` (letters compared without case, a few
// edits at most, or the same key name in another group), or nullopt.
[[nodiscard]] std::optional<std::string> nearest_known_key(std::string_view path);

}  // namespace mulenet::config
