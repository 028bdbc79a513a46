#include "firewall/rule_render.hpp"

#include <fmt/format.h>

#include "firewall/port_openings.hpp"

namespace mulenet::firewall {
namespace {

using detail::PortOpening;

// "tcp dport 4662" / "ip saddr 192.168.1.1 udp sport 1900" in nft syntax.
std::string nft_match(const PortOpening& o)
{
  std::string text;
  if (!o.source_address.empty()) text += fmt::format("{} saddr {} ", o.source_is_ipv6 ? "ip6" : "ip", o.source_address);
  text += fmt::format("{} {} {}", detail::protocol_name(o.protocol), o.match_source_port ? "sport" : "dport", o.port);
  return text;
}

void render_nft(std::string& out, const detail::OpeningPlan& plan)
{
  out += "# Assumes the \"inet filter\" table with an \"input\" base chain, as in Debian's\n"
         "# /etc/nftables.conf. That chain must also let replies in, e.g. with\n"
         "#   nft insert rule inet filter input ct state established,related accept\n"
         "# \"nft add\" appends: if the chain ends with a drop or reject rule, use \"nft insert\".\n"
         "# To keep the rules after a reboot, add them to /etc/nftables.conf.\n";
  for (const auto& o : plan.openings) {
    out += fmt::format("\n# {}: {}\nnft add rule inet filter input {} accept comment '\"mulenet {}\"'\n", o.label,
                       o.purpose, nft_match(o), o.label);
  }
}

// The iptables arguments after "-A INPUT", shared by iptables and ip6tables.
std::string iptables_match(const PortOpening& o)
{
  std::string text = fmt::format("-p {}", detail::protocol_name(o.protocol));
  if (!o.source_address.empty()) text += fmt::format(" -s {}", o.source_address);
  text += fmt::format(" --{} {}", o.match_source_port ? "sport" : "dport", o.port);
  return text;
}

void render_iptables(std::string& out, const detail::OpeningPlan& plan)
{
  out += "# iptables covers IPv4, ip6tables IPv6. \"-A\" appends: if INPUT ends with a\n"
         "# DROP or REJECT rule, use \"-I INPUT\" instead. To keep the rules after a\n"
         "# reboot: iptables-save > /etc/iptables/rules.v4; ip6tables-save > /etc/iptables/rules.v6\n";
  for (const auto& o : plan.openings) {
    out += fmt::format("\n# {}: {}\n", o.label, o.purpose);
    const std::string rest = fmt::format("{} -m comment --comment \"mulenet {}\" -j ACCEPT", iptables_match(o), o.label);
    // A source address of one family cannot match in the other family's table.
    const bool any_source = o.source_address.empty();
    if (any_source || !o.source_is_ipv6) out += fmt::format("iptables -A INPUT {}\n", rest);
    if (any_source || o.source_is_ipv6) out += fmt::format("ip6tables -A INPUT {}\n", rest);
  }
}

void render_ufw(std::string& out, const detail::OpeningPlan& plan)
{
  out += "# ufw applies each rule to IPv4 and IPv6 and keeps it after a reboot.\n";
  for (const auto& o : plan.openings) {
    out += fmt::format("\n# {}: {}\n", o.label, o.purpose);
    if (o.match_source_port) {
      const std::string from = o.source_address.empty() ? "any" : o.source_address;
      out += fmt::format("ufw allow proto {} from {} port {} to any comment 'mulenet {}'\n",
                         detail::protocol_name(o.protocol), from, o.port, o.label);
    } else {
      out += fmt::format("ufw allow {}/{} comment 'mulenet {}'\n", o.port, detail::protocol_name(o.protocol), o.label);
    }
  }
}

void render_firewalld(std::string& out, const detail::OpeningPlan& plan)
{
  out += "# Opens the ports in the default zone; add --zone=NAME to choose another.\n"
         "# --permanent keeps them after a reboot; the final --reload applies them now.\n";
  for (const auto& o : plan.openings) {
    out += fmt::format("\n# {}: {}\n", o.label, o.purpose);
    const char* protocol = detail::protocol_name(o.protocol);
    if (!o.match_source_port) {
      out += fmt::format("firewall-cmd --permanent --add-port={}/{}\n", o.port, protocol);
    } else if (o.source_address.empty()) {
      out += fmt::format("firewall-cmd --permanent --add-source-port={}/{}\n", o.port, protocol);
    } else {
      // Only a rich rule can tie a source port to a source address.
      out += fmt::format(
          "firewall-cmd --permanent --add-rich-rule='rule family=\"{}\" source address=\"{}\" "
          "source-port port=\"{}\" protocol=\"{}\" accept'\n",
          o.source_is_ipv6 ? "ipv6" : "ipv4", o.source_address, o.port, protocol);
    }
  }
  out += "\nfirewall-cmd --reload\n";
}

void render_pf(std::string& out, const detail::OpeningPlan& plan)
{
  out += "# These are pf.conf lines, not shell commands: put them in /etc/pf.conf after\n"
         "# your \"block\" rules (in pf the last matching rule wins), then load them with\n"
         "#   pfctl -f /etc/pf.conf\n";
  for (const auto& o : plan.openings) {
    out += fmt::format("\n# {}: {}\n", o.label, o.purpose);
    const char* protocol = detail::protocol_name(o.protocol);
    if (o.match_source_port) {
      const std::string from = o.source_address.empty() ? "any" : o.source_address;
      out += fmt::format("pass in proto {} from {} port {} to any\n", protocol, from, o.port);
    } else {
      out += fmt::format("pass in proto {} from any to any port {}\n", protocol, o.port);
    }
  }
}

}  // namespace

std::string render_firewall_rules(FirewallKind kind, const config::PortPlan& plan, const RenderOptions& opts)
{
  const detail::OpeningPlan openings = detail::plan_port_openings(plan, opts);
  std::string out = fmt::format("# mulenet: {} rules that let aMule's incoming connections in.\n", to_string(kind));
  for (const auto& note : openings.notes) out += fmt::format("# Note: {}\n", note);
  if (openings.openings.empty()) {
    out += "# No port needs opening with this configuration.\n";
    return out;
  }
  switch (kind) {
    case FirewallKind::nft: render_nft(out, openings); break;
    case FirewallKind::iptables: render_iptables(out, openings); break;
    case FirewallKind::ufw: render_ufw(out, openings); break;
    case FirewallKind::firewalld: render_firewalld(out, openings); break;
    case FirewallKind::pf: render_pf(out, openings); break;
  }
  return out;
}

}  // namespace mulenet::firewall
