#include "firewall/nft_match.hpp"

#include <boost/json.hpp>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "firewall/rule_words.hpp"

namespace mulenet::firewall::detail {
namespace json = boost::json;
namespace {

// What a left-hand expression reads from the packet, as far as we can say.
enum class Field {
  l4proto,          // meta l4proto, ip protocol
  dport,            // th/tcp/udp dport
  ct_state,         // the packet is NEW
  ct_status,        // not NATed
  ct_direction,     // original
  input_interface,  // not loopback, otherwise unknown
  nfproto,          // ipv4
  ether_type,       // meta protocol ip
  daddr_type,       // fib daddr type local
  packet_type,      // meta pkttype host
  absent,           // the packet has no such header (ip6, icmp, the other L4 protocol)
  unknown,
};

std::optional<std::int64_t> integer_of(const json::value& value)
{
  if (const auto* signed_value = value.if_int64()) return *signed_value;
  if (const auto* unsigned_value = value.if_uint64()) {
    if (*unsigned_value <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(*unsigned_value);
  }
  return std::nullopt;  // doubles and huge numbers are no port or protocol
}

std::optional<std::int64_t> integer_in_text(std::string_view text)
{
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::int64_t number = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

Field payload_field(const json::object& payload, const InboundProbe& probe)
{
  const std::string_view protocol = text_of(payload.if_contains("protocol"));
  const std::string_view field = text_of(payload.if_contains("field"));
  if (protocol == "tcp" || protocol == "udp") {
    // "tcp dport" carries an implicit "meta l4proto tcp": it can never
    // match a UDP packet, whatever the operator.
    const bool ours = (protocol == "udp") == (probe.protocol == config::Protocol::udp);
    if (!ours) return Field::absent;
    return field == "dport" ? Field::dport : Field::unknown;
  }
  if (protocol == "th") return field == "dport" ? Field::dport : Field::unknown;
  if (protocol == "ip") return field == "protocol" ? Field::l4proto : Field::unknown;
  constexpr std::array<std::string_view, 12> other_headers{"ip6", "icmpv6", "icmp", "sctp", "dccp", "udplite",
                                                           "ah", "esp", "comp", "igmp", "arp", "gre"};
  if (one_of(protocol, other_headers)) return Field::absent;
  return Field::unknown;  // raw payloads, ether, vlan, ...
}

Field classify(const json::value& left, const InboundProbe& probe)
{
  const json::object* object = left.if_object();
  if (object == nullptr || object->size() != 1) return Field::unknown;
  const auto& [kind, body] = *object->begin();
  const json::object* fields = body.if_object();
  if (fields == nullptr) return Field::unknown;
  if (kind == "payload") return payload_field(*fields, probe);
  const std::string_view key = text_of(fields->if_contains("key"));
  if (kind == "meta") {
    if (key == "l4proto") return Field::l4proto;
    if (key == "nfproto") return Field::nfproto;
    if (key == "protocol") return Field::ether_type;
    if (key == "iifname" || key == "iif") return Field::input_interface;
    if (key == "pkttype") return Field::packet_type;
    return Field::unknown;
  }
  if (kind == "ct") {
    if (fields->contains("dir")) return Field::unknown;
    if (key == "state") return Field::ct_state;
    if (key == "status") return Field::ct_status;
    if (key == "direction") return Field::ct_direction;
    return Field::unknown;
  }
  if (kind == "fib") {
    const json::value* flags = fields->if_contains("flags");
    const bool by_daddr_only = flags != nullptr &&
                               (text_of(flags) == "daddr" ||
                                (flags->is_array() && flags->get_array().size() == 1 &&
                                 text_of(&flags->get_array()[0]) == "daddr"));
    if (text_of(fields->if_contains("result")) == "type" && by_daddr_only) return Field::daddr_type;
  }
  return Field::unknown;
}

std::optional<std::int64_t> ip_protocol_by_name(std::string_view name)
{
  constexpr std::array<std::pair<std::string_view, std::int64_t>, 13> protocols{{
      {"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"dccp", 33}, {"gre", 47}, {"esp", 50},
      {"ah", 51}, {"icmpv6", 58}, {"ipv6-icmp", 58}, {"comp", 108}, {"sctp", 132}, {"udplite", 136},
  }};
  for (const auto& [known, number] : protocols) {
    if (name == known) return number;
  }
  return integer_in_text(name);
}

// A known name means "yes" if it is the packet's, "no" if it is one of the
// others; a name we have never heard of could be anything.
Match named_value(std::string_view text, std::string_view packet_value, std::initializer_list<std::string_view> others)
{
  if (text == packet_value) return Match::yes;
  for (const auto other : others) {
    if (text == other) return Match::no;
  }
  return Match::maybe;
}

std::optional<std::int64_t> number_for(Field field, const json::value& element)
{
  if (auto number = integer_of(element)) return number;
  const auto* text = element.if_string();
  if (text == nullptr) return std::nullopt;
  const std::string_view name(text->data(), text->size());
  return field == Field::l4proto ? ip_protocol_by_name(name) : integer_in_text(name);
}

Match scalar_equals(Field field, const json::value& element, const InboundProbe& probe)
{
  if (field == Field::l4proto || field == Field::dport) {
    const auto number = number_for(field, element);
    if (!number) return Match::maybe;
    const std::int64_t packet_value = field == Field::dport ? probe.port : ip_protocol_number(probe.protocol);
    return *number == packet_value ? Match::yes : Match::no;
  }
  const std::string_view text = text_of(&element);
  if (text.empty()) return Match::maybe;
  switch (field) {
    case Field::ct_state: return named_value(text, "new", {"established", "related", "invalid", "untracked"});
    case Field::ct_status: return (text == "dnat" || text == "snat") ? Match::no : Match::maybe;
    case Field::ct_direction: return named_value(text, "original", {"reply"});
    case Field::input_interface: return text == "lo" ? Match::no : Match::maybe;
    case Field::nfproto: return named_value(text, "ipv4", {"ipv6"});
    case Field::ether_type: return named_value(text, "ip", {"ip6", "arp", "vlan", "8021q", "8021ad"});
    case Field::daddr_type:
      return named_value(text, "local", {"unicast", "broadcast", "anycast", "multicast", "blackhole", "unreachable",
                                         "prohibit", "throw", "nat", "xresolve", "unspec"});
    case Field::packet_type:
      if (text == "unicast") return Match::yes;
      return named_value(text, "host", {"broadcast", "multicast", "other"});
    default: return Match::maybe;
  }
}

// Named sets are resolved on the right-hand side of a rule only: an "@name"
// found among a set's own elements is not followed, so a malformed ruleset
// cannot send us round in circles.
enum class References { follow, ignore };

Match element_matches(Field field, const json::value& element, const NftMatchContext& context, References references);

Match any_element(Field field, const json::array& elements, const NftMatchContext& context, References references)
{
  Match result = Match::no;
  for (const auto& element : elements) {
    result = either(result, element_matches(field, element, context, references));
    if (result == Match::yes) break;
  }
  return result;
}

Match element_matches(Field field, const json::value& element, const NftMatchContext& context, References references)
{
  if (field == Field::unknown) return Match::maybe;
  if (const auto* list = element.if_array()) return any_element(field, *list, context, references);  // flag lists
  if (text_of(&element).starts_with('@')) {
    const json::array* members = references == References::follow ? nft_named_set(element, context) : nullptr;
    return members == nullptr ? Match::maybe : any_element(field, *members, context, References::ignore);
  }
  const json::object* object = element.if_object();
  if (object == nullptr) return scalar_equals(field, element, context.probe);
  if (object->size() != 1) return Match::maybe;
  const auto& [kind, body] = *object->begin();
  if (kind == "set") {
    if (const auto* members = body.if_array()) return any_element(field, *members, context, references);
    return element_matches(field, body, context, references);  // a set of one
  }
  if (kind == "elem") {
    if (const auto* fields = body.if_object()) {
      if (const auto* value = fields->if_contains("val")) return element_matches(field, *value, context, references);
    }
    return Match::maybe;
  }
  if (kind == "range") {
    const json::array* bounds = body.if_array();
    if (bounds == nullptr || bounds->size() != 2 || (field != Field::dport && field != Field::l4proto)) return Match::maybe;
    const auto low = number_for(field, (*bounds)[0]);
    const auto high = number_for(field, (*bounds)[1]);
    if (!low || !high) return Match::maybe;
    const std::int64_t packet_value = field == Field::dport ? context.probe.port : ip_protocol_number(context.probe.protocol);
    return (*low <= packet_value && packet_value <= *high) ? Match::yes : Match::no;
  }
  return Match::maybe;  // prefixes, concatenations, ...
}

Match compare(Field field, std::string_view op, const json::value& right, const NftMatchContext& context)
{
  if (op == "==" || op == "in") return element_matches(field, right, context, References::follow);
  if (op == "!=") return negate(element_matches(field, right, context, References::follow));
  if (field != Field::dport && field != Field::l4proto) return Match::maybe;
  const auto bound = number_for(field, right);
  if (!bound) return Match::maybe;
  const std::int64_t value = field == Field::dport ? context.probe.port : ip_protocol_number(context.probe.protocol);
  std::optional<bool> holds;
  if (op == "<") holds = value < *bound;
  if (op == "<=") holds = value <= *bound;
  if (op == ">") holds = value > *bound;
  if (op == ">=") holds = value >= *bound;
  if (!holds) return Match::maybe;
  return *holds ? Match::yes : Match::no;
}

}  // namespace

const json::array* nft_named_set(const json::value& reference, const NftMatchContext& context)
{
  const std::string_view text = text_of(&reference);
  if (!text.starts_with('@') || context.sets == nullptr) return nullptr;
  const auto found = context.sets->find(text.substr(1));
  return found == context.sets->end() ? nullptr : found->second;
}

Match nft_match(const json::value& match_body, const NftMatchContext& context)
{
  const json::object* fields = match_body.if_object();
  if (fields == nullptr) return Match::maybe;
  const json::value* left = fields->if_contains("left");
  const json::value* right = fields->if_contains("right");
  if (left == nullptr || right == nullptr) return Match::maybe;
  const Field field = classify(*left, context.probe);
  // A header the packet lacks fails the match whatever the operator: nft
  // only compares after checking that the header is there.
  if (field == Field::absent) return Match::no;
  const json::value* op = fields->if_contains("op");
  return compare(field, op == nullptr ? "==" : text_of(op), *right, context);
}

Match nft_key_equals(const json::value& key, const json::value& element, const NftMatchContext& context)
{
  const Field field = classify(key, context.probe);
  if (field == Field::absent) return Match::no;
  return element_matches(field, element, context, References::ignore);
}

}  // namespace mulenet::firewall::detail
