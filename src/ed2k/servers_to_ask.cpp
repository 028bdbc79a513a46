#include "ed2k/servers_to_ask.hpp"

#include "ed2k/ed2k_error.hpp"
#include "ed2k/server_met.hpp"
#include "ed2k/wire.hpp"

namespace mulenet::ed2k {

ServersToAsk servers_to_ask(const std::filesystem::path& config_path, const std::vector<std::string>& named,
                            std::size_t limit)
{
  ServersToAsk r;
  r.server_met = server_met_path_for(config_path);
  for (const std::string& text : named) {
    const auto target = proxy::parse_target(text);
    if (!target) {
      r.problem = ServersProblem::bad_server;
      r.code = Ed2kErrc::bad_server;
      r.message = "'" + text + "' is not HOST:PORT (e.g. 203.0.113.10:4661)";
      return r;
    }
    if (r.servers.size() < limit) r.servers.push_back(*target);
  }
  if (!r.servers.empty()) return r;
  const auto met = read_server_met(r.server_met);
  if (!met) {
    r.problem = ServersProblem::server_met_unreadable;
    r.code = Ed2kErrc::server_met_unreadable;
    r.message = met.error;
    return r;
  }
  for (const auto& e : met.value->servers) {
    if (r.servers.size() >= limit) break;
    r.servers.push_back(proxy::make_target(dotted_text(e.ip), e.port));
  }
  if (r.servers.empty()) {
    r.problem = ServersProblem::no_servers;
    r.code = Ed2kErrc::no_server;
    r.message = "no eD2k server to log in to: name one (mulenet ed2k login HOST:PORT) or keep a server.met at " +
                r.server_met.string();
  }
  return r;
}

}  // namespace mulenet::ed2k
