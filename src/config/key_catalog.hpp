#pragma once
// The amule.conf keys mulenet knows: their type, default (from aMule's
// documentation), whether they hold a secret, and what they mean.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mulenet::config {

enum class KeyType {
  port,        // integer 1..65535
  boolean,     // 0 or 1
  proxy_type,  // 0..3
  seconds,     // integer 1..86400
  minutes,     // integer 0..1440 (0: off)
  text,
  secret,      // text that is never shown (passwords)
};

// The largest value a KeyType::seconds key takes: a day.
inline constexpr long long kMaxWindowSeconds = 86400;
// The largest value a KeyType::minutes key takes: a day.
inline constexpr long long kMaxMinutes = 1440;
// /mulenet/KadRecheckWindow is never shorter than amuled's own memory of a check.
inline constexpr long long kMinRecheckWindowSeconds = 60;

struct KeySpec {
  std::string_view path;  // "/eMule/Port"
  KeyType type;
  std::string_view default_value;
  std::string_view description;
};

[[nodiscard]] std::span<const KeySpec> known_keys();
// Case-insensitive lookup, as wxFileConfig compares names.
[[nodiscard]] const KeySpec* find_key_spec(std::string_view path);
[[nodiscard]] bool is_secret_key(std::string_view path);

// Parses an integer the way wxConfig's ReadLong does: blanks around it are
// ignored, an optional sign, decimal digits, nothing else.
[[nodiscard]] std::optional<long long> parse_config_integer(std::string_view text);

// What a secret looks like on screen: "" stays "", anything else "********".
[[nodiscard]] std::string mask_secret(std::string_view value);

}  // namespace mulenet::config
