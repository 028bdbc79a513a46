// reachability.untested: a doctor that could ask no server and no node says
// so, instead of ending on "0 problems".
#include <gtest/gtest.h>

#include <algorithm>

#include "doctor/check.hpp"

using namespace mulenet;
using doctor::Evidence;
using doctor::Finding;
using doctor::Severity;

namespace {

std::vector<Finding> reachability(const Evidence& ev)
{
  for (const auto& c : doctor::all_checks())
    if (std::string_view(c.name) == "reachability_tested") return c.run(ev);
  ADD_FAILURE() << "reachability_tested is not registered";
  return {};
}

}  // namespace

TEST(DoctorReachability, NothingAskedOnPurposeIsANote)
{
  Evidence ev;  // --no-ed2k --no-kad
  const auto fs = reachability(ev);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "reachability.untested");
  EXPECT_EQ(fs[0].severity, Severity::info);
}

TEST(DoctorReachability, NothingToAskIsAWarningWithTheReasons)
{
  Evidence ev;
  ev.ed2k.asked = true;
  ev.ed2k.no_servers = "no server.met with servers at /home/u/.aMule/server.met";
  ev.kad.asked = true;
  ev.kad.no_nodes = "no nodes.dat at /home/u/.aMule/nodes.dat";
  const auto fs = reachability(ev);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::warning);
  EXPECT_NE(fs[0].evidence.find("server.met"), std::string::npos);
  EXPECT_NE(fs[0].evidence.find("nodes.dat"), std::string::npos);
  EXPECT_NE(fs[0].fix.find("--ed2k-server"), std::string::npos);
}

TEST(DoctorReachability, AnIdOrAVerdictIsATest)
{
  Evidence ev;
  ev.kad.asked = true;
  ev.kad.report.tcp = kad::Verdict::firewalled;
  EXPECT_TRUE(reachability(ev).empty());
  Evidence ed2k;
  ed2k.ed2k.asked = true;
  ed2k::ServerCheck s;
  s.login.id = ed2k::IdChange{};
  ed2k.ed2k.report.servers.push_back(s);
  EXPECT_TRUE(reachability(ed2k).empty());
}

TEST(DoctorReachability, UnknownVerdictsAreNoTest)
{
  Evidence ev;
  ev.kad.asked = true;  // asked, answered nothing that decides
  const auto fs = reachability(ev);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::warning);
}
