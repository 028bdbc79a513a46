#pragma once
// Decides the conditions of one iptables rule ("-p tcp -m tcp --dport 22
// -m conntrack --ctstate NEW ...") for the probe packet, three-valued.
#include <optional>
#include <span>
#include <string>

#include "firewall/inbound_probe.hpp"
#include "firewall/tri_match.hpp"

namespace mulenet::firewall::detail {

struct IptablesRuleMatch {
  MatchResult match;
  std::string target;  // the word after -j/-g; empty when the rule has none
  bool is_goto = false;
};

// `words`: the rule after "-A CHAIN". std::nullopt when an option lacks its
// value or a stray word appears: not iptables-save output.
[[nodiscard]] std::optional<IptablesRuleMatch> match_iptables_rule(std::span<const std::string> words,
                                                                   const InboundProbe& probe);

}  // namespace mulenet::firewall::detail
