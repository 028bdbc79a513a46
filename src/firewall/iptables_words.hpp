#pragma once
// Splits one line of iptables-save output into its words, the way
// iptables-restore does: blanks separate words, "..." or '...' quote
// them, and a backslash inside double quotes escapes the next character.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mulenet::firewall::detail {

// std::nullopt for an unterminated quote.
[[nodiscard]] std::optional<std::vector<std::string>> split_iptables_words(std::string_view line);

}  // namespace mulenet::firewall::detail
