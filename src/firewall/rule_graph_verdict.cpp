#include "firewall/rule_graph_verdict.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace mulenet::firewall::detail {
namespace {

// Where a walk through one chain can end. `leave` is falling off the end or
// `return`: back to the caller, or to the policy for a base chain.
struct Outcomes {
  bool accept = false;
  bool drop = false;
  bool leave = false;

  static Outcomes all() { return {true, true, true}; }
  [[nodiscard]] bool empty() const { return !accept && !drop && !leave; }
  Outcomes& operator|=(const Outcomes& other)
  {
    accept = accept || other.accept;
    drop = drop || other.drop;
    leave = leave || other.leave;
    return *this;
  }
};

enum class End { accept, drop, leave };

Outcomes only(End end)
{
  return {end == End::accept, end == End::drop, end == End::leave};
}

// A rule on the packet's path whose condition we could not decide: had it
// fired, the walk could have ended in one of `could`.
struct Doubt {
  std::string rule;        // "rule '...' in table ... chain ..."
  std::string depends_on;  // what made it unsure
  Outcomes could;
};

// The packet's path through a chain, taking every unsure rule as not firing.
struct Walk {
  End end = End::leave;
  std::string decided_by;
  std::vector<Doubt> doubts;
};

std::string describe(const GraphRule& rule, const GraphChain& chain)
{
  return "rule '" + rule.text + "' in " + chain.table + " chain " + chain.name;
}

std::string describe_policy(const GraphChain& chain, const BaseChain& base)
{
  return chain.table + ", chain " + chain.name + ": policy " + base.policy;
}

class Evaluator {
 public:
  explicit Evaluator(const RuleGraph& graph)
      : graph_(graph), suffix_cache_(graph.chains.size()), in_progress_(graph.chains.size(), false)
  {
  }

  InboundVerdict decide();

 private:
  // Enough for any real ruleset many times over; a crafted one that fans
  // out jumps exponentially ends as "unknown" instead of taking forever.
  static constexpr long step_budget = 200000;

  bool spend()
  {
    if (steps_left_ <= 0) return false;
    --steps_left_;
    return true;
  }

  [[nodiscard]] bool valid_chain(std::size_t chain) const { return chain < graph_.chains.size(); }

  // Every way the walk can end from rule `index` of `chain` on, counting
  // unsure rules as both firing and not. Memoised per chain, so each chain
  // is summarised once however often it is jumped to.
  Outcomes suffix(std::size_t chain, std::size_t index, int depth)
  {
    if (!valid_chain(chain) || depth > max_jump_depth || in_progress_[chain]) return Outcomes::all();
    if (!suffix_cache_[chain]) {
      in_progress_[chain] = true;
      const auto& rules = graph_.chains[chain].rules;
      // from[i]: the outcomes from rule i on; past the last rule, the chain is left.
      std::vector<Outcomes> from(rules.size() + 1, only(End::leave));
      for (std::size_t i = rules.size(); i-- > 0;) {
        if (!spend()) {
          from[i] = Outcomes::all();
          continue;
        }
        from[i] = rule_outcomes(rules[i], from[i + 1], depth);
      }
      in_progress_[chain] = false;
      suffix_cache_[chain] = std::move(from);
    }
    const auto& from = *suffix_cache_[chain];
    return index < from.size() ? from[index] : only(End::leave);
  }

  Outcomes rule_outcomes(const GraphRule& rule, const Outcomes& after, int depth)
  {
    if (rule.match.match == Match::no) return after;
    Outcomes result;
    switch (rule.action) {
      case Action::none: result = after; break;
      case Action::jump: {
        Outcomes inside = suffix(rule.target, 0, depth + 1);
        // Coming back from the jump means carrying on after this rule.
        const bool comes_back = inside.leave;
        inside.leave = false;
        result = inside;
        if (comes_back) result |= after;
        break;
      }
      default: result = if_fired(rule, depth); break;
    }
    if (rule.match.match == Match::maybe) result |= after;
    return result;
  }

  // Where the walk can end if an unsure rule fires, leaving out "goes on
  // with the next rule", which is what the walk assumes anyway.
  Outcomes if_fired(const GraphRule& rule, int depth)
  {
    switch (rule.action) {
      case Action::none: return {};
      case Action::accept: return only(End::accept);
      case Action::drop: return only(End::drop);
      case Action::leave: return only(End::leave);
      case Action::unknown: return Outcomes::all();
      case Action::jump: {
        Outcomes inside = suffix(rule.target, 0, depth + 1);
        inside.leave = false;
        return inside;
      }
      case Action::go_to: return suffix(rule.target, 0, depth + 1);
    }
    return Outcomes::all();
  }

  Walk walk(std::size_t chain_index, int depth);

  const RuleGraph& graph_;
  std::vector<std::optional<std::vector<Outcomes>>> suffix_cache_;
  std::vector<bool> in_progress_;
  long steps_left_ = step_budget;
};

Walk Evaluator::walk(std::size_t chain_index, int depth)
{
  Walk result;
  const GraphChain& chain = graph_.chains[chain_index];
  for (std::size_t i = 0; i < chain.rules.size(); ++i) {
    if (!spend()) return result;
    const GraphRule& rule = chain.rules[i];
    if (rule.match.match == Match::no) continue;
    if (rule.match.match == Match::maybe) {
      const Outcomes could = if_fired(rule, depth);
      if (!could.empty()) result.doubts.push_back({describe(rule, chain), rule.match.depends_on, could});
      continue;
    }
    switch (rule.action) {
      case Action::none: continue;
      case Action::accept:
      case Action::drop:
      case Action::leave:
        result.end = rule.action == Action::accept ? End::accept : rule.action == Action::drop ? End::drop : End::leave;
        result.decided_by = describe(rule, chain);
        return result;
      case Action::unknown:
        result.doubts.push_back({describe(rule, chain), rule.action_doubt, Outcomes::all()});
        continue;
      case Action::jump:
      case Action::go_to: break;
    }
    if (!valid_chain(rule.target) || depth + 1 > max_jump_depth) {
      const char* why = valid_chain(rule.target) ? "chains nested too deep to follow" : "its target chain is not listed";
      result.doubts.push_back({describe(rule, chain), why, Outcomes::all()});
      continue;
    }
    Walk inside = walk(rule.target, depth + 1);
    const bool comes_back = rule.action == Action::jump && inside.end == End::leave;
    // An unsure rule inside that would have left the called chain early: for
    // a goto that leaves this chain too; after a jump the walk carries on
    // here, which changes nothing if the called chain comes back anyway.
    const Outcomes after_jump =
        rule.action == Action::jump && !comes_back ? suffix(chain_index, i + 1, depth) : Outcomes{};
    for (auto& doubt : inside.doubts) {
      if (rule.action == Action::jump && doubt.could.leave) {
        doubt.could.leave = false;
        doubt.could |= after_jump;
      }
      if (!doubt.could.empty()) result.doubts.push_back(std::move(doubt));
    }
    if (comes_back) continue;
    result.end = inside.end;
    result.decided_by = std::move(inside.decided_by);
    return result;
  }
  result.end = End::leave;
  return result;
}

// The verdict of one base chain, its policy applied.
struct BaseWalk {
  End end = End::accept;  // accept or drop
  std::string decided_by;
  std::vector<Doubt> doubts;
  Outcomes possible;  // end plus whatever the doubts could lead to

  [[nodiscard]] bool certainly(End which) const
  {
    const Outcomes wanted = only(which);
    return possible.accept == wanted.accept && possible.drop == wanted.drop;
  }
};

const char* verb(const Outcomes& could)
{
  if (could.accept && could.drop) return "accept or drop";
  return could.accept ? "accept" : "drop";
}

InboundVerdict unsure_verdict(const BaseWalk& base)
{
  const char* otherwise = base.end == End::accept ? "accepted" : "dropped";
  for (const auto& doubt : base.doubts) {
    const bool differs = base.end == End::accept ? doubt.could.drop : doubt.could.accept;
    if (!differs) continue;
    std::string reason = doubt.rule + " may " + verb(doubt.could) + " the packet";
    if (!doubt.depends_on.empty()) reason += " (it depends on " + doubt.depends_on + ")";
    reason += "; if not, it is " + std::string(otherwise) + " by " + base.decided_by;
    return {Verdict::unknown, std::move(reason)};
  }
  return {Verdict::unknown, "undecided; otherwise " + std::string(otherwise) + " by " + base.decided_by};
}

InboundVerdict Evaluator::decide()
{
  if (graph_.base_chains.empty()) return {Verdict::allowed, graph_.without_base_chains};

  std::vector<BaseChain> order = graph_.base_chains;
  std::stable_sort(order.begin(), order.end(),
                   [](const BaseChain& a, const BaseChain& b) { return a.priority < b.priority; });

  std::vector<BaseWalk> walks;
  for (const auto& base : order) {
    if (!valid_chain(base.chain)) return {Verdict::unknown, "a base chain is missing from the ruleset"};
    const GraphChain& chain = graph_.chains[base.chain];
    const End policy = base.policy_accepts ? End::accept : End::drop;
    Walk walked = walk(base.chain, 0);
    BaseWalk result;
    result.end = walked.end == End::leave ? policy : walked.end;
    result.decided_by = walked.end == End::leave ? describe_policy(chain, base) : std::move(walked.decided_by);
    result.possible = only(result.end);
    for (auto& doubt : walked.doubts) {
      if (doubt.could.leave) {
        doubt.could.leave = false;
        doubt.could |= only(policy);
      }
      result.possible |= doubt.could;
      result.doubts.push_back(std::move(doubt));
    }
    walks.push_back(std::move(result));
  }
  if (steps_left_ <= 0) return {Verdict::unknown, "the ruleset is too large to evaluate"};

  // One chain that surely drops is enough, whatever the others do.
  for (const auto& base : walks) {
    if (base.certainly(End::drop)) return {Verdict::blocked, base.decided_by};
  }
  const bool all_accept =
      std::all_of(walks.begin(), walks.end(), [](const BaseWalk& base) { return base.certainly(End::accept); });
  if (all_accept) {
    std::string reason;
    for (const auto& base : walks) reason += (reason.empty() ? "" : "; then ") + base.decided_by;
    return {Verdict::allowed, std::move(reason)};
  }
  for (const auto& base : walks) {
    if (!base.certainly(End::accept)) return unsure_verdict(base);
  }
  return {Verdict::unknown, "undecided"};
}

}  // namespace

InboundVerdict decide_inbound(const RuleGraph& graph)
{
  return Evaluator(graph).decide();
}

}  // namespace mulenet::firewall::detail
