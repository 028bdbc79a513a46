#pragma once
// Walks a RuleGraph the way the kernel would walk the probe packet through
// it, keeping track of every rule that only *might* have fired.
#include "firewall/inbound_verdict.hpp"
#include "firewall/rule_graph.hpp"

namespace mulenet::firewall::detail {

// Chains jumping deeper than this are not followed (the kernel's own limit
// is 16 as well), which also ends any loop in a malformed ruleset.
inline constexpr int max_jump_depth = 16;

[[nodiscard]] InboundVerdict decide_inbound(const RuleGraph& graph);

}  // namespace mulenet::firewall::detail
