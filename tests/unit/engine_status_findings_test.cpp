// The daemon's own findings, from its Status alone: each problem it can see
// with its fix, worst first; "nothing wrong" only with evidence that could
// have shown a problem.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/status_findings.hpp"

using namespace mulenet;

namespace {

Status base()
{
  Status s;
  PortStatus tcp;
  tcp.name = "ed2k-tcp";
  tcp.port = 4662;
  tcp.selected = true;
  tcp.state = PortState::mapped;
  tcp.evidence = "the router forwards it";
  s.ports.push_back(tcp);
  return s;
}

const doctor::Finding* find(const std::vector<doctor::Finding>& fs, const std::string& id)
{
  const auto it = std::find_if(fs.begin(), fs.end(), [&](const doctor::Finding& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace

TEST(StatusFindings, NothingWrongOnlyWithEvidence)
{
  Status verified = base();
  verified.ports[0].state = PortState::verified_open;
  EXPECT_EQ(engine::status_findings(verified)[0].id, "daemon.nothing-wrong");
  // A mapping alone cannot show a local firewall or a second NAT.
  EXPECT_EQ(engine::status_findings(base())[0].id, "daemon.nothing-measured");
  Status nothing;
  EXPECT_EQ(engine::status_findings(nothing)[0].id, "daemon.nothing-measured");
  EXPECT_EQ(engine::status_findings(nothing)[0].severity, doctor::Severity::info);
}

TEST(StatusFindings, AClosedPortAndALowIdComeFirstWithTheirFixes)
{
  Status s = base();
  s.ports[0].state = PortState::closed;
  s.ports[0].evidence = "the eD2k server could not connect back";
  s.ed2k.state = Ed2kState::low_id;
  s.ed2k.id = 1234;
  s.ed2k.server = "203.0.113.10:4661";
  s.kad.state = KadState::connected;
  s.kad.tcp = Reachability::open;
  s.kad.udp = Reachability::firewalled;
  s.kad.udp_remapped = true;
  const auto fs = engine::status_findings(s);
  ASSERT_GE(fs.size(), 3u);
  EXPECT_EQ(fs[0].severity, doctor::Severity::problem);
  const auto* closed = find(fs, "port.closed.ed2k-tcp");
  ASSERT_NE(closed, nullptr);
  EXPECT_NE(closed->evidence.find("could not connect back"), std::string::npos);
  const auto* low = find(fs, "ed2k.low-id");
  ASSERT_NE(low, nullptr);
  EXPECT_FALSE(low->fix.empty());
  const auto* kad = find(fs, "kad.firewalled");
  ASSERT_NE(kad, nullptr);
  EXPECT_EQ(kad->title, "Kad UDP firewalled");
  EXPECT_NE(kad->fix.find("workaround"), std::string::npos) << kad->fix;
  EXPECT_EQ(find(fs, "daemon.nothing-wrong"), nullptr);
}

TEST(StatusFindings, ALowIdWithTheTcpPortVerifiedOpenIsTheServers)
{
  Status s = base();
  s.ports[0].state = PortState::verified_open;
  s.ed2k.state = Ed2kState::low_id;
  s.ed2k.server_name = "busy";
  const auto fs = engine::status_findings(s);
  ASSERT_NE(find(fs, "ed2k.server-low-id"), nullptr);
  EXPECT_EQ(find(fs, "ed2k.low-id"), nullptr);
}

TEST(StatusFindings, ALowIdWhileTheRouterForwardsNamesBothCauses)
{
  Status s = base();  // mapped, not verified
  s.ed2k.state = Ed2kState::low_id;
  const auto fs = engine::status_findings(s);
  const auto* f = find(fs, "ed2k.low-id-forwarded");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("local firewall"), std::string::npos) << f->fix;
  EXPECT_EQ(find(fs, "ed2k.low-id"), nullptr);
}

TEST(StatusFindings, DoubleNatAndARefusedMapping)
{
  Status s = base();
  s.router.double_nat = true;
  s.router.external_ip = "100.64.0.7";
  s.ports[0].state = PortState::unknown;
  s.ports[0].problem = "conflict";
  const auto fs = engine::status_findings(s);
  ASSERT_NE(find(fs, "router.double-nat"), nullptr);
  EXPECT_NE(find(fs, "router.double-nat")->title.find("100.64.0.7"), std::string::npos);
  ASSERT_NE(find(fs, "port.not-forwarded.ed2k-tcp"), nullptr);
  EXPECT_NE(find(fs, "port.not-forwarded.ed2k-tcp")->title.find("conflict"), std::string::npos);
}
