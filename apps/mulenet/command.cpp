#include "command.hpp"

#include <iostream>

#include <boost/json.hpp>
#include <fmt/format.h>

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
