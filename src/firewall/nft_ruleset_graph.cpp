#include "firewall/nft_ruleset_graph.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "firewall/nft_match.hpp"
#include "firewall/nft_text.hpp"
#include "firewall/rule_words.hpp"

namespace mulenet::firewall::detail {
namespace json = boost::json;
namespace {

// Real rulesets nest about ten levels; more is not nft output.
constexpr std::size_t max_json_depth = 64;

// Chains and sets are named within a table, tables within a family.
std::string table_key(std::string_view family, std::string_view table)
{
  std::string key(family);
  key += '\0';
  key += table;
  return key;
}

struct Names {
  std::string family;
  std::string table;
  std::string name;
};

std::optional<Names> names_of(const json::object& object, std::string_view table_field)
{
  const std::string_view family = text_of(object.if_contains("family"));
  const std::string_view table = text_of(object.if_contains(table_field));
  const std::string_view name = text_of(object.if_contains("name"));
  if (family.empty() || table.empty() || name.empty()) return std::nullopt;
  return Names{std::string(family), std::string(table), std::string(name)};
}

// A verdict statement or the verdict of a verdict-map entry.
struct ParsedVerdict {
  Action action = Action::unknown;
  std::string target;  // jump/goto
  bool operator==(const ParsedVerdict&) const = default;
};

std::optional<ParsedVerdict> verdict_of(const json::value& statement)
{
  const json::object* object = statement.if_object();
  if (object == nullptr || object->size() != 1) return std::nullopt;
  const auto& [kind, body] = *object->begin();
  if (kind == "accept") return ParsedVerdict{Action::accept, {}};
  if (kind == "drop" || kind == "reject") return ParsedVerdict{Action::drop, {}};
  if (kind == "return") return ParsedVerdict{Action::leave, {}};
  if (kind == "continue") return ParsedVerdict{Action::none, {}};
  if (kind == "jump" || kind == "goto") {
    const json::object* fields = body.if_object();
    const std::string_view target = fields == nullptr ? std::string_view{} : text_of(fields->if_contains("target"));
    return ParsedVerdict{kind == "jump" ? Action::jump : Action::go_to, std::string(target)};
  }
  if (kind == "queue") return ParsedVerdict{Action::unknown, {}};  // a userspace program decides
  return std::nullopt;
}

// A match against "@name" whose elements the listing left out.
bool unlisted_set(const json::value& match_body, const NftMatchContext& context)
{
  const json::object* fields = match_body.if_object();
  const json::value* right = fields == nullptr ? nullptr : fields->if_contains("right");
  return right != nullptr && text_of(right).starts_with('@') && nft_named_set(*right, context) == nullptr;
}

class RulesetReader {
 public:
  explicit RulesetReader(const InboundProbe& probe) : probe_(probe) {}

  std::variant<RuleGraph, std::string> read(const json::array& entries);

 private:
  std::optional<std::string> read_chain(const json::object& chain);
  std::optional<std::string> read_rule(const json::object& rule);
  void read_statement(const json::value& statement, GraphRule& rule, std::optional<ParsedVerdict>& verdict,
                      std::string& unknown_statement, const NftMatchContext& context);
  void read_vmap(const json::object& vmap, const std::string& text, GraphRule& rule,
                 std::optional<ParsedVerdict>& verdict, const NftMatchContext& context);
  std::size_t chain_index(const std::string& table, std::string_view name) const
  {
    const auto found = chains_by_table_.find(table);
    if (found == chains_by_table_.end()) return no_chain;
    const auto chain = found->second.find(name);
    return chain == found->second.end() ? no_chain : chain->second;
  }

  InboundProbe probe_;
  RuleGraph graph_;
  std::map<std::string, std::map<std::string, std::size_t, std::less<>>> chains_by_table_;
  std::map<std::string, NftNamedSets> sets_by_table_;
  bool saw_ip6_input_ = false;
};

std::variant<RuleGraph, std::string> RulesetReader::read(const json::array& entries)
{
  // Sets first: rules may use sets listed after them.
  for (const auto& entry : entries) {
    const json::object* object = entry.if_object();
    if (object == nullptr) return std::string("an entry of the \"nftables\" array is not an object");
    for (const std::string_view kind : {std::string_view("set"), std::string_view("map")}) {
      const json::value* body = object->if_contains(kind);
      if (body == nullptr) continue;
      const json::object* fields = body->if_object();
      const auto names = fields == nullptr ? std::nullopt : names_of(*fields, "table");
      if (!names) return "a " + std::string(kind) + " without family, table or name";
      const json::value* elements = fields->if_contains("elem");
      sets_by_table_[table_key(names->family, names->table)][names->name] =
          elements == nullptr ? nullptr : elements->if_array();
    }
  }
  for (const auto& entry : entries) {
    if (const json::value* chain = entry.get_object().if_contains("chain")) {
      const json::object* fields = chain->if_object();
      if (fields == nullptr) return std::string("a chain entry is not an object");
      if (auto problem = read_chain(*fields)) return *problem;
    }
  }
  for (const auto& entry : entries) {
    if (const json::value* rule = entry.get_object().if_contains("rule")) {
      const json::object* fields = rule->if_object();
      if (fields == nullptr) return std::string("a rule entry is not an object");
      if (auto problem = read_rule(*fields)) return *problem;
    }
  }
  if (graph_.base_chains.empty()) {
    graph_.without_base_chains = saw_ip6_input_ ? "no input filter chain for IPv4 (only ip6 ones)" : "no input filter chain";
  }
  return std::move(graph_);
}

std::optional<std::string> RulesetReader::read_chain(const json::object& chain)
{
  const auto names = names_of(chain, "table");
  if (!names) return "a chain without family, table or name";
  const std::string key = table_key(names->family, names->table);
  auto& chains = chains_by_table_[key];
  if (chains.contains(names->name)) return "chain " + names->name + " is listed twice";
  const std::size_t index = graph_.chains.size();
  chains.emplace(names->name, index);
  graph_.chains.push_back({"table " + names->family + " " + names->table, names->name, {}});

  // Only filter base chains on the input hook decide whether a packet for
  // this host gets in; ip6 ones never see an IPv4 packet.
  const std::string_view type = text_of(chain.if_contains("type"));
  if (text_of(chain.if_contains("hook")) != "input" || (!type.empty() && type != "filter")) return std::nullopt;
  if (names->family == "ip6") saw_ip6_input_ = true;
  if (names->family != "ip" && names->family != "inet") return std::nullopt;

  BaseChain base;
  base.chain = index;
  const std::string_view policy = text_of(chain.if_contains("policy"));
  base.policy = policy.empty() ? "accept" : std::string(policy);
  if (base.policy != "accept" && base.policy != "drop") return "chain " + names->name + " has an unknown policy";
  base.policy_accepts = base.policy == "accept";
  if (const json::value* priority = chain.if_contains("prio")) {
    if (const auto* number = priority->if_int64()) base.priority = *number;
  }
  graph_.base_chains.push_back(std::move(base));
  return std::nullopt;
}

std::optional<std::string> RulesetReader::read_rule(const json::object& rule_object)
{
  const std::string_view family = text_of(rule_object.if_contains("family"));
  const std::string_view table = text_of(rule_object.if_contains("table"));
  const std::string_view chain_name = text_of(rule_object.if_contains("chain"));
  const std::string key = table_key(family, table);
  const std::size_t chain = chain_index(key, chain_name);
  if (chain == no_chain) return "a rule for chain '" + std::string(chain_name) + "' that is not listed";
  const json::value* statements = rule_object.if_contains("expr");
  if (statements == nullptr || !statements->is_array()) return std::string("a rule without an \"expr\" list");

  const auto sets = sets_by_table_.find(key);
  const NftMatchContext context{probe_, sets == sets_by_table_.end() ? nullptr : &sets->second};
  GraphRule rule;
  rule.text = nft_rule_text(*statements, rule_object.if_contains("comment"));
  std::optional<ParsedVerdict> verdict;
  std::string unknown_statement;
  for (const auto& statement : statements->get_array()) {
    read_statement(statement, rule, verdict, unknown_statement, context);
  }
  if (!unknown_statement.empty()) {
    // A statement we do not know might drop, accept or change the packet.
    rule.action = Action::unknown;
    rule.action_doubt = "'" + unknown_statement + "', which mulenet does not understand";
  } else if (verdict) {
    rule.action = verdict->action;
    if (verdict->action == Action::jump || verdict->action == Action::go_to) {
      rule.target = chain_index(key, verdict->target);
    } else if (verdict->action == Action::unknown && rule.action_doubt.empty()) {
      rule.action_doubt = "its verdict";
    }
  }
  graph_.chains[chain].rules.push_back(std::move(rule));
  return std::nullopt;
}

void RulesetReader::read_statement(const json::value& statement, GraphRule& rule, std::optional<ParsedVerdict>& verdict,
                                   std::string& unknown_statement, const NftMatchContext& context)
{
  const json::object* object = statement.if_object();
  if (object == nullptr || object->size() != 1) {
    if (unknown_statement.empty()) unknown_statement = nft_statement_text(statement);
    return;
  }
  const auto& [kind, body] = *object->begin();
  if (kind == "match") {
    const Match match = nft_match(body, context);
    std::string text = nft_statement_text(statement);
    if (match == Match::maybe && unlisted_set(body, context)) text += " (the set's elements are not listed)";
    rule.match.require(match, text);
    return;
  }
  if (auto parsed = verdict_of(statement)) {
    if (parsed->action == Action::unknown) rule.action_doubt = "'" + nft_statement_text(statement) + "'";
    verdict = std::move(parsed);
    return;
  }
  // Statements that never decide a packet's fate.
  constexpr std::array<std::string_view, 3> harmless{"counter", "log", "mangle"};
  if (one_of(kind, harmless)) return;
  // Statements that let only some packets through to the rest of the rule.
  constexpr std::array<std::string_view, 4> filtering{"limit", "quota", "connlimit", "meter"};
  if (one_of(kind, filtering)) {
    rule.match.require(Match::maybe, nft_statement_text(statement));
    return;
  }
  if (kind == "vmap") {
    if (const auto* fields = body.if_object()) {
      read_vmap(*fields, nft_statement_text(statement), rule, verdict, context);
      return;
    }
  }
  if (kind == "xt") {
    // iptables-nft rules that nft shows only by the extension's name: the
    // options that would tell us what they match are not in the JSON.
    const json::object* fields = body.if_object();
    const std::string_view xt_type = fields == nullptr ? std::string_view{} : text_of(fields->if_contains("type"));
    const std::string_view name = fields == nullptr ? std::string_view{} : text_of(fields->if_contains("name"));
    if (xt_type == "match") {
      if (name == "comment") return;
      rule.match.require(Match::maybe, nft_statement_text(statement) +
                                           ", an iptables-nft extension that only iptables-save shows in full");
      return;
    }
    if (xt_type == "target") {
      constexpr std::array<std::string_view, 8> non_deciding{"LOG", "NFLOG", "ULOG", "AUDIT", "TRACE", "MARK", "CONNMARK", "CLASSIFY"};
      if (one_of(name, non_deciding)) return;
      if (name == "REJECT") {
        verdict = ParsedVerdict{Action::drop, {}};
        return;
      }
    }
  }
  if (unknown_statement.empty()) unknown_statement = nft_statement_text(statement);
}

void RulesetReader::read_vmap(const json::object& vmap, const std::string& text, GraphRule& rule,
                              std::optional<ParsedVerdict>& verdict, const NftMatchContext& context)
{
  const json::value* key = vmap.if_contains("key");
  const json::value* data = vmap.if_contains("data");
  const json::array* entries = nullptr;
  if (data != nullptr) {
    if (const auto* data_object = data->if_object()) {
      if (const auto* set = data_object->if_contains("set")) entries = set->if_array();
    } else {
      entries = nft_named_set(*data, context);
    }
  }
  if (key == nullptr || entries == nullptr) {
    rule.match.require(Match::maybe, text);
    verdict = ParsedVerdict{Action::unknown, {}};
    rule.action_doubt = "'" + text + "'";
    return;
  }
  // The entry the packet's key selects; several when unsure. No entry at
  // all means the rule does not fire.
  std::optional<ParsedVerdict> certain;
  std::vector<ParsedVerdict> possible;
  bool unsure = false;
  for (const auto& entry : *entries) {
    const json::array* pair = entry.if_array();
    std::optional<ParsedVerdict> entry_verdict;
    Match selected = Match::maybe;
    if (pair != nullptr && pair->size() == 2) {
      entry_verdict = verdict_of((*pair)[1]);
      selected = nft_key_equals(*key, (*pair)[0], context);
    }
    if (selected == Match::no) continue;
    if (!entry_verdict) entry_verdict = ParsedVerdict{Action::unknown, {}};
    if (selected == Match::maybe) unsure = true;
    if (selected == Match::yes && !certain) certain = entry_verdict;
    possible.push_back(*entry_verdict);
  }
  if (possible.empty()) {
    rule.match.require(Match::no, text);
    return;
  }
  if (!unsure && certain) {
    verdict = certain;
    return;
  }
  rule.match.require(Match::maybe, text);
  const bool all_same = std::all_of(possible.begin(), possible.end(),
                                    [&](const ParsedVerdict& each) { return each == possible.front(); });
  verdict = all_same ? possible.front() : ParsedVerdict{Action::unknown, {}};
  if (!all_same) rule.action_doubt = "'" + text + "'";
}

}  // namespace

std::variant<RuleGraph, std::string> read_nft_ruleset(std::string_view nft_json, const InboundProbe& probe)
{
  json::parse_options options;
  options.max_depth = max_json_depth;
  boost::system::error_code error;
  const json::value document = json::parse(json::string_view(nft_json.data(), nft_json.size()), error, {}, options);
  if (error) return "not valid JSON (" + error.message() + ")";
  const json::object* root = document.if_object();
  const json::value* entries = root == nullptr ? nullptr : root->if_contains("nftables");
  if (entries == nullptr || !entries->is_array()) {
    return std::string("JSON without an \"nftables\" list, not the output of nft -j list ruleset");
  }
  return RulesetReader(probe).read(entries->get_array());
}

}  // namespace mulenet::firewall::detail
