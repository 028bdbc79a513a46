#include <gtest/gtest.h>

#include "net/default_gateway.hpp"

using mulenet::net::parse_default_gateway;

TEST(NetDefaultGateway, PicksTheDefaultRouteWithTheLowestMetric)
{
  const char* table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
      "wlan0\t00000000\t01000A0A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
      "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  const auto gw = parse_default_gateway(table);
  ASSERT_TRUE(gw.has_value());
  EXPECT_EQ(gw->interface, "wlan0");
  EXPECT_EQ(gw->address, "10.10.0.1");
}

TEST(NetDefaultGateway, NoneOrGarbage)
{
  EXPECT_FALSE(parse_default_gateway("").has_value());
  EXPECT_FALSE(parse_default_gateway("Iface\tDestination\neth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"));
  EXPECT_FALSE(parse_default_gateway("eth0 zz yy 3 0 0 0 00000000\n\n\x01\x02").has_value());
  EXPECT_FALSE(parse_default_gateway("eth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\n"));  // not up
}
