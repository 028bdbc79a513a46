#include <gtest/gtest.h>

#include <set>

#include "portmap/pcp/pcp_nonce.hpp"

using namespace mulenet::portmap::pcp;

TEST(PortmapPcpNonce, RandomAndDistinct)
{
  std::set<Nonce> seen;
  for (int i = 0; i < 100; ++i) {
    const auto n = make_nonce();
    ASSERT_TRUE(n.has_value());
    seen.insert(*n);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(seen.count(Nonce{}), 0u);
}

TEST(PortmapPcpNonce, HexRoundTrip)
{
  const Nonce n = {0x6d, 0x75, 0x6c, 0x65, 0x6e, 0x65, 0x74, 0x00, 0x00, 0x00, 0x00, 0x01};
  EXPECT_EQ(nonce_to_hex(n), "6d756c656e65740000000001");
  EXPECT_EQ(nonce_from_hex("6d756c656e65740000000001"), n);
  EXPECT_EQ(nonce_from_hex("6D756C656E65740000000001"), n);  // either case
  EXPECT_EQ(nonce_to_hex(Nonce{}), "000000000000000000000000");
  const Nonce ff = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(nonce_to_hex(ff), "ffffffffffffffffffffffff");
  for (int i = 0; i < 50; ++i) {
    const auto r = make_nonce();
    ASSERT_TRUE(r.has_value());
    const std::string hex = nonce_to_hex(*r);
    EXPECT_EQ(hex.size(), 24u);
    EXPECT_EQ(nonce_from_hex(hex), r);
  }
}

TEST(PortmapPcpNonce, FromHexRejectsAnythingElse)
{
  EXPECT_FALSE(nonce_from_hex("").has_value());
  EXPECT_FALSE(nonce_from_hex("6d756c656e6574000000000").has_value());    // 23 digits
  EXPECT_FALSE(nonce_from_hex("6d756c656e657400000000011").has_value());  // 25
  EXPECT_FALSE(nonce_from_hex("6d756c656e6574000000000g").has_value());
  EXPECT_FALSE(nonce_from_hex("0x6d756c656e657400000001").has_value());
  EXPECT_FALSE(nonce_from_hex(" 6d756c656e6574000000001").has_value());
  EXPECT_FALSE(nonce_from_hex("6d756c65-6e65740000000001").has_value());
  EXPECT_FALSE(nonce_from_hex(std::string_view("6d756c656e65740000000\0001", 24)).has_value());
}
