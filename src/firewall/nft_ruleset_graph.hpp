#pragma once
// Reads `nft -j list ruleset` into a RuleGraph for one probe packet.
#include <string>
#include <string_view>
#include <variant>

#include "firewall/inbound_probe.hpp"
#include "firewall/rule_graph.hpp"

namespace mulenet::firewall::detail {

// The graph, or why the text is not an nft JSON ruleset we can read.
[[nodiscard]] std::variant<RuleGraph, std::string> read_nft_ruleset(std::string_view nft_json, const InboundProbe& probe);

}  // namespace mulenet::firewall::detail
