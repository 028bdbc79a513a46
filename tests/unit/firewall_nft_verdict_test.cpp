// nft_inbound_verdict on rulesets captured with the real nft (see
// tests/fixtures/firewall/regenerate.sh and src/) and on small hand-written
// ones for single rules of the evaluation.
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

firewall::InboundVerdict tcp(const std::string& json, std::uint16_t port)
{
  return firewall::nft_inbound_verdict(json, config::Protocol::tcp, port);
}

firewall::InboundVerdict udp(const std::string& json, std::uint16_t port)
{
  return firewall::nft_inbound_verdict(json, config::Protocol::udp, port);
}

// One inet table "t" whose base chain "in" has the given policy and rules
// (each a JSON "expr" list), plus extra entries (chains, rules, sets).
std::string ruleset(const std::string& policy, std::initializer_list<std::string> input_rules,
                    const std::string& extra_entries = "")
{
  std::string json = R"({"nftables":[{"metainfo":{"json_schema_version":1}},)"
                     R"({"table":{"family":"inet","name":"t","handle":1}},)"
                     R"({"chain":{"family":"inet","table":"t","name":"in","handle":1,"type":"filter","hook":"input","prio":0,"policy":")" +
                     policy + R"("}})";
  for (const auto& expr : input_rules) {
    json += R"(,{"rule":{"family":"inet","table":"t","chain":"in","expr":)" + expr + "}}";
  }
  if (!extra_entries.empty()) json += "," + extra_entries;
  return json + "]}";
}

std::string chain(const std::string& name)
{
  return R"({"chain":{"family":"inet","table":"t","name":")" + name + R"("}})";
}

std::string rule_in(const std::string& chain_name, const std::string& expr)
{
  return R"({"rule":{"family":"inet","table":"t","chain":")" + chain_name + R"(","expr":)" + expr + "}}";
}

const std::string tcp_dport_4662 = R"({"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":4662}})";
const std::string from_lan = R"({"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"192.168.0.0","len":16}}}})";

}  // namespace

TEST(FirewallNftVerdict, NothingLoadedAllowsEverything)
{
  const auto verdict = tcp(fixture("nft_empty.json"), 4662);
  EXPECT_EQ(verdict.verdict, Verdict::allowed);
  EXPECT_EQ(verdict.reason, "no input filter chain");
}

TEST(FirewallNftVerdict, DebianDefaultAcceptsByPolicy)
{
  const std::string json = fixture("nft_debian_default.json");
  for (const auto protocol : {config::Protocol::tcp, config::Protocol::udp}) {
    const auto verdict = firewall::nft_inbound_verdict(json, protocol, 4662);
    EXPECT_EQ(verdict.verdict, Verdict::allowed);
    EXPECT_EQ(verdict.reason, "table inet filter, chain input: policy accept");
  }
}

TEST(FirewallNftVerdict, SshOnlyFirewallBlocksAmule)
{
  const std::string json = fixture("nft_ssh_only.json");
  const auto amule = tcp(json, 4662);
  EXPECT_EQ(amule.verdict, Verdict::blocked);
  EXPECT_EQ(amule.reason, "table inet filter, chain input: policy drop");
  EXPECT_EQ(udp(json, 4672).verdict, Verdict::blocked);
  const auto ssh = tcp(json, 22);
  EXPECT_EQ(ssh.verdict, Verdict::allowed);
  EXPECT_EQ(ssh.reason, "rule 'tcp dport 22 accept' in table inet filter chain input");
  // "tcp dport 22" carries an implicit TCP check.
  EXPECT_EQ(udp(json, 22).verdict, Verdict::blocked);
}

TEST(FirewallNftVerdict, OpenedPortsAreAllowed)
{
  const std::string json = fixture("nft_ssh_and_amule.json");
  const auto ed2k = tcp(json, 4662);
  EXPECT_EQ(ed2k.verdict, Verdict::allowed);
  EXPECT_EQ(ed2k.reason, "rule 'tcp dport 4662 accept' in table inet filter chain input");
  const auto kad = udp(json, 4672);
  EXPECT_EQ(kad.verdict, Verdict::allowed);
  EXPECT_EQ(kad.reason, "rule 'udp dport { 4665, 4672 } accept' in table inet filter chain input");
  EXPECT_EQ(udp(json, 4665).verdict, Verdict::allowed);
  EXPECT_EQ(udp(json, 4662).verdict, Verdict::blocked);
  EXPECT_EQ(tcp(json, 4672).verdict, Verdict::blocked);
  EXPECT_EQ(tcp(json, 4711).reason, "table inet filter, chain input: policy drop");
}

TEST(FirewallNftVerdict, NamedSetsRangesAndVerdictMaps)
{
  const std::string json = fixture("nft_named_sets.json");
  const auto in_range = tcp(json, 4665);  // 4660-4670 in set open_tcp
  EXPECT_EQ(in_range.verdict, Verdict::allowed);
  EXPECT_EQ(in_range.reason, "rule 'tcp dport @open_tcp accept' in table inet filter chain input");
  EXPECT_EQ(tcp(json, 4671).verdict, Verdict::blocked);
  EXPECT_EQ(udp(json, 4672).verdict, Verdict::allowed);
  EXPECT_EQ(udp(json, 6005).verdict, Verdict::allowed);  // th dport 6000-6010
  EXPECT_EQ(tcp(json, 6010).verdict, Verdict::allowed);
  EXPECT_EQ(tcp(json, 6011).verdict, Verdict::blocked);
  const auto map_accept = tcp(json, 4711);
  EXPECT_EQ(map_accept.verdict, Verdict::allowed);
  EXPECT_NE(map_accept.reason.find("vmap { 4711 : accept, 4712 : drop }"), std::string::npos) << map_accept.reason;
  EXPECT_EQ(tcp(json, 4712).verdict, Verdict::blocked);
  // A set of addresses: depends on who sends.
  const auto by_address = tcp(json, 8080);
  EXPECT_EQ(by_address.verdict, Verdict::unknown);
  EXPECT_NE(by_address.reason.find("it depends on ip saddr @trusted_v4"), std::string::npos) << by_address.reason;
  EXPECT_NE(by_address.reason.find("policy drop"), std::string::npos) << by_address.reason;
  // nft lists no elements for an empty set -- nor for any set with -t.
  const auto unlisted = udp(json, 4665);
  EXPECT_EQ(unlisted.verdict, Verdict::unknown);
  EXPECT_NE(unlisted.reason.find("udp dport @empty_udp (the set's elements are not listed)"), std::string::npos)
      << unlisted.reason;
}

TEST(FirewallNftVerdict, FirewalldZonesByInterface)
{
  const std::string json = fixture("nft_firewalld_like.json");
  // Both zones allow ssh, whichever interface it arrives on.
  const auto ssh = tcp(json, 22);
  EXPECT_EQ(ssh.verdict, Verdict::allowed);
  EXPECT_EQ(ssh.reason,
            "rule 'tcp dport 22 ct state { new, untracked } accept' in table inet firewalld chain filter_IN_public_allow");
  // Only the public zone allows aMule; on wlan0 (zone home) it is rejected.
  const auto amule = tcp(json, 4662);
  EXPECT_EQ(amule.verdict, Verdict::unknown);
  EXPECT_NE(amule.reason.find("rule 'iifname \"wlan0\" goto filter_IN_home' in table inet firewalld chain "
                              "filter_INPUT_ZONES may drop the packet"),
            std::string::npos)
      << amule.reason;
  EXPECT_NE(amule.reason.find("accepted by rule 'tcp dport 4662 ct state { new, untracked } accept'"), std::string::npos)
      << amule.reason;
  const auto closed = tcp(json, 4711);
  EXPECT_EQ(closed.verdict, Verdict::blocked);
  EXPECT_EQ(closed.reason, "rule 'reject with icmpx admin-prohibited' in table inet firewalld chain filter_INPUT");
  // "ip6 daddr fe80::/64 udp dport 546" never matches an IPv4 packet.
  EXPECT_EQ(udp(json, 546).verdict, Verdict::blocked);
}

TEST(FirewallNftVerdict, SourceAddressBeforeADropIsUnknown)
{
  const std::string json = fixture("nft_saddr_before_drop.json");
  const auto amule = tcp(json, 4662);
  EXPECT_EQ(amule.verdict, Verdict::unknown);
  EXPECT_EQ(amule.reason,
            "rule 'ip saddr 192.168.0.0/16 tcp dport 4662 accept' in table inet filter chain input may accept the "
            "packet (it depends on ip saddr 192.168.0.0/16); if not, it is dropped by rule 'tcp dport 4662 drop' in "
            "table inet filter chain input");
  const auto limited = udp(json, 4672);
  EXPECT_EQ(limited.verdict, Verdict::unknown);
  EXPECT_NE(limited.reason.find("it depends on limit rate 10/second"), std::string::npos) << limited.reason;
  EXPECT_EQ(tcp(json, 4663).verdict, Verdict::allowed);
}

TEST(FirewallNftVerdict, EveryInputChainMustAccept)
{
  const std::string json = fixture("nft_two_tables.json");
  // Accepted by the inet table, then rejected by the ip table that runs after it.
  const auto amule = tcp(json, 4662);
  EXPECT_EQ(amule.verdict, Verdict::blocked);
  EXPECT_EQ(amule.reason, "rule 'tcp dport 4662 reject with tcp reset' in table ip strict chain input");
  // The ip6 table's policy drop does not concern IPv4.
  const auto other = tcp(json, 22);
  EXPECT_EQ(other.verdict, Verdict::allowed);
  EXPECT_EQ(other.reason,
            "table inet filter, chain input: policy accept; then table ip strict, chain input: policy accept");
  const auto marked = udp(json, 4672);
  EXPECT_EQ(marked.verdict, Verdict::unknown);
  EXPECT_NE(marked.reason.find("may drop the packet (it depends on meta mark 1)"), std::string::npos) << marked.reason;
}

TEST(FirewallNftVerdict, IptablesNftCompatExpressionsAreUnknown)
{
  // ufw's iptables rules loaded through iptables-nft, as nft -j shows them:
  // conntrack and addrtype matches are opaque "xt" expressions.
  const std::string ufw = fixture("ipt_ufw_like.iptables-nft.json");
  const auto amule = tcp(ufw, 4662);
  EXPECT_EQ(amule.verdict, Verdict::unknown);
  EXPECT_NE(amule.reason.find("rule 'xt match \"conntrack\" accept' in table ip filter chain ufw-before-input"),
            std::string::npos)
      << amule.reason;
  EXPECT_NE(amule.reason.find("iptables-save"), std::string::npos) << amule.reason;

  // Native expressions still decide where no xt rule could interfere, and
  // xt "comment" matches nothing away.
  const std::string amule_rules = fixture("ipt_ssh_and_amule.iptables-nft.json");
  const auto kad = udp(amule_rules, 4672);
  EXPECT_EQ(kad.verdict, Verdict::allowed);
  EXPECT_EQ(kad.reason, "rule 'udp dport 4665-4672 accept' in table ip filter chain amule-in");
  const auto ed2k = tcp(amule_rules, 4662);
  EXPECT_EQ(ed2k.verdict, Verdict::unknown);
  EXPECT_NE(ed2k.reason.find("dropped by rule 'meta l4proto tcp xt target \"REJECT\"'"), std::string::npos) << ed2k.reason;
}

TEST(FirewallNftVerdict, LoopbackAndConntrackMatchesAreCertain)
{
  const std::string json = ruleset(
      "drop", {R"([{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"lo"}},{"accept":null}])",
               R"([{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","related"]}},{"accept":null}])",
               R"([{"match":{"op":"!=","left":{"meta":{"key":"iifname"}},"right":"lo"}},)" + tcp_dport_4662 +
                   R"(,{"match":{"op":"==","left":{"ct":{"key":"state"}},"right":"new"}},{"counter":null},{"log":null},{"accept":null}])"});
  const auto verdict = tcp(json, 4662);
  EXPECT_EQ(verdict.verdict, Verdict::allowed);
  EXPECT_EQ(verdict.reason, "rule 'iifname != \"lo\" tcp dport 4662 ct state new log accept' in table inet t chain in");
  EXPECT_EQ(tcp(json, 4663).reason, "table inet t, chain in: policy drop");
}

TEST(FirewallNftVerdict, JumpReturnAndGoto)
{
  const std::string extra = chain("sub") + "," + chain("maybe_sub") + "," +
                            rule_in("sub", R"([{"return":null}])") + "," +
                            rule_in("sub", R"([{"accept":null}])") + "," +
                            rule_in("maybe_sub", "[" + from_lan + R"(,{"return":null}])") + "," +
                            rule_in("maybe_sub", R"([{"drop":null}])");
  // "jump sub" returns at once, so the policy decides.
  EXPECT_EQ(tcp(ruleset("drop", {"[" + tcp_dport_4662 + R"(,{"jump":{"target":"sub"}}])"}, extra), 4662).reason,
            "table inet t, chain in: policy drop");
  // After a goto the packet never comes back: sub's return ends "in" too.
  EXPECT_EQ(tcp(ruleset("accept", {R"([{"goto":{"target":"sub"}}])", R"([{"drop":null}])"}, extra), 4662).verdict,
            Verdict::allowed);
  // maybe_sub drops unless the sender is on the LAN: its unsure return
  // leads back to the accept after the jump.
  const auto unsure = tcp(ruleset("drop", {R"([{"jump":{"target":"maybe_sub"}}])", R"([{"accept":null}])"}, extra), 4662);
  EXPECT_EQ(unsure.verdict, Verdict::unknown);
  EXPECT_NE(unsure.reason.find("rule 'ip saddr 192.168.0.0/16 return' in table inet t chain maybe_sub may accept"),
            std::string::npos)
      << unsure.reason;
  EXPECT_NE(unsure.reason.find("dropped by rule 'drop' in table inet t chain maybe_sub"), std::string::npos)
      << unsure.reason;
}

TEST(FirewallNftVerdict, UnsureRulesThatCannotChangeTheOutcomeDoNotMatter)
{
  // A maybe-accept before a definite accept, a maybe-log before anything,
  // a maybe-jump into a chain that cannot decide.
  const std::string extra = chain("quiet") + "," + rule_in("quiet", R"([{"log":null}])");
  const std::string json =
      ruleset("drop", {"[" + from_lan + R"(,{"log":null}])", "[" + from_lan + R"(,{"jump":{"target":"quiet"}}])",
                       "[" + from_lan + R"(,{"accept":null}])", "[" + tcp_dport_4662 + R"(,{"accept":null}])"},
              extra);
  EXPECT_EQ(tcp(json, 4662).verdict, Verdict::allowed);
  // The maybe-accept matters when the policy would drop.
  EXPECT_EQ(tcp(json, 4663).verdict, Verdict::unknown);
}

TEST(FirewallNftVerdict, AnAcceptOnlyEndsItsOwnBaseChain)
{
  const std::string second =
      R"({"chain":{"family":"ip","table":"late","name":"in","type":"filter","hook":"input","prio":100,"policy":"accept"}},)"
      R"({"rule":{"family":"ip","table":"late","chain":"in","expr":[)" + from_lan + R"(,{"drop":null}]}})";
  const auto verdict = tcp(ruleset("accept", {R"([{"accept":null}])"}, second), 4662);
  EXPECT_EQ(verdict.verdict, Verdict::unknown);
  EXPECT_NE(verdict.reason.find("table ip late chain in may drop"), std::string::npos) << verdict.reason;
  // A chain on another hook, of the nat type, or of family ip6 is no filter for us.
  const std::string others =
      R"({"chain":{"family":"ip","table":"x","name":"fw","type":"filter","hook":"forward","prio":0,"policy":"drop"}},)"
      R"({"chain":{"family":"ip","table":"x","name":"nat_in","type":"nat","hook":"input","prio":100,"policy":"drop"}},)"
      R"({"chain":{"family":"ip6","table":"x","name":"v6","type":"filter","hook":"input","prio":0,"policy":"drop"}})";
  EXPECT_EQ(tcp(ruleset("accept", {}, others), 4662).verdict, Verdict::allowed);
  const std::string only_ip6 =
      R"({"nftables":[{"chain":{"family":"ip6","table":"x","name":"v6","type":"filter","hook":"input","prio":0,"policy":"drop"}}]})";
  const auto ip6 = tcp(only_ip6, 4662);
  EXPECT_EQ(ip6.verdict, Verdict::allowed);
  EXPECT_EQ(ip6.reason, "no input filter chain for IPv4 (only ip6 ones)");
}

TEST(FirewallNftVerdict, UnknownStatementsAndVerdictsAreUnknown)
{
  const auto queued = tcp(ruleset("accept", {"[" + tcp_dport_4662 + R"(,{"queue":{"num":1}}])"}), 4662);
  EXPECT_EQ(queued.verdict, Verdict::unknown);
  EXPECT_NE(queued.reason.find("rule 'tcp dport 4662 queue'"), std::string::npos) << queued.reason;
  const auto strange = tcp(ruleset("accept", {R"([{"synproxy":{"mss":1460}},{"drop":null}])"}), 4662);
  EXPECT_EQ(strange.verdict, Verdict::unknown);
  EXPECT_NE(strange.reason.find("'synproxy', which mulenet does not understand"), std::string::npos) << strange.reason;
  const auto missing = tcp(ruleset("accept", {R"([{"jump":{"target":"nowhere"}}])"}), 4662);
  EXPECT_EQ(missing.verdict, Verdict::unknown);
  EXPECT_NE(missing.reason.find("its target chain is not listed"), std::string::npos) << missing.reason;
}

TEST(FirewallNftVerdict, PortComparisonsAndNegations)
{
  const auto rule = [](const std::string& op, const std::string& right) {
    return R"([{"match":{"op":")" + op + R"(","left":{"payload":{"protocol":"th","field":"dport"}},"right":)" + right +
           R"(}},{"drop":null}])";
  };
  EXPECT_EQ(tcp(ruleset("accept", {rule("<", "1024")}), 4662).verdict, Verdict::allowed);
  EXPECT_EQ(tcp(ruleset("accept", {rule(">=", "1024")}), 4662).verdict, Verdict::blocked);
  EXPECT_EQ(udp(ruleset("accept", {rule("!=", "4662")}), 4662).verdict, Verdict::allowed);
  EXPECT_EQ(udp(ruleset("accept", {rule("!=", R"({"set":[22,{"range":[4000,5000]}]})")}), 4662).verdict,
            Verdict::allowed);
  EXPECT_EQ(udp(ruleset("accept", {rule("==", R"({"set":[22,{"range":[4000,5000]}]})")}), 4662).verdict,
            Verdict::blocked);
  // A protocol the packet is not: its header checks fail whatever the operator.
  const std::string sctp =
      R"([{"match":{"op":"!=","left":{"payload":{"protocol":"sctp","field":"dport"}},"right":1}},{"drop":null}])";
  EXPECT_EQ(tcp(ruleset("accept", {sctp}), 4662).verdict, Verdict::allowed);
}
