#pragma once
// What every subcommand shares: the global options and the way it is added.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "config/config_file.hpp"
#include "config/settings.hpp"
#include "config/validation.hpp"

namespace mulenet::cli {

// The program's one io_context, for the one-shot commands' network work: made
// on first use (`mulenet run` never asks: its Engine runs its own), owned by main.
class ProgramLoop {
 public:
  boost::asio::io_context& io()
  {
    if (!io_) io_.emplace(1);
    return *io_;
  }

 private:
  std::optional<boost::asio::io_context> io_;
};

struct GlobalOptions {
  std::string config_path;  // empty: ~/.aMule/amule.conf
  bool json = false;
  ProgramLoop* loop = nullptr;  // main's
  [[nodiscard]] boost::asio::io_context& io() const { return loop->io(); }
};

// A subcommand: its CLI11 node and what runs when it was chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Adds --config and --json to a (sub)command, bound to the shared options,
// so that both are accepted before or after the subcommand's name.
void add_global_options(CLI::App& app, GlobalOptions& options);

[[nodiscard]] std::filesystem::path config_path(const GlobalOptions& options);

// Reads the config file; on failure prints why (text or JSON) and returns nullopt.
[[nodiscard]] std::optional<config::LoadedFile> load_config(const GlobalOptions& options);

// amule.conf read and validated, as typed settings. On failure the error is
// reported (text or JSON) and exit_code says which: 4 unreadable, 3 invalid.
[[nodiscard]] std::optional<config::Settings> load_valid_settings(const GlobalOptions& options, int& exit_code);

// Progress lines for long steps, on stderr: "… step" on a terminal, plain
// when redirected, none with --json (stdout then holds one JSON object).
[[nodiscard]] std::function<void(std::string_view)> progress_printer(const GlobalOptions& options);

// Prints config issues as an error report (stderr, or JSON on stdout).
void report_config_errors(const GlobalOptions& options, const std::string& message,
                          const std::vector<config::ConfigIssue>& issues);
void report_error(const GlobalOptions& options, const std::string& code, const std::string& message);

std::vector<Command> make_ports_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_config_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_doctor_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_proxy_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_igd_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_map_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_ed2k_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_kad_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_run_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_status_commands(CLI::App& root, GlobalOptions& options);
std::vector<Command> make_amule_commands(CLI::App& root, GlobalOptions& options);

}  // namespace mulenet::cli
