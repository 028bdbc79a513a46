#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "firewall/rule_render.hpp"

using namespace mulenet;
using firewall::FirewallKind;
using firewall::RenderOptions;
using firewall::render_firewall_rules;

namespace {

config::PlannedPort port(std::string name, config::Protocol protocol, std::uint16_t number, bool active)
{
  config::PlannedPort planned;
  planned.name = std::move(name);
  planned.protocol = protocol;
  planned.port = number;
  planned.direction = "incoming";
  planned.purpose = "purpose of " + planned.name;
  planned.active = active;
  return planned;
}

// Built by hand: the plan's own maker lives elsewhere. EC and web are off,
// so their ports must not be opened; the UPnP control entry is active but
// is the business of RenderOptions.
config::PortPlan typical_plan()
{
  return config::PortPlan{{
      port("ed2k-tcp", config::Protocol::tcp, 4662, true),
      port("server-udp", config::Protocol::udp, 4665, true),
      port("kad-udp", config::Protocol::udp, 4672, true),
      port("ec-tcp", config::Protocol::tcp, 4712, false),
      port("web-tcp", config::Protocol::tcp, 4711, false),
      port("upnp-control-tcp", config::Protocol::tcp, 50000, true),
  }};
}

const std::multiset<std::string> plan_ports{"tcp/4662", "udp/4665", "udp/4672"};

std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What the rule lines of one format open: "tcp/4662" for destination
// ports, "udp/1900 from ADDRESS" for source-port rules. Every rule line
// must be recognised, so a stray or misspelt rule fails the test.
struct Opened {
  std::multiset<std::string> ports;
  std::multiset<std::string> from_source_port;
  std::vector<std::string> unrecognised;
};

Opened opened_by(FirewallKind kind, const std::string& text)
{
  Opened opened;
  std::smatch m;
  for (const auto& line : lines_of(text)) {
    if (line.empty() || line.starts_with("#")) continue;
    switch (kind) {
      case FirewallKind::nft: {
        static const std::regex rule(
            R"(nft add rule inet filter input (?:(ip6?) saddr (\S+) )?(tcp|udp) (dport|sport) (\d+) accept comment '"mulenet [a-z0-9-]+"')");
        if (!std::regex_match(line, m, rule)) break;
        if (m[4] == "dport") {
          opened.ports.insert(m[3].str() + "/" + m[5].str());
        } else {
          opened.from_source_port.insert(m[3].str() + "/" + m[5].str() + " from " + (m[2].matched ? m[2].str() : "any"));
        }
        continue;
      }
      case FirewallKind::iptables: {
        static const std::regex rule(
            R"((ip6?tables) -A INPUT -p (tcp|udp)(?: -s (\S+))? --(dport|sport) (\d+) -m comment --comment "mulenet [a-z0-9-]+" -j ACCEPT)");
        if (!std::regex_match(line, m, rule)) break;
        const std::string family = m[1] == "iptables" ? "4 " : "6 ";
        if (m[4] == "dport") {
          opened.ports.insert(family + m[2].str() + "/" + m[5].str());
        } else {
          opened.from_source_port.insert(family + m[2].str() + "/" + m[5].str() + " from " +
                                         (m[3].matched ? m[3].str() : "any"));
        }
        continue;
      }
      case FirewallKind::ufw: {
        static const std::regex rule(R"(ufw allow (\d+)/(tcp|udp) comment 'mulenet [a-z0-9-]+')");
        static const std::regex from_rule(
            R"(ufw allow proto (tcp|udp) from (\S+) port (\d+) to any comment 'mulenet [a-z0-9-]+')");
        if (std::regex_match(line, m, rule)) {
          opened.ports.insert(m[2].str() + "/" + m[1].str());
          continue;
        }
        if (std::regex_match(line, m, from_rule)) {
          opened.from_source_port.insert(m[1].str() + "/" + m[3].str() + " from " + m[2].str());
          continue;
        }
        break;
      }
      case FirewallKind::firewalld: {
        static const std::regex rule(R"(firewall-cmd --permanent --add-port=(\d+)/(tcp|udp))");
        static const std::regex source_port(R"(firewall-cmd --permanent --add-source-port=(\d+)/(tcp|udp))");
        static const std::regex rich(
            R"re(firewall-cmd --permanent --add-rich-rule='rule family="ipv[46]" source address="(\S+)" source-port port="(\d+)" protocol="(udp|tcp)" accept')re");
        if (line == "firewall-cmd --reload") continue;
        if (std::regex_match(line, m, rule)) {
          opened.ports.insert(m[2].str() + "/" + m[1].str());
          continue;
        }
        if (std::regex_match(line, m, source_port)) {
          opened.from_source_port.insert(m[2].str() + "/" + m[1].str() + " from any");
          continue;
        }
        if (std::regex_match(line, m, rich)) {
          opened.from_source_port.insert(m[3].str() + "/" + m[2].str() + " from " + m[1].str());
          continue;
        }
        break;
      }
      case FirewallKind::pf: {
        static const std::regex rule(R"(pass in proto (tcp|udp) from any to any port (\d+))");
        static const std::regex from_rule(R"(pass in proto (tcp|udp) from (\S+) port (\d+) to any)");
        if (std::regex_match(line, m, rule)) {
          opened.ports.insert(m[1].str() + "/" + m[2].str());
          continue;
        }
        if (std::regex_match(line, m, from_rule)) {
          opened.from_source_port.insert(m[1].str() + "/" + m[3].str() + " from " + m[2].str());
          continue;
        }
        break;
      }
    }
    opened.unrecognised.push_back(line);
  }
  return opened;
}

std::multiset<std::string> both_families(const std::multiset<std::string>& ports)
{
  std::multiset<std::string> result;
  for (const auto& p : ports) {
    result.insert("4 " + p);
    result.insert("6 " + p);
  }
  return result;
}

const FirewallKind all_kinds[] = {FirewallKind::nft, FirewallKind::iptables, FirewallKind::ufw,
                                  FirewallKind::firewalld, FirewallKind::pf};

}  // namespace

TEST(FirewallRuleRender, OpensExactlyTheActivePortsWithoutUpnp)
{
  for (const auto kind : all_kinds) {
    const std::string text = render_firewall_rules(kind, typical_plan(), RenderOptions{});
    const Opened opened = opened_by(kind, text);
    EXPECT_TRUE(opened.unrecognised.empty()) << to_string(kind) << ": " << opened.unrecognised.front();
    const auto expected = kind == FirewallKind::iptables ? both_families(plan_ports) : plan_ports;
    EXPECT_EQ(opened.ports, expected) << to_string(kind) << "\n" << text;
    EXPECT_TRUE(opened.from_source_port.empty()) << to_string(kind);
    EXPECT_EQ(text.find("50000"), std::string::npos) << to_string(kind);
    EXPECT_EQ(text.find("1900"), std::string::npos) << to_string(kind);
    EXPECT_EQ(text.find("upnp"), std::string::npos) << to_string(kind);
    EXPECT_TRUE(text.starts_with("# mulenet: ")) << to_string(kind);
  }
}

TEST(FirewallRuleRender, AddsUpnpCallbacksAndSsdpFromTheRouter)
{
  RenderOptions options;
  options.upnp = true;
  options.upnp_control_port = 50123;
  options.router_address = "192.168.1.1";
  for (const auto kind : all_kinds) {
    const std::string text = render_firewall_rules(kind, typical_plan(), options);
    const Opened opened = opened_by(kind, text);
    EXPECT_TRUE(opened.unrecognised.empty()) << to_string(kind) << ": " << opened.unrecognised.front();
    auto expected = plan_ports;
    expected.insert("tcp/50123");
    std::multiset<std::string> expected_ssdp{"udp/1900 from 192.168.1.1"};
    if (kind == FirewallKind::iptables) {
      expected = both_families(expected);
      expected_ssdp = {"4 udp/1900 from 192.168.1.1"};  // an IPv4 source cannot go into ip6tables
    }
    EXPECT_EQ(opened.ports, expected) << to_string(kind) << "\n" << text;
    EXPECT_EQ(opened.from_source_port, expected_ssdp) << to_string(kind) << "\n" << text;
    // The plan's own control entry (50000) is skipped in favour of the option.
    EXPECT_EQ(text.find("50000"), std::string::npos) << to_string(kind);
  }
}

TEST(FirewallRuleRender, SsdpFromAnyoneWhenTheRouterIsUnknown)
{
  RenderOptions options;
  options.upnp = true;
  for (const auto kind : all_kinds) {
    const Opened opened = opened_by(kind, render_firewall_rules(kind, typical_plan(), options));
    const std::multiset<std::string> expected =
        kind == FirewallKind::iptables ? std::multiset<std::string>{"4 udp/1900 from any", "6 udp/1900 from any"}
                                       : std::multiset<std::string>{"udp/1900 from any"};
    EXPECT_EQ(opened.from_source_port, expected) << to_string(kind);
    EXPECT_EQ(opened.ports.count(kind == FirewallKind::iptables ? "4 tcp/50000" : "tcp/50000"), 1u) << to_string(kind);
  }
}

TEST(FirewallRuleRender, Ipv6RouterGoesToTheIpv6Rules)
{
  RenderOptions options;
  options.upnp = true;
  options.router_address = "fe80::1";
  const std::string nft = render_firewall_rules(FirewallKind::nft, typical_plan(), options);
  EXPECT_NE(nft.find("nft add rule inet filter input ip6 saddr fe80::1 udp sport 1900 accept"), std::string::npos) << nft;
  EXPECT_EQ(opened_by(FirewallKind::iptables, render_firewall_rules(FirewallKind::iptables, typical_plan(), options))
                .from_source_port,
            std::multiset<std::string>{"6 udp/1900 from fe80::1"});
}

TEST(FirewallRuleRender, EachRuleIsPrecededByACommentNamingItsPort)
{
  RenderOptions options;
  options.upnp = true;
  for (const auto kind : all_kinds) {
    const auto lines = lines_of(render_firewall_rules(kind, typical_plan(), options));
    std::set<std::string> commented;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      if (lines[i].empty() || lines[i].starts_with("#") || lines[i] == "firewall-cmd --reload") continue;
      if (kind == FirewallKind::iptables && lines[i].starts_with("ip6tables")) continue;  // shares the iptables comment
      ASSERT_TRUE(lines[i - 1].starts_with("# ")) << to_string(kind) << ": " << lines[i];
      commented.insert(lines[i - 1].substr(2, lines[i - 1].find(':') - 2));
    }
    EXPECT_EQ(commented, (std::set<std::string>{"ed2k-tcp", "server-udp", "kad-udp", "upnp-gena", "upnp-ssdp"}))
        << to_string(kind);
  }
  const std::string nft = render_firewall_rules(FirewallKind::nft, typical_plan(), {});
  EXPECT_NE(nft.find("# ed2k-tcp: purpose of ed2k-tcp\n"), std::string::npos);
}

TEST(FirewallRuleRender, FormatSpecificInstructions)
{
  const auto plan = typical_plan();
  const std::string nft = render_firewall_rules(FirewallKind::nft, plan, {});
  EXPECT_NE(nft.find("\"inet filter\" table with an \"input\" base chain"), std::string::npos);
  EXPECT_NE(nft.find("ct state established,related accept"), std::string::npos);
  const std::string firewalld = render_firewall_rules(FirewallKind::firewalld, plan, {});
  EXPECT_TRUE(firewalld.ends_with("\nfirewall-cmd --reload\n")) << firewalld;
  const std::string pf = render_firewall_rules(FirewallKind::pf, plan, {});
  EXPECT_NE(pf.find("/etc/pf.conf"), std::string::npos);
  EXPECT_NE(pf.find("pfctl -f /etc/pf.conf"), std::string::npos);
  const std::string iptables = render_firewall_rules(FirewallKind::iptables, plan, {});
  EXPECT_NE(iptables.find("ip6tables -A INPUT -p tcp --dport 4662 "), std::string::npos);
  EXPECT_NE(iptables.find("iptables -A INPUT -p udp --dport 4672 "), std::string::npos);
  const std::string ufw = render_firewall_rules(FirewallKind::ufw, plan, {});
  EXPECT_NE(ufw.find("ufw allow 4662/tcp comment 'mulenet ed2k-tcp'\n"), std::string::npos) << ufw;
}

TEST(FirewallRuleRender, HostileTextCannotEscapeItsQuotes)
{
  config::PortPlan plan{{port("ed2k-tcp", config::Protocol::tcp, 4662, true)}};
  plan.ports[0].name = "x'; rm -rf / #\"$(id)`id`";
  plan.ports[0].purpose = "line one\nrm -rf / 'quoted' \"double\" $HOME";
  RenderOptions options;
  options.upnp = true;
  options.router_address = "192.168.1.1; halt";
  const std::regex command(R"((nft|iptables|ip6tables|ufw|firewall-cmd|pass) .*)");
  for (const auto kind : all_kinds) {
    const std::string text = render_firewall_rules(kind, plan, options);
    for (const auto& line : lines_of(text)) {
      if (line.empty() || line.starts_with("#")) continue;
      EXPECT_TRUE(std::regex_match(line, command)) << to_string(kind) << ": " << line;
      EXPECT_EQ(line.find_first_of("$`;"), std::string::npos) << to_string(kind) << ": " << line;
      EXPECT_EQ(line.find("halt"), std::string::npos) << to_string(kind) << ": " << line;
    }
    EXPECT_NE(text.find("is not an IP address"), std::string::npos) << to_string(kind);
  }
  // Each comment stays one quoted word, whatever the name contained.
  const auto has_line = [](const std::string& text, const std::regex& pattern) {
    const auto lines = lines_of(text);
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return std::regex_match(l, pattern); });
  };
  EXPECT_TRUE(has_line(render_firewall_rules(FirewallKind::ufw, plan, {}),
                       std::regex(R"(ufw allow 4662/tcp comment 'mulenet [^']*')")));
  EXPECT_TRUE(has_line(render_firewall_rules(FirewallKind::nft, plan, {}),
                       std::regex(R"(nft add rule inet filter input tcp dport 4662 accept comment '"mulenet [^'"]*"')")));
  EXPECT_TRUE(has_line(render_firewall_rules(FirewallKind::iptables, plan, {}),
                       std::regex(R"(iptables -A INPUT -p tcp --dport 4662 -m comment --comment "mulenet [^"]*" -j ACCEPT)")));
}

TEST(FirewallRuleRender, NothingToOpen)
{
  const config::PortPlan plan{{port("ed2k-tcp", config::Protocol::tcp, 4662, false),
                               port("upnp-control-tcp", config::Protocol::tcp, 50000, true)}};
  for (const auto kind : all_kinds) {
    const std::string text = render_firewall_rules(kind, plan, {});
    EXPECT_NE(text.find("No port needs opening"), std::string::npos) << to_string(kind);
    EXPECT_TRUE(opened_by(kind, text).ports.empty()) << to_string(kind);
  }
}
