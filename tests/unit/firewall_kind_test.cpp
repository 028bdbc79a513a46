#include <gtest/gtest.h>

#include <string>

#include "firewall/firewall_kind.hpp"

using mulenet::firewall::FirewallKind;
using mulenet::firewall::parse_firewall_kind;
using mulenet::firewall::to_string;

TEST(FirewallKind, ParsesCanonicalNamesAndRoundTrips)
{
  for (const auto kind : {FirewallKind::nft, FirewallKind::iptables, FirewallKind::ufw, FirewallKind::firewalld,
                          FirewallKind::pf}) {
    const auto parsed = parse_firewall_kind(to_string(kind));
    ASSERT_TRUE(parsed.has_value()) << to_string(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_STREQ(to_string(FirewallKind::nft), "nft");
  EXPECT_STREQ(to_string(FirewallKind::firewalld), "firewalld");
}

TEST(FirewallKind, AcceptsToolNamesInAnyCase)
{
  EXPECT_EQ(parse_firewall_kind("nftables"), FirewallKind::nft);
  EXPECT_EQ(parse_firewall_kind("NFT"), FirewallKind::nft);
  EXPECT_EQ(parse_firewall_kind("firewall-cmd"), FirewallKind::firewalld);
  EXPECT_EQ(parse_firewall_kind("UFW"), FirewallKind::ufw);
  EXPECT_EQ(parse_firewall_kind("pfctl"), FirewallKind::pf);
}

TEST(FirewallKind, RejectsOtherNames)
{
  EXPECT_FALSE(parse_firewall_kind("").has_value());
  EXPECT_FALSE(parse_firewall_kind("ip6tables").has_value());
  EXPECT_FALSE(parse_firewall_kind("nft ").has_value());
  EXPECT_FALSE(parse_firewall_kind(std::string("nft\0x", 5)).has_value());
}
