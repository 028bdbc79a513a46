// The `mulenet` program: parses the command line and runs one command.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "exit_codes.hpp"

int main(int argc, char** argv)
{
  using namespace mulenet::cli;
  CLI::App app{"mulenet: makes an eD2k/Kad client reachable, and explains why it is not.", "mulenet"};
  app.set_version_flag("--version", MULENET_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Start with `mulenet doctor`. Every command takes --config PATH (default ~/.aMule/amule.conf) and --json,\n"
      "before or after its name, and explains itself with --help.\n\n"
      "Exit codes: 0 ok; 1 warnings (doctor), only Low IDs (ed2k login), firewalled (kad check); 2 problems,\n"
      "a failed step, nothing mapped or no verdict; 3 invalid configuration; 4 a file unreadable/unwritable;\n"
      "5 no such key/server; 64 bad command line. Each command's --help says exactly.");
  ProgramLoop loop;  // the process's one io_context for one-shot commands (made when one asks)
  GlobalOptions options;
  options.loop = &loop;
  add_global_options(app, options);

  std::vector<Command> commands;
  for (auto make : {make_doctor_commands, make_ports_commands, make_config_commands, make_proxy_commands, make_igd_commands, make_map_commands,
                    make_ed2k_commands, make_kad_commands, make_run_commands, make_status_commands,
                    make_amule_commands}) {
    auto more = make(app, options);
    commands.insert(commands.end(), more.begin(), more.end());
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const std::exception& e) {
    std::cerr << "mulenet: internal error: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
  return kExitUsage;
}
