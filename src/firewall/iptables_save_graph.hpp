#pragma once
// Reads iptables-save output into a RuleGraph for one probe packet: the
// filter table's INPUT chain and the user chains it reaches.
#include <string>
#include <string_view>
#include <variant>

#include "firewall/inbound_probe.hpp"
#include "firewall/rule_graph.hpp"

namespace mulenet::firewall::detail {

// The graph, or why the text is not iptables-save output we can read.
[[nodiscard]] std::variant<RuleGraph, std::string> read_iptables_save(std::string_view iptables_save,
                                                                      const InboundProbe& probe);

}  // namespace mulenet::firewall::detail
