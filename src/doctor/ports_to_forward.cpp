#include "doctor/ports_to_forward.hpp"

#include <fmt/format.h>

namespace mulenet::doctor {

std::vector<config::PlannedPort> ports_to_forward(const Evidence& ev)
{
  std::vector<config::PlannedPort> out;
  for (const config::PlannedPort& p : ev.plan.ports) {
    if (!p.active) continue;
    const bool p2p = p.name == "ed2k-tcp" || p.name == "server-udp" || p.name == "kad-udp";
    if (p2p || p.upnp) out.push_back(p);
  }
  return out;
}

std::string forwarding_rules_text(const std::vector<config::PlannedPort>& ports, const std::string& lan_address)
{
  std::string text;
  for (const config::PlannedPort& p : ports) {
    text += fmt::format("  {} {} -> {}:{}   ({})\n", p.protocol == config::Protocol::tcp ? "TCP" : "UDP", p.port,
                        lan_address.empty() ? "this computer" : lan_address, p.port, p.name);
  }
  if (!text.empty()) text.pop_back();
  return text;
}

}  // namespace mulenet::doctor
