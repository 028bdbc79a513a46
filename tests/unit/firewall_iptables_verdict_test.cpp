// iptables_inbound_verdict on iptables-save output captured with the real
// tools (see tests/fixtures/firewall/regenerate.sh and src/) and on small
// hand-written rulesets for single options.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "firewall/inbound_verdict.hpp"

using namespace mulenet;
using firewall::Verdict;

namespace {

std::string fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/firewall/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

firewall::InboundVerdict tcp(const std::string& save, std::uint16_t port)
{
  return firewall::iptables_inbound_verdict(save, config::Protocol::tcp, port);
}

firewall::InboundVerdict udp(const std::string& save, std::uint16_t port)
{
  return firewall::iptables_inbound_verdict(save, config::Protocol::udp, port);
}

// A filter table with INPUT's policy and rules ("-A INPUT ..." lines),
// plus declared user chains.
std::string filter_table(const std::string& policy, const std::string& rules, const std::string& user_chains = "")
{
  return "*filter\n:INPUT " + policy + " [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + user_chains + rules +
         "COMMIT\n";
}

}  // namespace

TEST(FirewallIptablesVerdict, NothingLoadedAllowsEverything)
{
  const auto verdict = tcp("", 4662);
  EXPECT_EQ(verdict.verdict, Verdict::allowed);
  EXPECT_EQ(verdict.reason, "no iptables filter table");
  EXPECT_EQ(tcp("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j DROP\nCOMMIT\n", 4662).verdict,
            Verdict::allowed);
}

TEST(FirewallIptablesVerdict, DefaultPolicyAccept)
{
  for (const char* name : {"ipt_default.save", "ipt_default.legacy.save"}) {
    const auto verdict = tcp(fixture(name), 4662);
    EXPECT_EQ(verdict.verdict, Verdict::allowed) << name;
    EXPECT_EQ(verdict.reason, "table filter, chain INPUT: policy ACCEPT") << name;
  }
}

TEST(FirewallIptablesVerdict, SshOnlyFirewallBlocksAmule)
{
  for (const char* name : {"ipt_ssh_only.save", "ipt_ssh_only.legacy.save"}) {
    const std::string save = fixture(name);
    const auto amule = tcp(save, 4662);
    EXPECT_EQ(amule.verdict, Verdict::blocked) << name;
    EXPECT_EQ(amule.reason, "table filter, chain INPUT: policy DROP") << name;
    EXPECT_EQ(udp(save, 4672).verdict, Verdict::blocked) << name;
    const auto ssh = tcp(save, 22);
    EXPECT_EQ(ssh.verdict, Verdict::allowed) << name;
    EXPECT_EQ(ssh.reason,
              "rule '-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT' in table filter chain INPUT")
        << name;
    EXPECT_EQ(udp(save, 22).verdict, Verdict::blocked) << name;
  }
}

TEST(FirewallIptablesVerdict, MultiportRangesUserChainsAndReject)
{
  const std::string save = fixture("ipt_ssh_and_amule.save");
  const auto ed2k = tcp(save, 4662);
  EXPECT_EQ(ed2k.verdict, Verdict::allowed);
  EXPECT_EQ(ed2k.reason,
            "rule '-A amule-in -p tcp -m multiport --dports 4662,4711:4712 -m comment --comment \"aMule \\\"TCP\\\" "
            "ports\" -j ACCEPT' in table filter chain amule-in");
  EXPECT_EQ(tcp(save, 4712).verdict, Verdict::allowed);
  EXPECT_EQ(udp(save, 4668).verdict, Verdict::allowed);  // --dport 4665:4672
  const auto rejected = tcp(save, 4713);
  EXPECT_EQ(rejected.verdict, Verdict::blocked);
  EXPECT_EQ(rejected.reason, "rule '-A INPUT -p tcp -j REJECT --reject-with tcp-reset' in table filter chain INPUT");
  EXPECT_EQ(udp(save, 4673).reason, "table filter, chain INPUT: policy DROP");
  const auto by_address = udp(save, 5000);
  EXPECT_EQ(by_address.verdict, Verdict::unknown);
  EXPECT_NE(by_address.reason.find("may accept the packet (it depends on -s 10.0.0.0/8)"), std::string::npos)
      << by_address.reason;
  EXPECT_NE(by_address.reason.find("dropped by table filter, chain INPUT: policy DROP"), std::string::npos)
      << by_address.reason;
  EXPECT_EQ(udp(fixture("ipt_ssh_and_amule.legacy.save"), 4668).verdict, Verdict::allowed);
}

TEST(FirewallIptablesVerdict, UfwLayout)
{
  for (const char* name : {"ipt_ufw_like.save", "ipt_ufw_like.legacy.save"}) {
    const std::string save = fixture(name);
    const auto ed2k = tcp(save, 4662);
    EXPECT_EQ(ed2k.verdict, Verdict::allowed) << name;
    EXPECT_EQ(ed2k.reason,
              "rule '-A ufw-user-input -p tcp -m tcp --dport 4662 -m comment --comment \"\\'dapp_aMule\\'\" -j ACCEPT' in "
              "table filter chain ufw-user-input")
        << name;
    EXPECT_EQ(udp(save, 4672).verdict, Verdict::allowed) << name;
    const auto closed = tcp(save, 4711);
    EXPECT_EQ(closed.verdict, Verdict::blocked) << name;
    EXPECT_EQ(closed.reason, "table filter, chain INPUT: policy DROP") << name;
    // "ufw limit": the recent match may send the packet to a REJECT.
    const auto limited = tcp(save, 2222);
    EXPECT_EQ(limited.verdict, Verdict::unknown) << name;
    EXPECT_NE(limited.reason.find("may drop the packet (it depends on -m recent --update"), std::string::npos)
        << limited.reason;
    EXPECT_NE(limited.reason.find("accepted by rule '-A ufw-user-limit-accept -j ACCEPT'"), std::string::npos)
        << limited.reason;
    // The SSDP rule is for multicast destinations only.
    const auto ssdp = udp(save, 1900);
    EXPECT_EQ(ssdp.verdict, Verdict::unknown) << name;
    EXPECT_NE(ssdp.reason.find("it depends on -d 239.255.255.250/32"), std::string::npos) << ssdp.reason;
    // Samba ports go straight to ufw-skip-to-policy-input's DROP.
    const auto samba = tcp(save, 445);
    EXPECT_EQ(samba.verdict, Verdict::blocked) << name;
    EXPECT_EQ(samba.reason, "rule '-A ufw-skip-to-policy-input -j DROP' in table filter chain ufw-skip-to-policy-input")
        << name;
  }
}

TEST(FirewallIptablesVerdict, LoopbackNegationAndStates)
{
  const std::string rules = "-A INPUT -i lo -j DROP\n"
                            "-A INPUT -m state --state ESTABLISHED,RELATED -j DROP\n"
                            "-A INPUT ! -i lo -p udp ! --dport 4672 -j DROP\n"
                            "-A INPUT -p tcp --syn -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n";
  const std::string save = filter_table("DROP", rules);
  EXPECT_EQ(tcp(save, 4662).verdict, Verdict::allowed);
  const auto kad = udp(save, 4672);
  EXPECT_EQ(kad.verdict, Verdict::blocked);
  EXPECT_EQ(kad.reason, "table filter, chain INPUT: policy DROP");
  const auto other = udp(save, 4673);
  EXPECT_EQ(other.verdict, Verdict::blocked);
  EXPECT_EQ(other.reason, "rule '-A INPUT ! -i lo -p udp ! --dport 4672 -j DROP' in table filter chain INPUT");
}

TEST(FirewallIptablesVerdict, GotoCountersAndOpenRanges)
{
  const std::string rules = "[3:180] -A INPUT -p tcp --dport 4000: -g high\n"
                            "-A INPUT -j ACCEPT\n"
                            "-A high -p tcp --dport :4661 -j RETURN\n";
  const std::string save = filter_table("ACCEPT", rules, ":high - [0:0]\n");
  // The goto'd chain returns: the packet goes back past INPUT, to its policy.
  const auto verdict = tcp(save, 4662);
  EXPECT_EQ(verdict.verdict, Verdict::allowed);
  EXPECT_EQ(verdict.reason, "table filter, chain INPUT: policy ACCEPT");
  const std::string dropping = filter_table("DROP", rules, ":high - [0:0]\n");
  EXPECT_EQ(tcp(dropping, 4662).verdict, Verdict::blocked);
  EXPECT_EQ(tcp(dropping, 3999).verdict, Verdict::allowed);
}

TEST(FirewallIptablesVerdict, UnknownTargetsAndOptionsAreUnknown)
{
  const auto queued = tcp(filter_table("ACCEPT", "-A INPUT -p tcp --dport 4662 -j NFQUEUE --queue-num 1\n"), 4662);
  EXPECT_EQ(queued.verdict, Verdict::unknown);
  EXPECT_NE(queued.reason.find("it depends on its target NFQUEUE"), std::string::npos) << queued.reason;
  const auto marked = tcp(filter_table("ACCEPT", "-A INPUT -m mark --mark 0x1 -j DROP\n"), 4662);
  EXPECT_EQ(marked.verdict, Verdict::unknown);
  EXPECT_NE(marked.reason.find("it depends on -m mark --mark 0x1"), std::string::npos) << marked.reason;
  // Logging never decides, even when we cannot tell whether it fires.
  EXPECT_EQ(tcp(filter_table("ACCEPT", "-A INPUT -m limit --limit 3/min -j LOG --log-prefix \"x y\"\n"), 4662).verdict,
            Verdict::allowed);
}
