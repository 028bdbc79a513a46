#include "firewall/iptables_rule_match.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "firewall/rule_words.hpp"

namespace mulenet::firewall::detail {
namespace {

std::optional<std::int64_t> number_in(std::string_view text)
{
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::int64_t number = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

std::string upper(std::string_view text)
{
  std::string result(text);
  for (char& c : result) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return result;
}

// Calls `each` for every comma-separated item of a list option.
template <typename Each>
void for_each_item(std::string_view list, Each each)
{
  while (true) {
    const auto comma = list.find(',');
    each(list.substr(0, comma));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

Match protocol_match(std::string_view name, const InboundProbe& probe)
{
  if (name == "all" || name == "0") return Match::yes;
  constexpr std::array<std::pair<std::string_view, std::int64_t>, 13> protocols{{
      {"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"dccp", 33}, {"gre", 47}, {"esp", 50},
      {"ah", 51}, {"icmpv6", 58}, {"ipv6-icmp", 58}, {"comp", 108}, {"sctp", 132}, {"udplite", 136},
  }};
  std::optional<std::int64_t> number = number_in(name);
  for (const auto& [known, value] : protocols) {
    if (name == known) number = value;
  }
  if (!number) return Match::maybe;
  return *number == ip_protocol_number(probe.protocol) ? Match::yes : Match::no;
}

// "22", "4660:4670", "4660:" or ":1024".
Match port_range_match(std::string_view spec, std::uint16_t port)
{
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) {
    const auto single = number_in(spec);
    if (!single) return Match::maybe;  // a service name
    return *single == port ? Match::yes : Match::no;
  }
  const std::string_view low_text = spec.substr(0, colon);
  const std::string_view high_text = spec.substr(colon + 1);
  const auto low = low_text.empty() ? std::optional<std::int64_t>(0) : number_in(low_text);
  const auto high = high_text.empty() ? std::optional<std::int64_t>(65535) : number_in(high_text);
  if (!low || !high) return Match::maybe;
  return (*low <= port && port <= *high) ? Match::yes : Match::no;
}

Match port_list_match(std::string_view list, std::uint16_t port)
{
  Match result = Match::no;
  for_each_item(list, [&](std::string_view item) { result = either(result, port_range_match(item, port)); });
  return result;
}

// conntrack --ctstate / state --state: the probe packet is NEW.
Match conntrack_state_match(std::string_view list)
{
  constexpr std::array<std::string_view, 6> other_states{"ESTABLISHED", "RELATED", "INVALID", "UNTRACKED", "SNAT", "DNAT"};
  Match result = Match::no;
  for_each_item(list, [&](std::string_view item) {
    const std::string state = upper(item);
    Match this_one = Match::maybe;
    if (state == "NEW") this_one = Match::yes;
    for (const auto other : other_states) {
      if (state == other) this_one = Match::no;
    }
    result = either(result, this_one);
  });
  return result;
}

// addrtype --dst-type: the probe packet is addressed to one of our own
// unicast addresses, which the kernel calls LOCAL.
Match destination_type_match(std::string_view list)
{
  constexpr std::array<std::string_view, 11> other_types{"UNSPEC", "UNICAST", "BROADCAST", "ANYCAST",
                                                         "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT",
                                                         "THROW", "NAT", "XRESOLVE"};
  Match result = Match::no;
  for_each_item(list, [&](std::string_view item) {
    const std::string type = upper(item);
    Match this_one = Match::maybe;
    if (type == "LOCAL") this_one = Match::yes;
    for (const auto other : other_types) {
      if (type == other) this_one = Match::no;
    }
    result = either(result, this_one);
  });
  return result;
}

bool is_option(std::string_view word)
{
  return word.size() > 1 && word.front() == '-';
}

}  // namespace

std::optional<IptablesRuleMatch> match_iptables_rule(std::span<const std::string> words, const InboundProbe& probe)
{
  IptablesRuleMatch result;
  std::string module;  // the last -m, to name unknown options in reasons
  bool negated = false;
  std::size_t i = 0;
  while (i < words.size()) {
    const std::string_view option = words[i];
    if (option == "!") {
      negated = true;
      ++i;
      continue;
    }
    if (!is_option(option)) return std::nullopt;  // a value where an option belongs
    if (option == "--syn") {
      // A NEW TCP connection starts with a bare SYN.
      result.match.require(negated ? Match::no : Match::yes, option);
      negated = false;
      ++i;
      continue;
    }
    if (option == "-4" || option == "-6") {
      result.match.require(option == "-6" ? Match::no : Match::yes, option);
      negated = false;
      ++i;
      continue;
    }
    // Every other option we know takes exactly one value.
    constexpr std::array<std::string_view, 32> with_value{
        "-p", "--protocol", "-i", "--in-interface", "-o", "--out-interface", "-s", "--source", "--src", "-d",
        "--destination", "--dst", "-m", "--match", "--dport", "--destination-port", "--sport", "--source-port",
        "--dports", "--destination-ports", "--sports", "--source-ports", "--ports", "--ctstate", "--state",
        "--dst-type", "--src-type", "--comment", "-j", "--jump", "-g", "--goto"};
    if (one_of(option, with_value)) {
      if (i + 1 >= words.size()) return std::nullopt;
      const std::string_view value = words[i + 1];
      const std::string part_text = (negated ? "! " : "") + std::string(option) + " " + std::string(value);
      const auto require = [&](Match match) { result.match.require(negated ? negate(match) : match, part_text); };
      i += 2;
      if (option == "-j" || option == "--jump" || option == "-g" || option == "--goto") {
        result.target = value;
        result.is_goto = option == "-g" || option == "--goto";
        return result;  // what follows are the target's own options
      }
      if (option == "-m" || option == "--match") {
        module = value;
      } else if (option == "-p" || option == "--protocol") {
        require(protocol_match(value, probe));
      } else if (option == "-i" || option == "--in-interface") {
        // Only loopback is certain: the probe never comes in over it.
        require(value == "lo" ? Match::no : Match::maybe);
      } else if (option == "--dport" || option == "--destination-port") {
        require(port_range_match(value, probe.port));
      } else if (option == "--dports" || option == "--destination-ports") {
        require(port_list_match(value, probe.port));
      } else if (option == "--ports") {
        // Source or destination port: our destination port settles a yes only.
        const Match ours = port_list_match(value, probe.port);
        require(ours == Match::yes ? Match::yes : Match::maybe);
      } else if (option == "--ctstate" || option == "--state") {
        require(conntrack_state_match(value));
      } else if (option == "--dst-type") {
        require(destination_type_match(value));
      } else if (option != "--comment") {
        result.match.require(Match::maybe, part_text);  // addresses, source ports, out interface
      }
      negated = false;
      continue;
    }
    // An option of some other extension (limit, recent, mark, ...): we do
    // not know what it matches, nor exactly how many values it takes; take
    // the words up to the next option as its values.
    std::string part_text = (module.empty() ? std::string() : "-m " + module + " ") + (negated ? "! " : "") +
                            std::string(option);
    ++i;
    while (i < words.size() && !is_option(words[i]) && words[i] != "!") {
      part_text += " " + words[i];
      ++i;
    }
    result.match.require(Match::maybe, part_text);
    negated = false;
  }
  return result;
}

}  // namespace mulenet::firewall::detail
