#include "firewall/firewall_kind.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace mulenet::firewall {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<FirewallKind> parse_firewall_kind(std::string_view name)
{
  // Besides the canonical names, the names of the commands people know the
  // tools by, so "--firewall nftables" or "--firewall firewall-cmd" just work.
  static constexpr std::array<std::pair<std::string_view, FirewallKind>, 9> names{{
      {"nft", FirewallKind::nft},
      {"nftables", FirewallKind::nft},
      {"iptables", FirewallKind::iptables},
      {"ufw", FirewallKind::ufw},
      {"firewalld", FirewallKind::firewalld},
      {"firewall-cmd", FirewallKind::firewalld},
      {"pf", FirewallKind::pf},
      {"pfctl", FirewallKind::pf},
      {"pf.conf", FirewallKind::pf},
  }};
  for (const auto& [known, kind] : names) {
    if (equals_ignoring_case(name, known)) return kind;
  }
  return std::nullopt;
}

const char* to_string(FirewallKind kind)
{
  switch (kind) {
    case FirewallKind::nft: return "nft";
    case FirewallKind::iptables: return "iptables";
    case FirewallKind::ufw: return "ufw";
    case FirewallKind::firewalld: return "firewalld";
    case FirewallKind::pf: return "pf";
  }
  return "unknown";
}

}  // namespace mulenet::firewall
