// The eD2k doctor check on made-up evidence: each documented cause of a Low
// ID gets its own finding. Against the lab's real router and test server:
// tests/lab/cases/doctor_ed2k.sh.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/ini_document.hpp"
#include "config/load_settings.hpp"
#include "doctor/check.hpp"

using namespace mulenet;
using doctor::Evidence;
using doctor::Finding;
using doctor::Severity;

namespace {

Evidence base(const std::string& conf = "[eMule]\nPort=4662\n")
{
  Evidence ev;
  const auto doc = config::IniDocument::parse(conf);
  ev.settings = config::load_settings(doc);
  ev.plan = config::make_port_plan(ev.settings);
  for (const auto& p : ev.plan.ports)
    if (p.active)
      ev.ports.push_back({p, {net::BindStatus::free, ""}, std::nullopt,
                          firewall::InboundVerdict{firewall::Verdict::allowed, "policy accept"}});
  ev.ed2k.asked = true;
  ev.router.asked = true;
  ev.router.report.gateway = net::DefaultGateway{"eth0", "192.168.1.1"};
  ev.router.report.local_address = "192.168.1.10";
  ev.router.report.natpmp.answered = true;
  ev.router.report.natpmp.external_ip = "198.51.100.7";
  return ev;
}

ed2k::ServerCheck server(std::uint32_t id, bool connect_back = false, const char* address = "198.51.100.50:4661")
{
  ed2k::ServerCheck s;
  s.login.server = *proxy::parse_target(address);
  s.login.connected = true;
  if (id != 0) {
    s.login.id = ed2k::IdChange{};
    s.login.id->id = id;
    s.login.id->reported_ip = ed2k::ed2k_order({198, 51, 100, 7});
  } else {
    s.login.error = "the server closed the connection before giving an ID";
  }
  s.login.name = "srv";
  s.login.messages = {"server version 17.15", "connect-back failed"};
  s.connect_back_seen = connect_back;
  return s;
}

constexpr std::uint32_t kHigh = 0x0764330C6;  // 198.51.100.7 in ed2k order is larger; any >= 2^24 will do
constexpr std::uint32_t kLow = 1234;

std::vector<Finding> run(const Evidence& ev)
{
  for (const auto& c : doctor::all_checks())
    if (c.name == "ed2k_id") return c.run(ev);
  return {};
}

const Finding* find(const std::vector<Finding>& fs, const std::string& id)
{
  const auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace

TEST(DoctorEd2k, NotAskedOrNothingToAsk)
{
  Evidence ev = base();
  ev.ed2k.asked = false;
  EXPECT_TRUE(run(ev).empty());
  ev.ed2k.asked = true;
  ev.ed2k.no_servers = "no server.met with servers at /x/server.met";
  const auto fs = run(ev);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "ed2k.not-checked");
  EXPECT_EQ(fs[0].severity, Severity::info);
}

TEST(DoctorEd2k, NoServerAnswered)
{
  Evidence ev = base();
  ev.ed2k.report.servers = {server(0)};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.no-login");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->evidence.find("closed the connection"), std::string::npos);
}

TEST(DoctorEd2k, HighIdIsOk)
{
  Evidence ev = base();
  ev.ed2k.report.servers = {server(kHigh, true)};
  const auto fs = run(ev);
  const Finding* f = find(fs, "ed2k.high-id");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::ok);
  EXPECT_EQ(doctor::exit_code_for(fs), 0);
}

TEST(DoctorEd2k, LowIdWithTheConnectBackLostIsAClosedPort)
{
  Evidence ev = base();
  ev.ed2k.report.servers = {server(kLow)};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.low-id");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->fix.find("TCP 4662 -> 192.168.1.10:4662"), std::string::npos) << f->fix;
  EXPECT_NE(f->fix.find("Low-ID clients"), std::string::npos);
  EXPECT_NE(f->evidence.find("connect-back failed"), std::string::npos);
}

TEST(DoctorEd2k, LowIdWithTheLocalFirewallBlockingSaysSo)
{
  Evidence ev = base();
  for (auto& p : ev.ports)
    if (p.port.name == "ed2k-tcp") p.firewall->verdict = firewall::Verdict::blocked;
  ev.ed2k.report.servers = {server(kLow)};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.low-id");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("local firewall"), std::string::npos);
}

TEST(DoctorEd2k, LowIdThoughReachableIsTheServersFault)
{
  Evidence ev = base();
  ev.ed2k.report.servers = {server(kLow, false, "198.51.100.51:4661"), server(kHigh, true)};
  const auto fs = run(ev);
  const Finding* f = find(fs, "ed2k.server-low-id");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("198.51.100.51:4661"), std::string::npos);
  EXPECT_NE(f->fix.find("198.51.100.50:4661"), std::string::npos);  // the one to use instead
  EXPECT_EQ(find(fs, "ed2k.low-id"), nullptr);

  Evidence alone = base();  // its own connect-back reached us, and still a Low ID
  alone.ed2k.report.servers = {server(kLow, true)};
  EXPECT_NE(find(run(alone), "ed2k.server-low-id"), nullptr);
  EXPECT_EQ(find(run(alone), "ed2k.low-id"), nullptr);
}

TEST(DoctorEd2k, LowIdThroughAProxy)
{
  Evidence ev = base("[eMule]\nPort=4662\n[Proxy]\nProxyEnableProxy=1\nProxyName=10.0.0.9\n");
  auto s = server(kLow);
  s.login.route = proxy::Route::via_proxy;
  ev.ed2k.report.servers = {s};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.low-id-proxy");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("never go through a proxy"), std::string::npos);
}

TEST(DoctorEd2k, LowIdBehindDoubleNat)
{
  Evidence ev = base();
  ev.router.report.natpmp.external_ip = "100.64.3.4";
  ev.ed2k.report.servers = {server(kLow)};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.low-id-double-nat");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("100.64.3.4"), std::string::npos);
}

TEST(DoctorEd2k, LowIdThoughForwardedAndAllowedSuspectsTheIsp)
{
  Evidence ev = base();
  portmap::Mapping m;
  m.protocol = config::Protocol::tcp;
  m.internal_port = m.external_port = 4662;
  m.internal_client = "192.168.1.10";
  ev.router.journal.mappings.push_back(m);
  ev.ed2k.report.servers = {server(kLow)};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.low-id-isp-block");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/Port 24662"), std::string::npos) << f->fix;
}

TEST(DoctorEd2k, LowIdThoughForwardedButTheLocalFirewallDropsItNamesTheFirewall)
{
  Evidence ev = base();
  portmap::Mapping m;
  m.protocol = config::Protocol::tcp;
  m.internal_port = m.external_port = 4662;
  m.internal_client = "192.168.1.10";
  ev.router.journal.mappings.push_back(m);
  for (auto& p : ev.ports)
    if (p.port.name == "ed2k-tcp") p.firewall->verdict = firewall::Verdict::blocked;
  ev.ed2k.report.servers = {server(kLow)};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.low-id-local-firewall");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(find(found_, "ed2k.low-id"), nullptr);  // not "forward it in the router": it is forwarded
  EXPECT_EQ(f->fix.find("mulenet map"), std::string::npos) << f->fix;
  EXPECT_NE(f->fix.find("local firewall"), std::string::npos) << f->fix;
}

TEST(DoctorEd2k, ServerUdpWithoutAnswer)
{
  Evidence ev = base();
  auto s = server(kHigh, true);
  s.udp = ed2k::UdpPingResult{};
  s.udp->error = "no answer";
  s.udp->path = "direct from UDP 4665";
  ev.ed2k.report.servers = {s};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "ed2k.server-udp");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_NE(f->fix.find("4665"), std::string::npos) << f->fix;
}
