#pragma once
// nft's JSON expressions and statements written back in the syntax of
// `nft list ruleset`, so reasons quote rules the way users know them.
// Approximate for rare expressions; never fails.
#include <string>

#include <boost/json/fwd.hpp>

namespace mulenet::firewall::detail {

[[nodiscard]] std::string nft_expression_text(const boost::json::value& expression);
[[nodiscard]] std::string nft_statement_text(const boost::json::value& statement);
// A rule's "expr" array and optional "comment", counters left out.
[[nodiscard]] std::string nft_rule_text(const boost::json::value& statements, const boost::json::value* comment);

}  // namespace mulenet::firewall::detail
