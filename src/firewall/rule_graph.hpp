#pragma once
// A host ruleset reduced to what decides the probe packet's fate: chains of
// rules, each with its condition already evaluated for that packet. nft and
// iptables both read into this shape; rule_graph_verdict.hpp walks it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "firewall/tri_match.hpp"

namespace mulenet::firewall::detail {

enum class Action {
  none,      // counters, logging, comments: the packet goes on to the next rule
  accept,
  drop,      // drop or reject: either way the packet does not get in
  jump,      // into `target`, coming back after it unless it decides
  go_to,     // into `target`, never coming back
  leave,     // return to the calling chain (or the base chain's policy)
  unknown,   // could do anything: a verdict or statement we do not understand
};

inline constexpr std::size_t no_chain = static_cast<std::size_t>(-1);

struct GraphRule {
  std::string text;                // the rule as its tool prints it
  MatchResult match;               // does the probe packet satisfy its condition?
  Action action = Action::none;
  std::size_t target = no_chain;   // jump/go_to: index into RuleGraph::chains, no_chain if missing
  std::string action_doubt;        // Action::unknown: what we did not understand
};

struct GraphChain {
  std::string table;  // "table inet filter", "table filter"
  std::string name;   // "input", "INPUT"
  std::vector<GraphRule> rules;
};

// A chain the kernel calls on the input hook; the packet must pass all of them.
struct BaseChain {
  std::size_t chain = 0;
  bool policy_accepts = true;
  std::string policy;            // as the tool prints it: "drop", "DROP"
  std::int64_t priority = 0;     // lower runs first
};

struct RuleGraph {
  std::vector<GraphChain> chains;
  std::vector<BaseChain> base_chains;
  std::string without_base_chains;  // the reason to give when there is nothing to pass
};

}  // namespace mulenet::firewall::detail
