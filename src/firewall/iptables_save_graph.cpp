#include "firewall/iptables_save_graph.hpp"

#include <array>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "firewall/iptables_rule_match.hpp"
#include "firewall/iptables_words.hpp"

namespace mulenet::firewall::detail {
namespace {

constexpr std::string_view table_label = "table filter";

struct SavedRule {
  std::string chain;
  std::string text;                 // the line as iptables-save printed it
  std::vector<std::string> words;   // after "-A CHAIN"
};

struct SavedChain {
  std::string name;
  std::string policy;  // "ACCEPT", "DROP", or "-" for user chains
};

// The filter table as iptables-save lists it, nothing interpreted yet.
struct SavedFilterTable {
  bool present = false;
  std::vector<SavedChain> chains;
  std::vector<SavedRule> rules;
};

std::string_view trimmed(std::string_view line)
{
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

std::string line_problem(std::size_t number, std::string_view what)
{
  return "line " + std::to_string(number) + ": " + std::string(what);
}

// "[packets:bytes]", which iptables-save -c puts before each rule.
bool is_counters(std::string_view word)
{
  return word.size() >= 5 && word.front() == '[' && word.back() == ']' && word.find(':') != std::string_view::npos;
}

std::variant<SavedFilterTable, std::string> read_filter_table(std::string_view text)
{
  SavedFilterTable filter;
  std::string table;  // the table being read; empty between COMMIT and the next *table
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = trimmed(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '*') {
      if (!table.empty()) return line_problem(number, "a table starts before COMMIT ended the last one");
      table = line.substr(1);
      if (table == "filter") {
        if (filter.present) return line_problem(number, "a second filter table");
        filter.present = true;
      }
      continue;
    }
    if (table.empty()) return line_problem(number, "not iptables-save syntax (no *table line before it)");
    if (line == "COMMIT") {
      table.clear();
      continue;
    }
    auto words = split_iptables_words(line);
    if (!words) return line_problem(number, "a quote is not closed");
    std::span<const std::string> rest(*words);
    if (!rest.empty() && rest.front().starts_with(':')) {
      if (rest.size() < 2) return line_problem(number, "a chain without a policy");
      if (table == "filter") filter.chains.push_back({rest.front().substr(1), rest[1]});
      continue;
    }
    if (!rest.empty() && is_counters(rest.front())) rest = rest.subspan(1);
    if (rest.size() < 2 || rest.front() != "-A") return line_problem(number, "not iptables-save syntax");
    if (table == "filter") {
      filter.rules.push_back({rest[1], std::string(line), std::vector<std::string>(rest.begin() + 2, rest.end())});
    }
  }
  if (!table.empty()) return "table " + table + " has no COMMIT: the output seems cut short";
  return filter;
}

// What a rule's target does; user chains are jumps.
struct Target {
  Action action = Action::none;
  std::size_t chain = no_chain;
};

Target target_of(const IptablesRuleMatch& rule, const std::map<std::string, std::size_t, std::less<>>& chains)
{
  const std::string& target = rule.target;
  if (target.empty()) return {};
  if (const auto found = chains.find(target); found != chains.end()) {
    return {rule.is_goto ? Action::go_to : Action::jump, found->second};
  }
  if (target == "ACCEPT") return {Action::accept};
  if (target == "DROP" || target == "REJECT") return {Action::drop};
  if (target == "RETURN") return {Action::leave};
  constexpr std::array<std::string_view, 10> non_deciding{"LOG", "NFLOG", "ULOG", "AUDIT", "TRACE",
                                                          "MARK", "CONNMARK", "CLASSIFY", "SET", "NOTRACK"};
  for (const auto name : non_deciding) {
    if (target == name) return {};
  }
  return {Action::unknown};  // QUEUE, NFQUEUE, a missing chain, ...
}

}  // namespace

std::variant<RuleGraph, std::string> read_iptables_save(std::string_view iptables_save, const InboundProbe& probe)
{
  auto read = read_filter_table(iptables_save);
  if (auto* problem = std::get_if<std::string>(&read)) return std::move(*problem);
  const SavedFilterTable& filter = std::get<SavedFilterTable>(read);

  RuleGraph graph;
  std::map<std::string, std::size_t, std::less<>> chains;
  for (const auto& saved : filter.chains) {
    if (!chains.emplace(saved.name, graph.chains.size()).second) return "chain " + saved.name + " is listed twice";
    graph.chains.push_back({std::string(table_label), saved.name, {}});
  }
  for (const auto& saved : filter.rules) {
    const auto chain = chains.find(saved.chain);
    if (chain == chains.end()) return "a rule for chain " + saved.chain + ", which is not listed";
    const auto match = match_iptables_rule(saved.words, probe);
    if (!match) return "cannot read the rule '" + saved.text + "'";
    GraphRule rule;
    rule.text = saved.text;
    rule.match = match->match;
    const Target target = target_of(*match, chains);
    rule.action = target.action;
    rule.target = target.chain;
    if (target.action == Action::unknown) rule.action_doubt = "its target " + match->target;
    graph.chains[chain->second].rules.push_back(std::move(rule));
  }

  if (!filter.present) {
    graph.without_base_chains = "no iptables filter table";
    return graph;
  }
  const auto input = chains.find("INPUT");
  if (input == chains.end()) {
    graph.without_base_chains = "the iptables filter table has no INPUT chain";
    return graph;
  }
  const std::string& policy = filter.chains[input->second].policy;
  if (policy != "ACCEPT" && policy != "DROP") return "chain INPUT has the policy '" + policy + "'";
  graph.base_chains.push_back({input->second, policy == "ACCEPT", policy, 0});
  return graph;
}

}  // namespace mulenet::firewall::detail
