// The router checks (router_found, router_port_mappings) on made-up
// evidence: each situation gives the right finding and fix. The same checks
// against the lab's real miniupnpd: tests/lab/cases/doctor_router.sh.
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

Evidence routed(const std::string& conf = "[eMule]\nUPnPEnabled=1\n")
{
  Evidence ev;
  const auto doc = config::IniDocument::parse(conf);
  ev.config.path = "/home/u/.aMule/amule.conf";
  ev.config.exists = true;
  ev.settings = config::load_settings(doc);
  ev.plan = config::make_port_plan(ev.settings);
  ev.router.asked = true;
  auto& r = ev.router.report;
  r.gateway = net::DefaultGateway{"eth0", "192.168.1.1"};
  r.local_address = "192.168.1.10";
  r.natpmp.answered = true;
  r.natpmp.external_ip = "198.51.100.7";
  r.upnp.answered = true;
  r.upnp.external_ip = "198.51.100.7";
  r.upnp.detail = "WANIPConnection:2";
  r.upnp_info = portmap::UpnpInfo{};
  r.upnp_info->table_read = true;
  return ev;
}

void add_entry(Evidence& ev, config::Protocol p, std::uint16_t port, const std::string& client,
               std::uint16_t internal_port = 0)
{
  ev.router.report.upnp_info->table.push_back(
      {p, port, client, internal_port ? internal_port : port, "aMule", true, 0, ""});
}

std::vector<Finding> run(const Evidence& ev)
{
  std::vector<Finding> all;
  for (const auto& c : doctor::all_checks()) {
    if (c.name.rfind("router_", 0) != 0) continue;
    auto f = c.run(ev);
    all.insert(all.end(), f.begin(), f.end());
  }
  return all;
}

const Finding* find(const std::vector<Finding>& fs, const std::string& id)
{
  const auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace

TEST(DoctorRouter, NotAskedSaysNothing)
{
  Evidence ev = routed();
  ev.router.asked = false;
  EXPECT_TRUE(run(ev).empty());
}

TEST(DoctorRouter, NoGatewayIsInfo)
{
  Evidence ev = routed();
  ev.router.report = {};
  ev.router.report.error = "no IPv4 default gateway in the routing table";
  const auto fs = run(ev);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "router.none");
  EXPECT_EQ(fs[0].severity, Severity::info);
}

TEST(DoctorRouter, NothingAnswersGivesManualRulesWithOurAddress)
{
  Evidence ev = routed();
  auto& r = ev.router.report;
  r.natpmp = {};
  r.upnp = {};
  r.natpmp.error = "no answer within 2000 ms";
  const auto fs = run(ev);
  const Finding* f = find(fs, "router.no-portmapping");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);  // UPnPEnabled=1: aMule expects the router to map
  EXPECT_NE(f->fix.find("TCP 4662 -> 192.168.1.10:4662"), std::string::npos) << f->fix;
  EXPECT_NE(f->fix.find("UDP 4672 -> 192.168.1.10:4672"), std::string::npos);
  EXPECT_NE(f->fix.find("DHCP reservation"), std::string::npos);
  EXPECT_NE(f->evidence.find("no answer within 2000 ms"), std::string::npos);
  EXPECT_EQ(find(fs, "router.not-forwarded"), nullptr);  // said once, not twice
}

TEST(DoctorRouter, NothingAnswersWithUpnpOffIsOnlyInfo)
{
  Evidence ev = routed("[eMule]\nUPnPEnabled=0\n");
  ev.router.report.natpmp = {};
  ev.router.report.upnp = {};
  const auto found_ = run(ev);
  const Finding* f = find(found_, "router.no-portmapping");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
}

TEST(DoctorRouter, DoubleNatFromAPrivateOrCgnatExternalAddress)
{
  for (const char* ip : {"10.0.0.2", "100.72.1.9", "192.168.0.2", "172.20.1.1"}) {
    Evidence ev = routed();
    ev.router.report.natpmp.external_ip = ip;
    const auto found_ = run(ev);
  const Finding* f = find(found_, "router.double-nat");
    ASSERT_NE(f, nullptr) << ip;
    EXPECT_EQ(f->severity, Severity::warning);
    EXPECT_NE(f->title.find(ip), std::string::npos);
  }
  EXPECT_EQ(find(run(routed()), "router.double-nat"), nullptr);
}

TEST(DoctorRouter, EveryPortForwardedToUs)
{
  Evidence ev = routed();
  add_entry(ev, config::Protocol::tcp, 4662, "192.168.1.10");
  add_entry(ev, config::Protocol::udp, 4665, "192.168.1.10");
  add_entry(ev, config::Protocol::udp, 4672, "192.168.1.10");
  add_entry(ev, config::Protocol::tcp, 8080, "192.168.1.33");  // someone else's, not ours to judge
  const auto fs = run(ev);
  const Finding* f = find(fs, "router.forwarded");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::ok);
  EXPECT_EQ(find(fs, "router.not-forwarded"), nullptr);
  EXPECT_EQ(doctor::exit_code_for(fs), 0);
}

TEST(DoctorRouter, OurPortPointsToAnotherLanAddress)
{
  Evidence ev = routed();
  add_entry(ev, config::Protocol::tcp, 4662, "192.168.1.23");
  add_entry(ev, config::Protocol::udp, 4665, "192.168.1.10");
  add_entry(ev, config::Protocol::udp, 4672, "192.168.1.10");
  const auto fs = run(ev);
  const Finding* f = find(fs, "router.conflict.ed2k-tcp");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->title.find("192.168.1.23"), std::string::npos);
  EXPECT_NE(f->fix.find("DHCP reservation"), std::string::npos);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/Port"), std::string::npos) << f->fix;
  EXPECT_EQ(doctor::exit_code_for(fs), 2);
}

TEST(DoctorRouter, ForwardedToAnotherInternalPort)
{
  Evidence ev = routed();
  add_entry(ev, config::Protocol::tcp, 4662, "192.168.1.10", 4663);
  EXPECT_NE(find(run(ev), "router.wrong-port.ed2k-tcp"), nullptr);
}

TEST(DoctorRouter, MissingPortsListedWithTheMapCommand)
{
  Evidence ev = routed();
  add_entry(ev, config::Protocol::tcp, 4662, "192.168.1.10");
  const auto fs = run(ev);
  const Finding* f = find(fs, "router.not-forwarded");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_NE(f->title.find("UDP 4672"), std::string::npos);
  EXPECT_EQ(f->title.find("TCP 4662"), std::string::npos);
  EXPECT_NE(f->fix.find("mulenet map"), std::string::npos);
  EXPECT_NE(f->evidence.find("manual forwarding rule"), std::string::npos);
}

TEST(DoctorRouter, JournalOnlyWhenTheRouterCannotList)
{
  Evidence ev = routed();
  ev.router.report.upnp = {};
  ev.router.report.upnp_info.reset();  // NAT-PMP only: no table
  for (auto [p, port] : {std::pair{config::Protocol::tcp, 4662}, {config::Protocol::udp, 4665},
                         {config::Protocol::udp, 4672}}) {
    portmap::Mapping m;
    m.via = portmap::Via::natpmp;
    m.protocol = p;
    m.internal_port = m.external_port = static_cast<std::uint16_t>(port);
    m.internal_client = "192.168.1.10";
    m.gateway = "192.168.1.1";
    m.lease_seconds = 3600;
    ev.router.journal.mappings.push_back(m);
  }
  const auto fs = run(ev);
  const Finding* f = find(fs, "router.forwarded-journal");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(find(fs, "router.not-forwarded"), nullptr);
}

TEST(DoctorRouter, JournalSaysMappedButTheTableLostIt)
{
  Evidence ev = routed();
  portmap::Mapping m;
  m.protocol = config::Protocol::udp;
  m.internal_port = m.external_port = 4672;
  m.internal_client = "192.168.1.10";
  m.gateway = "192.168.1.1";
  ev.router.journal.mappings.push_back(m);
  const auto found_ = run(ev);
  const Finding* f = find(found_, "router.not-forwarded");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("the router lost it"), std::string::npos);
}

TEST(DoctorRouter, EcAndWebOnlyWhenTheirTogglesAskForIt)
{
  Evidence ev = routed(
      "[eMule]\nUPnPEnabled=1\n[ExternalConnect]\nAcceptExternalConnections=1\nUPnPECEnabled=1\n"
      "[WebServer]\nEnabled=1\nUPnPWebServerEnabled=0\n");
  const auto found_ = run(ev);
  const Finding* f = find(found_, "router.not-forwarded");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("ec-tcp"), std::string::npos) << f->title;
  EXPECT_EQ(f->title.find("web-tcp"), std::string::npos) << f->title;
}

TEST(DoctorRouter, UpnpNotBuiltIsSaidWhenTheConfigWantsUpnp)
{
  Evidence ev = routed();
  ev.router.upnp_built = false;
  std::vector<Finding> all;
  for (const auto& c : doctor::all_checks()) {
    auto f = c.run(ev);
    all.insert(all.end(), f.begin(), f.end());
  }
  const Finding* f = find(all, "upnp.not-built");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_NE(f->fix.find("MULENET_WITH_UPNP=ON"), std::string::npos);

  Evidence off = routed("[eMule]\nUPnPEnabled=0\n");
  off.router.upnp_built = false;
  all.clear();
  for (const auto& c : doctor::all_checks()) {
    auto fs = c.run(off);
    all.insert(all.end(), fs.begin(), fs.end());
  }
  EXPECT_EQ(find(all, "upnp.not-built"), nullptr);
}
