#pragma once
// Which host firewall tool a user runs: decides the syntax of the rules we
// print for them (rule_render.hpp).
#include <optional>
#include <string_view>

namespace mulenet::firewall {

enum class FirewallKind { nft, iptables, ufw, firewalld, pf };

// Accepts the names users type: "nft"/"nftables", "iptables", "ufw",
// "firewalld"/"firewall-cmd", "pf"/"pfctl", in any letter case.
[[nodiscard]] std::optional<FirewallKind> parse_firewall_kind(std::string_view name);

// The canonical name, which parse_firewall_kind accepts back.
[[nodiscard]] const char* to_string(FirewallKind kind);

}  // namespace mulenet::firewall
