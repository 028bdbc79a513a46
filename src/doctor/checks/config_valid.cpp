// The config is valid: every value usable, no two services on one port.
#include <optional>

#include <fmt/format.h>

#include "doctor/check.hpp"

namespace mulenet::doctor {
namespace {

// "/eMule/Port" -> "eMule.Port", for finding ids.
std::string dotted(std::string key)
{
  if (!key.empty() && key.front() == '/') key.erase(0, 1);
  for (char& c : key)
    if (c == '/') c = '.';
  return key;
}

// What the doctor did not check because the file gets it wrong: said, so
// that no "OK" elsewhere reads as covering it.
std::optional<Finding> left_out(const ConfigEvidence& cfg)
{
  if (cfg.left_out.empty()) return std::nullopt;
  std::string what;
  for (const std::string& w : cfg.left_out) what += (what.empty() ? "" : ", ") + w;
  return Finding{"config.left-out", Severity::info, "Not checked, because the configuration gets it wrong",
                 fmt::format("left out: {}; aMule's defaults in their place would not be what the file says", what),
                 "Fix the configuration (the finding above), then run mulenet doctor again."};
}

}  // namespace

std::vector<Finding> check_config_valid(const Evidence& ev)
{
  const ConfigEvidence& cfg = ev.config;
  const std::string file = cfg.path.string();
  if (!cfg.read_error.empty()) {
    std::vector<Finding> out{{"config.unreadable", Severity::problem, "The configuration file cannot be read",
                              cfg.read_error,
                              fmt::format("Check that {} is a readable file, or name another with --config PATH.", file)}};
    if (auto f = left_out(cfg)) out.push_back(std::move(*f));
    return out;
  }
  std::vector<Finding> out;
  for (const config::ConfigIssue& issue : cfg.issues) {
    const bool error = issue.severity == config::ConfigIssue::Severity::error;
    out.push_back({fmt::format("config.{}.{}", error ? "invalid" : "suspicious", dotted(issue.key)),
                   error ? Severity::problem : Severity::warning, issue.message,
                   fmt::format("{} in {}", issue.key, file), issue.fix});
  }
  for (const std::string& warning : cfg.parse_warnings) {
    out.push_back({"config.syntax", Severity::info, "A line of the configuration file is ignored",
                   fmt::format("{}: {}", file, warning), "Edit the line or remove it; aMule ignores it too."});
  }
  if (auto f = left_out(cfg)) out.push_back(std::move(*f));
  if (out.empty()) {
    if (cfg.exists) {
      out.push_back({"config.valid", Severity::ok, "The configuration is valid", fmt::format("read {}", file), ""});
    } else {
      out.push_back({"config.defaults", Severity::info, "No configuration file: using aMule's defaults",
                     fmt::format("{} does not exist", file),
                     "Nothing to do, unless your aMule uses another directory: then pass --config PATH."});
    }
  }
  return out;
}

}  // namespace mulenet::doctor
