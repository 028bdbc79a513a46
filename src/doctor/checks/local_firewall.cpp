// The host's own firewall (nftables / iptables) lets each active port in.
#include <fmt/format.h>

#include "doctor/check.hpp"
#include "firewall/rule_render.hpp"

namespace mulenet::doctor {
namespace {

std::string rules_for(const Evidence& ev, const config::PlannedPort& port)
{
  config::PlannedPort only = port;
  only.active = true;
  const bool control = port.name == "upnp-control-tcp";
  firewall::RenderOptions opts;
  opts.upnp = control;
  opts.upnp_control_port = port.port;
  config::PortPlan plan;
  if (!control) plan.ports.push_back(only);
  return firewall::render_firewall_rules(ev.firewall.kind, plan, opts);
}

}  // namespace

std::vector<Finding> check_local_firewall(const Evidence& ev)
{
  if (!ev.firewall.readable) {
    return {{"firewall.unreadable", Severity::info, "The local firewall rules could not be read",
             ev.firewall.unreadable_why,
             "Run `sudo mulenet doctor` to let mulenet check whether the local firewall blocks aMule's ports."}};
  }
  std::vector<Finding> out;
  std::vector<std::string> allowed;
  for (const PortEvidence& pe : ev.ports) {
    if (!pe.firewall) continue;
    const config::PlannedPort& p = pe.port;
    const std::string label = fmt::format("{}/{} ({})", p.port, config::to_string(p.protocol), p.name);
    switch (pe.firewall->verdict) {
      case firewall::Verdict::allowed: allowed.push_back(label); break;
      case firewall::Verdict::blocked:
        out.push_back({"firewall.blocked." + p.name, Severity::problem,
                       fmt::format("The local firewall blocks incoming {}", label),
                       fmt::format("{}: {}", ev.firewall.source, pe.firewall->reason),
                       "Allow it (as root):\n" + rules_for(ev, p)});
        break;
      case firewall::Verdict::unknown:
        out.push_back({"firewall.unclear." + p.name, Severity::info,
                       fmt::format("Cannot tell whether the local firewall lets {} in", label),
                       fmt::format("{}: {}", ev.firewall.source, pe.firewall->reason),
                       "If aMule reports this port closed, allow it explicitly (as root):\n" + rules_for(ev, p)});
        break;
    }
  }
  if (!allowed.empty()) {
    std::string list;
    for (const std::string& s : allowed) list += (list.empty() ? "" : ", ") + s;
    out.push_back({"firewall.open", Severity::ok, "The local firewall lets the ports in",
                   fmt::format("{}: allowed {}", ev.firewall.source, list), ""});
  }
  return out;
}

}  // namespace mulenet::doctor
