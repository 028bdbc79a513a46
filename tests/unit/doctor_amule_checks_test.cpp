// The doctor beside a running aMule, on made-up evidence: aMule's own state
// read over EC becomes the findings (amule.*), a Low ID gets the same
// diagnosis as the doctor's own login, and an unreadable aMule says why and
// how to fix it. Against a real amuled: tests/lab/cases/ed2k_amuled.sh.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/ini_document.hpp"
#include "config/load_settings.hpp"
#include "doctor/amule_holds.hpp"
#include "doctor/check.hpp"
#include "ec/ec_error.hpp"

using namespace mulenet;
using doctor::Evidence;
using doctor::Finding;
using doctor::Severity;

namespace {

Evidence beside_amule()
{
  Evidence ev;
  const auto doc = config::IniDocument::parse("[eMule]\nPort=4662\nUDPPort=4672\n");
  ev.settings = config::load_settings(doc);
  ev.plan = config::make_port_plan(ev.settings);
  for (const auto& p : ev.plan.ports)
    if (p.active)
      ev.ports.push_back({p, {net::BindStatus::in_use, "in use"}, net::PortHolder{4242, "amuled", "amuled -f"},
                          firewall::InboundVerdict{firewall::Verdict::allowed, "policy accept"}});
  ev.router.asked = true;
  ev.router.report.gateway = net::DefaultGateway{"eth0", "192.168.1.1"};
  ev.router.report.local_address = "192.168.1.10";
  ev.router.report.natpmp.answered = true;
  ev.router.report.natpmp.external_ip = "198.51.100.7";
  ev.amule.held = {"4662/tcp (ed2k-tcp)", "4672/udp (kad-udp)"};
  ev.amule.asked = true;
  ev.amule.reading.where = "127.0.0.1:4712";
  ev.amule.reading.version = "2.3.3";
  return ev;
}

ec::AmuleState connected(std::uint32_t id)
{
  ec::AmuleState s;
  s.ed2k = ec::AmuleEd2k::connected;
  s.ed2k_id = id;
  s.server = ec::AmuleServer{{{198, 51, 100, 50}, 4661}, "lab"};
  s.kad = ec::AmuleKad::running_connected;
  s.kad_tcp_firewalled = false;
  s.kad_udp_firewalled = false;
  return s;
}

std::vector<Finding> run(const Evidence& ev)
{
  for (const auto& c : doctor::all_checks())
    if (c.name == "amule_ec") return c.run(ev);
  ADD_FAILURE() << "no check amule_ec";
  return {};
}

const Finding* find(const std::vector<Finding>& fs, const std::string& id)
{
  const auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace

TEST(DoctorAmule, NothingWhenAmuleWasNotAsked)
{
  Evidence ev = beside_amule();
  ev.amule.asked = false;
  EXPECT_TRUE(run(ev).empty());
}

TEST(DoctorAmule, HighIdAndOpenKadAreOkAndSayWhereFrom)
{
  Evidence ev = beside_amule();
  ev.amule.reading.state = connected(0x0764330C);
  const auto fs = run(ev);
  const Finding* high = find(fs, "amule.high-id");
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(high->severity, Severity::ok);
  EXPECT_NE(high->title.find("198.51.100.50:4661 (lab)"), std::string::npos) << high->title;
  EXPECT_NE(high->evidence.find("over EC at 127.0.0.1:4712"), std::string::npos) << high->evidence;
  ASSERT_NE(find(fs, "amule.kad-open"), nullptr);
  EXPECT_EQ(doctor::exit_code_for(fs), 0);
}

namespace {

ec::AmuleState low_id_kad_firewalled()
{
  auto s = connected(1234);
  s.kad_tcp_firewalled = true;  // nothing from outside reached the TCP port either
  return s;
}

}  // namespace

TEST(DoctorAmule, LowIdNotForwardedIsAProblemWithTheForwardingFix)
{
  Evidence ev = beside_amule();
  ev.amule.reading.state = low_id_kad_firewalled();
  const auto fs = run(ev);
  const Finding* f = find(fs, "amule.low-id");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->title.find("aMule reports a Low ID"), std::string::npos) << f->title;
  EXPECT_NE(f->evidence.find("ID 1234"), std::string::npos) << f->evidence;
  EXPECT_NE(f->fix.find("TCP 4662 -> 192.168.1.10:4662"), std::string::npos) << f->fix;
  EXPECT_EQ(doctor::exit_code_for(fs), 2);
}

TEST(DoctorAmule, LowIdWhileTheRouterForwardsAndTheFirewallDropsNamesTheFirewall)
{
  Evidence ev = beside_amule();
  portmap::Mapping m;
  m.protocol = config::Protocol::tcp;
  m.internal_port = m.external_port = 4662;
  m.internal_client = "192.168.1.10";
  ev.router.journal.mappings.push_back(m);
  for (auto& p : ev.ports)
    if (p.port.name == "ed2k-tcp") p.firewall->verdict = firewall::Verdict::blocked;
  ev.amule.reading.state = low_id_kad_firewalled();
  const auto fs = run(ev);
  ASSERT_NE(find(fs, "amule.low-id-local-firewall"), nullptr);
  EXPECT_EQ(find(fs, "amule.low-id"), nullptr);
}

TEST(DoctorAmule, LowIdBehindAProxyIsExpected)
{
  Evidence ev = beside_amule();
  ev.settings.proxy.enabled = true;
  ev.amule.reading.state = low_id_kad_firewalled();
  const auto fs = run(ev);
  const Finding* f = find(fs, "amule.low-id-proxy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
}

TEST(DoctorAmule, LowIdWhileAmulesOwnKadTcpCheckSawThePortOpenIsTheServers)
{
  Evidence ev = beside_amule();
  ev.amule.reading.state = connected(1234);  // Kad connected, TCP not firewalled
  const auto fs = run(ev);
  const Finding* f = find(fs, "amule.server-low-id");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(find(fs, "amule.low-id"), nullptr);
}

TEST(DoctorAmule, KadFirewalledSaysWhichAndTheBuddy)
{
  Evidence ev = beside_amule();
  auto s = connected(0x0764330C);
  s.kad_udp_firewalled = true;
  s.buddy = ec::BuddyState::connected;
  s.buddy_address = ec::Ipv4Port{{203, 0, 113, 9}, 4672};
  ev.amule.reading.state = s;
  const auto fs = run(ev);
  const Finding* f = find(fs, "amule.kad-firewalled");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_NE(f->title.find("UDP firewalled"), std::string::npos) << f->title;
  EXPECT_EQ(f->title.find("TCP"), std::string::npos) << f->title;
  EXPECT_NE(f->evidence.find("buddy at 203.0.113.9:4672"), std::string::npos) << f->evidence;
  EXPECT_NE(f->fix.find("UDP 4672"), std::string::npos) << f->fix;
}

TEST(DoctorAmule, KadStillConnectingIsNotAVerdict)
{
  Evidence ev = beside_amule();
  auto s = connected(0x0764330C);
  s.kad = ec::AmuleKad::running_not_connected;
  s.kad_udp_firewalled.reset();
  ev.amule.reading.state = s;
  const auto fs = run(ev);
  EXPECT_NE(find(fs, "amule.kad-connecting"), nullptr);
  EXPECT_EQ(find(fs, "amule.kad-open"), nullptr);
  EXPECT_EQ(find(fs, "amule.kad-firewalled"), nullptr);
}

TEST(DoctorAmule, NotConnectedToEd2kIsInfo)
{
  Evidence ev = beside_amule();
  auto s = connected(0);
  s.ed2k = ec::AmuleEd2k::connecting;
  s.ed2k_id.reset();
  ev.amule.reading.state = s;
  const auto fs = run(ev);  // kept: f points into it
  const Finding* f = find(fs, "amule.ed2k-not-connected");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
}

TEST(DoctorAmule, UnreadableSaysWhyWithTheFix)
{
  Evidence ev = beside_amule();
  ev.amule.reading.code = ec::EcErrc::wrong_password;
  ev.amule.reading.detail = "aMule refused the password";
  const auto fs = run(ev);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "amule.unreadable");
  EXPECT_EQ(fs[0].severity, Severity::warning);
  EXPECT_EQ(fs[0].fix, std::string(ec::fix_for(ec::EcErrc::wrong_password)));
  EXPECT_NE(fs[0].evidence.find("UDP 4672, which aMule holds"), std::string::npos) << fs[0].evidence;

  ev.amule.holder = "mulenet";  // mulenet's own daemon serves EC too
  EXPECT_EQ(run(ev)[0].title.rfind("mulenet run is running", 0), 0u) << run(ev)[0].title;

  ev.amule.reading.code = ec::EcErrc::not_enabled;
  const auto off = run(ev);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].severity, Severity::info);
  EXPECT_NE(off[0].fix.find("AcceptExternalConnections=1"), std::string::npos) << off[0].fix;
}

TEST(DoctorAmule, SaysWhichOwnChecksItReplaced)
{
  Evidence ev = beside_amule();
  ev.amule.reading.state = connected(0x0764330C);
  ev.amule.replaces_ed2k = true;
  ev.amule.replaces_kad = true;
  const auto fs = run(ev);  // kept: f points into it
  const Finding* f = find(fs, "amule.replaces-checks");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("the eD2k login and the Kad check"), std::string::npos) << f->title;
}

TEST(DoctorAmule, HeldByAmuleOrAnUnseenProgramOnly)
{
  Evidence ev = beside_amule();
  EXPECT_TRUE(doctor::held_by_amule(ev.ports[0]));
  auto other = ev.ports[0];
  other.holder = net::PortHolder{99, "nginx", "nginx"};
  EXPECT_FALSE(doctor::held_by_amule(other));
  other.holder.reset();
  EXPECT_TRUE(doctor::held_by_amule(other));  // maybe aMule of another user: worth asking
  other.bind.status = net::BindStatus::free;
  EXPECT_FALSE(doctor::held_by_amule(other));
}
