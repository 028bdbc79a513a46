// iptables_inbound_verdict: iptables-save read into a RuleGraph, then walked.
#include <exception>

#include "firewall/inbound_verdict.hpp"
#include "firewall/iptables_save_graph.hpp"
#include "firewall/rule_graph_verdict.hpp"

namespace mulenet::firewall {

InboundVerdict iptables_inbound_verdict(std::string_view iptables_save, config::Protocol protocol, std::uint16_t port)
{
  try {
    auto graph = detail::read_iptables_save(iptables_save, {protocol, port});
    if (auto* problem = std::get_if<std::string>(&graph)) {
      return {Verdict::unknown, "cannot read the iptables-save output: " + *problem};
    }
    return detail::decide_inbound(std::get<detail::RuleGraph>(graph));
  } catch (const std::exception& error) {
    // Only running out of memory gets here; still no reason to crash a check.
    return {Verdict::unknown, std::string("cannot evaluate the iptables rules: ") + error.what()};
  }
}

}  // namespace mulenet::firewall
