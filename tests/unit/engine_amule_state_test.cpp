// Status <-> aMule's EC view, both ways: what `mulenet amule status` reads
// from aMule (status_from_amule) and what mulenet's EC server tells amulecmd
// (amule_state_from). A verdict we do not have is never shown as "open".
#include <gtest/gtest.h>

#include "engine/amule_state_from_status.hpp"
#include "engine/status_from_amule.hpp"

using namespace mulenet;

TEST(AmuleStateFromStatus, LowIdWithItsServer)
{
  Status s;
  s.ed2k.state = Ed2kState::low_id;
  s.ed2k.id = 1234;
  s.ed2k.high_id = false;
  s.ed2k.server = "203.0.113.10:4661";
  s.ed2k.server_name = "lab";
  const ec::AmuleState a = engine::amule_state_from(s);
  EXPECT_EQ(a.ed2k, ec::AmuleEd2k::connected);
  EXPECT_EQ(a.ed2k_id, 1234u);
  ASSERT_TRUE(a.server);
  EXPECT_EQ(a.server->address.str(), "203.0.113.10:4661");
  EXPECT_EQ(a.server->name, "lab");
  EXPECT_EQ(a.kad, ec::AmuleKad::not_running);  // no Kad node in this Status
}

TEST(AmuleStateFromStatus, KadOpenOnlyWhenCheckedOpen)
{
  Status s;
  s.kad.state = KadState::connected;
  s.kad.tcp = Reachability::unknown;
  s.kad.udp = Reachability::open;
  ec::AmuleState a = engine::amule_state_from(s);
  EXPECT_EQ(a.kad, ec::AmuleKad::running_connected);
  EXPECT_EQ(a.kad_tcp_firewalled, true);  // unknown is not open
  EXPECT_EQ(a.kad_udp_firewalled, false);
  s.kad.tcp = Reachability::open;
  EXPECT_EQ(engine::amule_state_from(s).kad_tcp_firewalled, false);
  s.kad.state = KadState::bootstrapping;
  EXPECT_EQ(engine::amule_state_from(s).kad, ec::AmuleKad::running_not_connected);
}

TEST(AmuleStateFromStatus, RoundTripThroughAmulesView)
{
  Status s;
  s.ed2k.state = Ed2kState::high_id;
  s.ed2k.id = 0x0764330C;
  s.ed2k.high_id = true;
  s.ed2k.server = "203.0.113.10:4661";
  s.kad.state = KadState::connected;
  s.kad.tcp = Reachability::firewalled;
  s.kad.udp = Reachability::open;
  const Status back = engine::status_from_amule(engine::amule_state_from(s), std::chrono::system_clock::now());
  EXPECT_EQ(back.ed2k.state, Ed2kState::high_id);
  EXPECT_EQ(back.ed2k.id, s.ed2k.id);
  EXPECT_EQ(back.ed2k.server, s.ed2k.server);
  EXPECT_EQ(back.kad.tcp, Reachability::firewalled);
  EXPECT_EQ(back.kad.udp, Reachability::open);
}

TEST(AmuleStateFromStatus, ServersWithoutAnIpv4AreLeftOut)
{
  const auto servers = engine::amule_servers_from(
      {*proxy::parse_target("203.0.113.10:4661"), *proxy::parse_target("example.org:4661")});
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].address.str(), "203.0.113.10:4661");
}
