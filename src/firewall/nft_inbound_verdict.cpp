// nft_inbound_verdict: nft's JSON read into a RuleGraph, then walked.
#include <exception>

#include "firewall/inbound_verdict.hpp"
#include "firewall/nft_ruleset_graph.hpp"
#include "firewall/rule_graph_verdict.hpp"

namespace mulenet::firewall {

InboundVerdict nft_inbound_verdict(std::string_view nft_json, config::Protocol protocol, std::uint16_t port)
{
  try {
    auto graph = detail::read_nft_ruleset(nft_json, {protocol, port});
    if (auto* problem = std::get_if<std::string>(&graph)) {
      return {Verdict::unknown, "cannot read the nft ruleset: " + *problem};
    }
    return detail::decide_inbound(std::get<detail::RuleGraph>(graph));
  } catch (const std::exception& error) {
    // Only running out of memory gets here; still no reason to crash a check.
    return {Verdict::unknown, std::string("cannot evaluate the nft ruleset: ") + error.what()};
  }
}

}  // namespace mulenet::firewall
