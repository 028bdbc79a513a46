#pragma once
// Checks an amule.conf for values aMule or mulenet cannot use, and says for
// each which key, which value, what is wrong and the command that fixes it.
#include <string>
#include <vector>

#include "config/ini_document.hpp"

namespace mulenet::config {

struct ConfigIssue {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string key;      // "/eMule/Port"
  std::string value;    // as written in the file (secrets masked)
  std::string message;  // what is wrong, naming key and value
  std::string fix;      // what to do, with the exact command
};

[[nodiscard]] std::vector<ConfigIssue> validate(const IniDocument& doc);
[[nodiscard]] bool has_errors(const std::vector<ConfigIssue>& issues);
[[nodiscard]] const char* to_string(ConfigIssue::Severity severity);

}  // namespace mulenet::config
