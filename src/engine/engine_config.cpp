#include "engine/engine_config.hpp"

#include "config/config_file.hpp"
#include "config/load_settings.hpp"

namespace mulenet::engine {

std::optional<LoadedConfig> load_config(std::filesystem::path path, ConfigProblem& problem)
{
  if (path.empty()) path = config::default_config_path();
  config::FileError error;
  auto loaded = config::read_config_file(path, error);
  if (!loaded) {
    problem = {ConfigProblem::Kind::unreadable, error.message, {}};
    return std::nullopt;
  }
  auto issues = config::validate(loaded->doc);
  if (config::has_errors(issues)) {
    problem = {ConfigProblem::Kind::invalid, path.string() + " has errors:", std::move(issues)};
    return std::nullopt;
  }
  LoadedConfig out;
  out.path = path;
  out.exists = loaded->exists;
  out.settings = config::load_settings(loaded->doc);
  out.warnings = std::move(issues);
  return out;
}

std::string describe(const ConfigProblem& problem)
{
  std::string text = problem.message;
  for (const config::ConfigIssue& i : problem.issues) {
    if (i.severity != config::ConfigIssue::Severity::error) continue;
    text += "\n  " + i.message;
    if (!i.fix.empty()) text += " Fix: " + i.fix;
  }
  return text;
}

}  // namespace mulenet::engine
