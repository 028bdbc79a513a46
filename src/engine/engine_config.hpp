#pragma once
// amule.conf as the Engine uses it: read, validated, typed. The one place
// that turns a config file into Settings for the Engine (and the CLI).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "config/validation.hpp"

namespace mulenet::engine {

struct LoadedConfig {
  std::filesystem::path path;
  bool exists = false;  // absent: aMule's defaults
  config::Settings settings;
  std::vector<config::ConfigIssue> warnings;
};

struct ConfigProblem {
  enum class Kind { unreadable, invalid };
  Kind kind = Kind::unreadable;
  std::string message;                       // names the file and the cause; secrets masked
  std::vector<config::ConfigIssue> issues;   // invalid: each key, value and fix
};

// Empty path: ~/.aMule/amule.conf.
[[nodiscard]] std::optional<LoadedConfig> load_config(std::filesystem::path path, ConfigProblem& problem);

// "the file has errors: /eMule/Port=abc: ... Fix: ..." on one line per issue.
[[nodiscard]] std::string describe(const ConfigProblem& problem);

}  // namespace mulenet::engine
