#pragma once
// Which eD2k servers a use-case asks, decided once for the commands and the
// doctor: the ones named (HOST:PORT), else those of the server.met next to
// amule.conf (aMule's list), at most `limit`.
#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "proxy/target.hpp"

namespace mulenet::ed2k {

enum class ServersProblem {
  none,
  bad_server,            // a named server is not HOST:PORT
  server_met_unreadable, // server.met could not be read
  no_servers,            // nothing to ask
};

struct ServersToAsk {
  std::vector<proxy::Target> servers;
  std::filesystem::path server_met;  // read, or where it would be
  ServersProblem problem = ServersProblem::none;
  std::string message;  // names the address or file, and what to do
  std::error_code code;  // with a problem: the same as an Ed2kErrc (ed2k_error.hpp)
};

[[nodiscard]] ServersToAsk servers_to_ask(const std::filesystem::path& config_path, const std::vector<std::string>& named,
                                          std::size_t limit);

}  // namespace mulenet::ed2k
