#include "command.hpp"

#include <unistd.h>

#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "config/load_settings.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"

namespace mulenet::cli {

void add_global_options(CLI::App& app, GlobalOptions& options)
{
  app.add_option("--config", options.config_path, "amule.conf to use (default: ~/.aMule/amule.conf)")
      ->type_name("PATH");
  app.add_flag("--json", options.json, "print one JSON object on stdout instead of text");
}

std::filesystem::path config_path(const GlobalOptions& options)
{
  return options.config_path.empty() ? config::default_config_path() : std::filesystem::path(options.config_path);
}

std::optional<config::LoadedFile> load_config(const GlobalOptions& options)
{
  config::FileError error;
  auto loaded = config::read_config_file(config_path(options), error);
  if (!loaded) report_error(options, "config-unreadable", error.message);
  return loaded;
}

std::optional<config::Settings> load_valid_settings(const GlobalOptions& options, int& exit_code)
{
  const auto loaded = load_config(options);
  if (!loaded) {
    exit_code = kExitFileError;
    return std::nullopt;
  }
  const auto issues = config::validate(loaded->doc);
  if (config::has_errors(issues)) {
    report_config_errors(options, config_path(options).string() + " has errors:", issues);
    exit_code = kExitConfigInvalid;
    return std::nullopt;
  }
  return config::load_settings(loaded->doc);
}

std::function<void(std::string_view)> progress_printer(const GlobalOptions& options)
{
  if (options.json) return [](std::string_view) {};
  const bool tty = isatty(STDERR_FILENO) == 1;
  return [tty](std::string_view step) { std::cerr << (tty ? "… " : "") << step << std::endl; };
}

void report_error(const GlobalOptions& options, const std::string& code, const std::string& message)
{
  if (options.json) {
    print_json(boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
  } else {
    std::cerr << "mulenet: " << message << "\n";
  }
}

void report_config_errors(const GlobalOptions& options, const std::string& message,
                          const std::vector<config::ConfigIssue>& issues)
{
  if (options.json) {
    print_json(boost::json::object{
        {"error", boost::json::object{{"code", "config-invalid"}, {"message", message}, {"issues", to_json(issues)}}}});
    return;
  }
  std::cerr << "mulenet: " << message << "\n";
  for (const config::ConfigIssue& issue : issues) {
    std::cerr << fmt::format("  {}: {}\n    fix: {}\n", config::to_string(issue.severity), issue.message, issue.fix);
  }
}

}  // namespace mulenet::cli
