#include <gtest/gtest.h>

#include "config/ini_document.hpp"
#include "config/load_settings.hpp"
#include "config/port_plan.hpp"

using namespace mulenet::config;

namespace {

PortPlan plan_of(const std::string& text) { return make_port_plan(load_settings(IniDocument::parse(text))); }

const PlannedPort* find(const PortPlan& plan, const std::string& name)
{
  for (const auto& p : plan.ports)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace

TEST(ConfigPortPlan, DefaultsFromTheSeeds)
{
  const PortPlan plan = plan_of("");
  ASSERT_EQ(plan.ports.size(), 6u);
  EXPECT_EQ(find(plan, "ed2k-tcp")->port, 4662);
  EXPECT_EQ(find(plan, "ed2k-tcp")->protocol, Protocol::tcp);
  EXPECT_EQ(find(plan, "server-udp")->port, 4665);
  EXPECT_EQ(find(plan, "server-udp")->protocol, Protocol::udp);
  EXPECT_EQ(find(plan, "kad-udp")->port, 4672);
  EXPECT_EQ(find(plan, "ec-tcp")->port, 4712);
  EXPECT_EQ(find(plan, "web-tcp")->port, 4711);
  EXPECT_EQ(find(plan, "upnp-control-tcp")->port, 50000);
  for (const auto& p : plan.ports) EXPECT_FALSE(p.upnp) << p.name;  // all toggles off by default
}

TEST(ConfigPortPlan, ServerUdpFollowsTheTcpPort)
{
  const PortPlan plan = plan_of("[eMule]\nPort=4811\n");
  EXPECT_EQ(find(plan, "ed2k-tcp")->port, 4811);
  EXPECT_EQ(find(plan, "server-udp")->port, 4814);
  EXPECT_EQ(find(plan, "server-udp")->key, "/eMule/Port");
}

TEST(ConfigPortPlan, KadPortAbsentWhenUdpDisabled)
{
  EXPECT_EQ(find(plan_of("[eMule]\nUDPEnable=0\n"), "kad-udp"), nullptr);
  EXPECT_NE(find(plan_of("[eMule]\nUDPEnable=1\n"), "kad-udp"), nullptr);
}

TEST(ConfigPortPlan, AllEightToggleCombinations)
{
  for (int bits = 0; bits < 8; ++bits) {
    const bool master = (bits & 1) != 0, ec = (bits & 2) != 0, web = (bits & 4) != 0;
    const PortPlan plan = plan_of("[eMule]\nUPnPEnabled=" + std::to_string(master) +
                                  "\n[ExternalConnect]\nUPnPECEnabled=" + std::to_string(ec) +
                                  "\n[WebServer]\nUPnPWebServerEnabled=" + std::to_string(web) + "\n");
    SCOPED_TRACE(bits);
    EXPECT_EQ(find(plan, "ed2k-tcp")->upnp, master);
    EXPECT_EQ(find(plan, "server-udp")->upnp, master);
    EXPECT_EQ(find(plan, "kad-udp")->upnp, master);
    EXPECT_EQ(find(plan, "ec-tcp")->upnp, master && ec);  // EC needs both
    EXPECT_EQ(find(plan, "web-tcp")->upnp, web);          // web on its own
    EXPECT_FALSE(find(plan, "upnp-control-tcp")->upnp);   // never forwarded
    EXPECT_EQ(find(plan, "upnp-control-tcp")->active, master || web);
  }
}

TEST(ConfigPortPlan, ActiveFollowsTheServices)
{
  const PortPlan off = plan_of("");
  EXPECT_FALSE(find(off, "ec-tcp")->active);
  EXPECT_FALSE(find(off, "web-tcp")->active);
  const PortPlan on = plan_of("[ExternalConnect]\nAcceptExternalConnections=1\n[WebServer]\nEnabled=1\n");
  EXPECT_TRUE(find(on, "ec-tcp")->active);
  EXPECT_TRUE(find(on, "web-tcp")->active);
}

TEST(ConfigPortPlan, InvalidValuesFallBackToDefaults)
{
  const PortPlan plan = plan_of("[eMule]\nPort=99999\nUDPPort=x\n");
  EXPECT_EQ(find(plan, "ed2k-tcp")->port, 4662);
  EXPECT_EQ(find(plan, "kad-udp")->port, 4672);
}
