// Whether reachability was tested at all. Without an eD2k ID, a Kad verdict
// or a running aMule's own state, no finding says whether others can reach
// us; "0 problems" would read as "all good" although nothing was asked.
// Said plainly, with why each way could not be tried.
#include <fmt/format.h>

#include "doctor/check.hpp"

namespace mulenet::doctor {
namespace {

bool ed2k_told(const Evidence& ev)
{
  for (const auto& s : ev.ed2k.report.servers)
    if (s.login.id) return true;
  return ev.amule.replaces_ed2k && ev.amule.reading.state.has_value();
}

bool kad_told(const Evidence& ev)
{
  if (ev.amule.replaces_kad && ev.amule.reading.state.has_value()) return true;
  return ev.kad.asked && (ev.kad.report.tcp != kad::Verdict::unknown || ev.kad.report.udp != kad::Verdict::unknown);
}

std::string ed2k_why(const Evidence& ev)
{
  if (!ev.ed2k.asked) return "eD2k not asked (--no-ed2k, or the configuration has errors)";
  if (!ev.ed2k.no_servers.empty()) return "eD2k: " + ev.ed2k.no_servers;
  return "eD2k: no server gave an ID";
}

std::string kad_why(const Evidence& ev)
{
  if (!ev.kad.asked) return "Kad not asked (--no-kad, UDP off, or the configuration has errors)";
  if (!ev.kad.no_nodes.empty()) return "Kad: " + ev.kad.no_nodes;
  return "Kad: no node gave a verdict";
}

}  // namespace

std::vector<Finding> check_reachability_tested(const Evidence& ev)
{
  if (ed2k_told(ev) || kad_told(ev)) return {};
  // Something the user asked for could not be done: a warning. Everything
  // left out on purpose: a note.
  const bool wanted = (ev.ed2k.asked || ev.kad.asked);
  return {{"reachability.untested", wanted ? Severity::warning : Severity::info,
           "Reachability not tested: no server or node could say whether others reach us",
           fmt::format("{}; {}", ed2k_why(ev), kad_why(ev)),
           wanted ? "Give the doctor a server or a node to ask: --ed2k-server HOST:PORT or --kad-bootstrap IP:PORT "
                    "(or a server.met / nodes.dat next to amule.conf), then run it again."
                  : "Run mulenet doctor without --no-ed2k / --no-kad to test it."}};
}

}  // namespace mulenet::doctor
