#include "firewall/nft_text.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>
#include <string_view>

namespace mulenet::firewall::detail {
namespace json = boost::json;
namespace {

// Long sets would make unreadable reasons; the start identifies the rule.
constexpr std::size_t max_text_length = 240;

std::string_view string_or(const json::value* value, std::string_view fallback)
{
  if (value == nullptr) return fallback;
  if (const auto* text = value->if_string()) return *text;
  return fallback;
}

std::string member_text(const json::object& object, std::string_view key)
{
  const json::value* value = object.if_contains(key);
  return value == nullptr ? std::string() : nft_expression_text(*value);
}

std::string joined(const json::array& items, std::string_view separator)
{
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += nft_expression_text(item);
    if (text.size() > max_text_length) break;
  }
  return text;
}

// nft prints these meta keys without the "meta" keyword.
bool is_unqualified_meta_key(std::string_view key)
{
  constexpr std::array<std::string_view, 8> keys{"iif", "iifname", "oif", "oifname",
                                                 "iiftype", "oiftype", "iifgroup", "oifgroup"};
  for (const auto known : keys) {
    if (key == known) return true;
  }
  return false;
}

std::string object_text(std::string_view kind, const json::value& body)
{
  const json::object* fields = body.if_object();
  if (kind == "payload" && fields != nullptr) {
    if (fields->contains("protocol")) return member_text(*fields, "protocol") + " " + member_text(*fields, "field");
    return "@" + member_text(*fields, "base") + "," + member_text(*fields, "offset") + "," + member_text(*fields, "len");
  }
  if (kind == "meta" && fields != nullptr) {
    const std::string key = member_text(*fields, "key");
    return is_unqualified_meta_key(key) ? key : "meta " + key;
  }
  if (kind == "ct" && fields != nullptr) {
    const std::string direction = member_text(*fields, "dir");
    return "ct " + (direction.empty() ? "" : direction + " ") + member_text(*fields, "key");
  }
  if (kind == "fib" && fields != nullptr) {
    const json::value* flags = fields->if_contains("flags");
    std::string flag_text;
    if (flags != nullptr && flags->is_array()) {
      flag_text = joined(flags->get_array(), " . ");
    } else if (flags != nullptr) {
      flag_text = nft_expression_text(*flags);
    }
    return "fib " + flag_text + " " + member_text(*fields, "result");
  }
  if (kind == "set") {
    if (const auto* items = body.if_array()) return "{ " + joined(*items, ", ") + " }";
    return "{ " + nft_expression_text(body) + " }";
  }
  if (kind == "range") {
    if (const auto* bounds = body.if_array()) return joined(*bounds, "-");
  }
  if (kind == "prefix" && fields != nullptr) return member_text(*fields, "addr") + "/" + member_text(*fields, "len");
  if (kind == "elem" && fields != nullptr) return member_text(*fields, "val");
  if (kind == "concat") {
    if (const auto* items = body.if_array()) return joined(*items, " . ");
  }
  constexpr std::array<std::string_view, 5> binary_operators{"&", "|", "^", "<<", ">>"};
  for (const auto op : binary_operators) {
    if (kind != op) continue;
    if (const auto* operands = body.if_array()) return joined(*operands, fmt::format(" {} ", op));
  }
  // Anything else (rt, socket, exthdr, ...): its keyword and key name are
  // enough to recognise it.
  std::string text(kind);
  if (fields != nullptr) {
    const std::string key = member_text(*fields, "key");
    if (!key.empty()) text += " " + key;
  }
  return text;
}

std::string limit_text(const json::object& fields)
{
  const json::value* over = fields.if_contains("inv");
  const bool inverted = over != nullptr && over->is_bool() && over->get_bool();
  std::string text = "limit rate ";
  if (inverted) text += "over ";
  text += member_text(fields, "rate");
  const std::string unit = member_text(fields, "rate_unit");
  if (!unit.empty() && unit != "packets") text += " " + unit;
  return text + "/" + member_text(fields, "per");
}

std::string reject_text(const json::value& body)
{
  const json::object* fields = body.if_object();
  if (fields == nullptr) return "reject";
  const std::string type = member_text(*fields, "type");
  const std::string detail = member_text(*fields, "expr");
  if (type.empty()) return "reject";
  return "reject with " + type + (detail.empty() ? "" : " " + detail);
}

std::string vmap_text(const json::object& fields)
{
  std::string text = member_text(fields, "key") + " vmap ";
  const json::value* data = fields.if_contains("data");
  const json::object* data_object = data == nullptr ? nullptr : data->if_object();
  const json::value* entries = data_object == nullptr ? nullptr : data_object->if_contains("set");
  if (entries == nullptr || !entries->is_array()) return text + (data == nullptr ? "" : nft_expression_text(*data));
  std::string listed;
  for (const auto& entry : entries->get_array()) {
    if (!listed.empty()) listed += ", ";
    const json::array* pair = entry.if_array();
    if (pair != nullptr && pair->size() == 2) {
      listed += nft_expression_text((*pair)[0]) + " : " + nft_statement_text((*pair)[1]);
    } else {
      listed += nft_expression_text(entry);
    }
    if (listed.size() > max_text_length) break;
  }
  return text + "{ " + listed + " }";
}

std::string match_text(const json::object& fields)
{
  const json::value* left = fields.if_contains("left");
  const json::value* right = fields.if_contains("right");
  const std::string_view op = string_or(fields.if_contains("op"), "==");
  std::string text = left == nullptr ? "?" : nft_expression_text(*left);
  if (op != "==" && op != "in") text += fmt::format(" {}", op);
  if (right == nullptr) return text;
  // Interface names are quoted in nft's own output.
  const bool quoted = right->is_string() && (text.ends_with("ifname") || text.ends_with("ifname !="));
  return text + (quoted ? fmt::format(" \"{}\"", right->get_string().c_str()) : " " + nft_expression_text(*right));
}

}  // namespace

std::string nft_expression_text(const json::value& expression)
{
  switch (expression.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return expression.get_bool() ? "true" : "false";
    case json::kind::int64: return std::to_string(expression.get_int64());
    case json::kind::uint64: return std::to_string(expression.get_uint64());
    case json::kind::double_: return fmt::format("{}", expression.get_double());
    case json::kind::string: return std::string(expression.get_string());
    case json::kind::array: return joined(expression.get_array(), ",");  // flag lists: established,related
    case json::kind::object: {
      const json::object& object = expression.get_object();
      if (object.empty()) return "{}";
      const auto& first = *object.begin();
      return object_text(first.key(), first.value());
    }
  }
  return "?";
}

std::string nft_statement_text(const json::value& statement)
{
  const json::object* object = statement.if_object();
  if (object == nullptr || object->empty()) return nft_expression_text(statement);
  const auto& first = *object->begin();
  const std::string_view kind = first.key();
  const json::value& body = first.value();
  const json::object* fields = body.if_object();
  if (kind == "match" && fields != nullptr) return match_text(*fields);
  if ((kind == "jump" || kind == "goto") && fields != nullptr) return std::string(kind) + " " + member_text(*fields, "target");
  if (kind == "reject") return reject_text(body);
  if (kind == "limit" && fields != nullptr) return limit_text(*fields);
  if (kind == "vmap" && fields != nullptr) return vmap_text(*fields);
  if (kind == "log" && fields != nullptr && fields->contains("prefix")) {
    return fmt::format("log prefix \"{}\"", member_text(*fields, "prefix"));
  }
  if (kind == "xt" && fields != nullptr) {
    return fmt::format("xt {} \"{}\"", member_text(*fields, "type"), member_text(*fields, "name"));
  }
  if (kind == "mangle" && fields != nullptr) return member_text(*fields, "key") + " set " + member_text(*fields, "value");
  return std::string(kind);  // accept, drop, return, counter, log, queue, ...
}

std::string nft_rule_text(const json::value& statements, const json::value* comment)
{
  std::string text;
  if (const auto* list = statements.if_array()) {
    for (const auto& statement : *list) {
      const json::object* object = statement.if_object();
      if (object != nullptr && object->contains("counter")) continue;  // noise: packet counts
      if (!text.empty()) text += " ";
      text += nft_statement_text(statement);
      if (text.size() > max_text_length) break;
    }
  }
  if (comment != nullptr && comment->is_string()) text += fmt::format(" comment \"{}\"", comment->get_string().c_str());
  if (text.size() > max_text_length) text = text.substr(0, max_text_length) + "...";
  return text;
}

}  // namespace mulenet::firewall::detail
