// Malformed input of every kind: the verdict is "unknown" with a reason, and
// nothing crashes, throws or runs away.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "firewall/inbound_verdict.hpp"

using namespace mulenet;
using firewall::Verdict;

namespace {

std::string fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/firewall/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

firewall::InboundVerdict nft(const std::string& json)
{
  return firewall::nft_inbound_verdict(json, config::Protocol::tcp, 4662);
}

firewall::InboundVerdict iptables(const std::string& save)
{
  return firewall::iptables_inbound_verdict(save, config::Protocol::tcp, 4662);
}

std::string base_chain_with(const std::string& rule_expr)
{
  return R"({"nftables":[{"chain":{"family":"inet","table":"t","name":"in","type":"filter","hook":"input","prio":0,"policy":"drop"}},)"
         R"({"rule":{"family":"inet","table":"t","chain":"in","expr":)" +
         rule_expr + "}}]}";
}

}  // namespace

TEST(FirewallGarbageInput, NftTextThatIsNotARuleset)
{
  const std::string cases[] = {
      "",
      "not json",
      "{",
      "[]",
      "{}",
      "null",
      "42",
      R"({"nftables": 5})",
      R"({"nftables": [1, 2, 3]})",
      R"({"nftables": [{"chain": 5}]})",
      R"({"nftables": [{"chain": {"family": "inet"}}]})",
      R"({"nftables": [{"set": {"name": "x"}}]})",
      R"({"nftables": [{"rule": {"family": "inet", "table": "t", "chain": "missing", "expr": []}}]})",
      R"({"nftables": [{"chain": {"family":"inet","table":"t","name":"c","hook":"input","policy":"maybe"}}]})",
      R"({"nftables": [{"chain": {"family":"inet","table":"t","name":"c"}}, {"chain": {"family":"inet","table":"t","name":"c"}}]})",
      R"({"nftables": [{"chain": {"family":"inet","table":"t","name":"c"}}, {"rule": {"family":"inet","table":"t","chain":"c","expr":7}}]})",
      std::string("{\"nftables\": [\0]}", 17),
      "\xff\xfe{\"nftables\":[]}",
  };
  for (const auto& text : cases) {
    const auto verdict = nft(text);
    EXPECT_EQ(verdict.verdict, Verdict::unknown) << text;
    EXPECT_TRUE(verdict.reason.starts_with("cannot read the nft ruleset: ")) << text << " -> " << verdict.reason;
  }
  EXPECT_NE(nft("not json").reason.find("not valid JSON"), std::string::npos);
  EXPECT_NE(nft("{}").reason.find("without an \"nftables\" list"), std::string::npos);
}

TEST(FirewallGarbageInput, NftDeeplyNestedJson)
{
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(nft(nested).verdict, Verdict::unknown);
  const std::string nested_objects = [] {
    std::string text;
    for (int i = 0; i < 5000; ++i) text += R"({"a":)";
    text += "1";
    for (int i = 0; i < 5000; ++i) text += "}";
    return text;
  }();
  EXPECT_EQ(nft(nested_objects).verdict, Verdict::unknown);
  // Nested just within the parser's limit, inside a rule: still no crash.
  std::string deep_right = "4662";
  for (int i = 0; i < 25; ++i) deep_right = R"({"set":[)" + deep_right + "]}";
  const auto verdict = nft(base_chain_with(
      R"([{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":)" + deep_right +
      R"(}},{"accept":null}])"));
  EXPECT_EQ(verdict.verdict, Verdict::allowed) << verdict.reason;
}

TEST(FirewallGarbageInput, NftHugeAndOddNumbers)
{
  for (const std::string number : {"1e999", "-1e999", "18446744073709551616000", "18446744073709551615",
                                   "-9223372036854775808", "4662.0", "-4662", "1e300", "true", "null", "\"4662x\""}) {
    const auto verdict = nft(base_chain_with(
        R"([{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":)" + number +
        R"(}},{"accept":null}])"));
    // Never a port we recognise as 4662; the policy or "unknown" decides.
    EXPECT_NE(verdict.verdict, Verdict::allowed) << number;
    const auto ranged = nft(base_chain_with(
        R"([{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":{"range":[)" + number +
        "," + number + R"(]}}},{"accept":null}])"));
    EXPECT_NE(ranged.verdict, Verdict::allowed) << number;
  }
  // A priority that is no 64-bit integer is taken as 0; with one chain it
  // changes nothing.
  const auto priority = nft(
      R"({"nftables":[{"chain":{"family":"inet","table":"t","name":"in","type":"filter","hook":"input","prio":1e999,"policy":"accept"}}]})");
  EXPECT_EQ(priority.verdict, Verdict::allowed);
  EXPECT_EQ(priority.reason, "table inet t, chain in: policy accept");
}

TEST(FirewallGarbageInput, NftOddShapesInsideRules)
{
  const std::string odd_rules[] = {
      R"([1, "x", null, [], {}, {"a":1,"b":2}, {"accept":null}])",
      R"([{"match":null},{"accept":null}])",
      R"([{"match":{"left":{"meta":{"key":"iifname"}}}},{"accept":null}])",
      R"([{"match":{"op":"==","left":[],"right":{}},"extra":1},{"accept":null}])",
      R"([{"vmap":{"key":{"payload":{"protocol":"tcp","field":"dport"}},"data":{"set":[1,[2],[3,4,5],[4662,{"bogus":1}]]}}}])",
      R"([{"vmap":{"key":{"ct":{"key":"state"}},"data":"@nothing"}}])",
      R"([{"jump":null}])",
      R"([{"jump":{"target":5}}])",
      R"([{"goto":{"target":"in"}}])",
      R"([{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":"@"}},{"accept":null}])",
      R"([{"xt":null},{"accept":null}])",
      R"([{"xt":{"type":"target","name":"SOMETHING"}}])",
  };
  for (const auto& expr : odd_rules) {
    const auto verdict = nft(base_chain_with(expr));
    EXPECT_NE(verdict.verdict, Verdict::allowed) << expr << " -> " << verdict.reason;
    EXPECT_FALSE(verdict.reason.empty()) << expr;
  }
}

TEST(FirewallGarbageInput, NftSetThatNamesItself)
{
  const std::string json =
      R"({"nftables":[{"set":{"family":"inet","table":"t","name":"s","elem":["@s",{"set":["@s"]}]}},)"
      R"({"chain":{"family":"inet","table":"t","name":"in","type":"filter","hook":"input","prio":0,"policy":"drop"}},)"
      R"({"rule":{"family":"inet","table":"t","chain":"in","expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":"@s"}},{"accept":null}]}}]})";
  EXPECT_EQ(nft(json).verdict, Verdict::unknown);
}

TEST(FirewallGarbageInput, NftJumpLoopsAndFanOutEnd)
{
  // a -> b -> a: nft would refuse to load it, but the text can say so.
  const std::string loop =
      R"({"nftables":[{"chain":{"family":"inet","table":"t","name":"in","type":"filter","hook":"input","prio":0,"policy":"drop"}},)"
      R"({"chain":{"family":"inet","table":"t","name":"a"}},{"chain":{"family":"inet","table":"t","name":"b"}},)"
      R"({"rule":{"family":"inet","table":"t","chain":"in","expr":[{"jump":{"target":"a"}}]}},)"
      R"({"rule":{"family":"inet","table":"t","chain":"a","expr":[{"jump":{"target":"b"}}]}},)"
      R"({"rule":{"family":"inet","table":"t","chain":"b","expr":[{"jump":{"target":"a"}}]}}]})";
  const auto looped = nft(loop);
  EXPECT_EQ(looped.verdict, Verdict::unknown);
  EXPECT_NE(looped.reason.find("nested too deep"), std::string::npos) << looped.reason;

  // Sixteen levels of chains, each jumping 40 times into the next: 40^16
  // paths if walked naively.
  std::string json =
      R"({"nftables":[{"chain":{"family":"inet","table":"t","name":"in","type":"filter","hook":"input","prio":0,"policy":"drop"}})";
  for (int level = 0; level < 16; ++level) {
    json += R"(,{"chain":{"family":"inet","table":"t","name":"c)" + std::to_string(level) + R"("}})";
  }
  json += R"(,{"rule":{"family":"inet","table":"t","chain":"in","expr":[{"jump":{"target":"c0"}}]}})";
  for (int level = 0; level + 1 < 16; ++level) {
    for (int copy = 0; copy < 40; ++copy) {
      json += R"(,{"rule":{"family":"inet","table":"t","chain":"c)" + std::to_string(level) +
              R"(","expr":[{"jump":{"target":"c)" + std::to_string(level + 1) + R"("}}]}})";
    }
  }
  json += "]}";
  const auto start = std::chrono::steady_clock::now();
  const auto fanned = nft(json);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(fanned.verdict, Verdict::unknown);
  EXPECT_EQ(fanned.reason, "the ruleset is too large to evaluate");
}

TEST(FirewallGarbageInput, NftEveryTruncationAndRandomDamage)
{
  for (const char* name : {"nft_firewalld_like.json", "nft_named_sets.json"}) {
    const std::string json = fixture(name);
    ASSERT_FALSE(json.empty()) << name;
    for (std::size_t length = 0; length + 1 < json.size(); length += 7) {
      EXPECT_EQ(nft(json.substr(0, length)).verdict, Verdict::unknown) << name << " cut at " << length;
    }
    std::mt19937 random(12345);
    for (int round = 0; round < 500; ++round) {
      std::string damaged = json;
      for (int hit = 0; hit < 3; ++hit) {
        const auto at = std::uniform_int_distribution<std::size_t>(0, damaged.size() - 1)(random);
        damaged[at] = "{}[]\",:0@x \\"[std::uniform_int_distribution<int>(0, 12)(random)];
      }
      const auto verdict = nft(damaged);  // any verdict, as long as it comes back with a reason
      EXPECT_FALSE(verdict.reason.empty());
    }
  }
}

TEST(FirewallGarbageInput, IptablesTextThatIsNotIptablesSave)
{
  const std::string cases[] = {
      "hello world\n",
      "-A INPUT -j DROP\n",                                              // no table
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -j DROP\n",          // cut short: no COMMIT
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -p\nCOMMIT\n",              // option without value
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -m comment --comment \"open\nCOMMIT\n",
      "*filter\n:INPUT DROP [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n",        // undeclared chain
      "*filter\n:INPUT DROP [0:0]\n:INPUT DROP [0:0]\nCOMMIT\n",        // declared twice
      "*filter\n:INPUT\nCOMMIT\n",
      "*filter\n:INPUT MAYBE [0:0]\nCOMMIT\n",
      "*filter\n:INPUT DROP [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
      "*filter\n:INPUT DROP [0:0]\n-A INPUT stray -j ACCEPT\nCOMMIT\n",
      "*filter\n*nat\nCOMMIT\n",
      "*filter\n:INPUT DROP [0:0]\n-A INPUT " + std::string(1, '\0') + " -j ACCEPT\nCOMMIT\n",
  };
  for (const auto& text : cases) {
    const auto verdict = iptables(text);
    EXPECT_EQ(verdict.verdict, Verdict::unknown) << text;
    EXPECT_TRUE(verdict.reason.starts_with("cannot read the iptables-save output: ")) << text << " -> " << verdict.reason;
  }
}

TEST(FirewallGarbageInput, IptablesJumpLoopAndHugeNumbers)
{
  const std::string loop =
      "*filter\n:INPUT DROP [0:0]\n:a - [0:0]\n:b - [0:0]\n-A INPUT -j a\n-A a -j b\n-A b -j a\nCOMMIT\n";
  EXPECT_EQ(iptables(loop).verdict, Verdict::unknown);
  for (const std::string port : {"99999999999999999999", "65536", "-1", "4662:99999999999999", "x:y", "4663:4662", ""}) {
    const std::string save = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport \"" + port + "\" -j ACCEPT\nCOMMIT\n";
    EXPECT_NE(iptables(save).verdict, Verdict::allowed) << port;
  }
}

TEST(FirewallGarbageInput, IptablesEveryTruncationAndRandomBytes)
{
  const std::string save = fixture("ipt_ufw_like.save");
  ASSERT_FALSE(save.empty());
  for (std::size_t length = 0; length < save.size(); length += 5) {
    const auto verdict = iptables(save.substr(0, length));
    EXPECT_FALSE(verdict.reason.empty());
  }
  std::mt19937 random(54321);
  for (int round = 0; round < 300; ++round) {
    std::string noise(std::uniform_int_distribution<std::size_t>(0, 400)(random), ' ');
    for (char& c : noise) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
    if (round % 2 == 0) noise = "*filter\n:INPUT DROP [0:0]\n-A INPUT " + noise + "\nCOMMIT\n";
    EXPECT_FALSE(iptables(noise).reason.empty());
  }
}
