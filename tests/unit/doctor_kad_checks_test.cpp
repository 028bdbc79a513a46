// The Kad doctor check on made-up evidence: each documented cause of
// "firewalled" gets its finding and fix. Against real amuled:
// tests/lab/cases/kad_check.sh.
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

Evidence base(const std::string& conf = "[eMule]\nPort=4662\nUDPPort=4672\n")
{
  Evidence ev;
  const auto doc = config::IniDocument::parse(conf);
  ev.settings = config::load_settings(doc);
  ev.plan = config::make_port_plan(ev.settings);
  ev.kad.asked = true;
  ev.kad.report.contacts = 6;
  ev.kad.report.tcp_answers = 3;
  ev.router.report.local_address = "192.168.1.10";
  return ev;
}

std::vector<Finding> run(const Evidence& ev)
{
  for (const auto& c : doctor::all_checks())
    if (c.name == "kad_status") return c.run(ev);
  return {};
}

const Finding* find(const std::vector<Finding>& fs, const std::string& id)
{
  const auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace

TEST(DoctorKad, UdpDisabledMeansKadCannotBeOpen)
{
  Evidence ev = base("[eMule]\nUDPEnable=0\n");
  ev.kad.asked = false;
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.udp-disabled");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/UDPEnable 1"), std::string::npos);
}

TEST(DoctorKad, NotAskedNothingToAskAndNoVerdict)
{
  Evidence ev = base();
  ev.kad.asked = false;
  EXPECT_TRUE(run(ev).empty());
  ev.kad.asked = true;
  ev.kad.no_nodes = "no nodes.dat at /x/nodes.dat";
  const auto a = run(ev);
  EXPECT_NE(find(a, "kad.not-checked"), nullptr);
  ev.kad.no_nodes.clear();
  ev.kad.report.error = "cannot bind the Kad UDP port 4672: Address already in use";
  const auto b = run(ev);
  ASSERT_NE(find(b, "kad.no-verdict"), nullptr);
  EXPECT_NE(find(b, "kad.no-verdict")->fix.find("Stop aMule"), std::string::npos);
}

TEST(DoctorKad, OpenIsOk)
{
  Evidence ev = base();
  ev.kad.report.tcp = ev.kad.report.udp = kad::Verdict::open;
  ev.kad.report.external_udp_port = 4672;
  const auto fs = run(ev);
  ASSERT_NE(find(fs, "kad.open"), nullptr);
  EXPECT_EQ(doctor::exit_code_for(fs), 0);
}

TEST(DoctorKad, UdpFirewalledDespiteHighIdMeansNotForwarded)
{
  Evidence ev = base();
  ev.kad.report.tcp = kad::Verdict::open;
  ev.kad.report.udp = kad::Verdict::firewalled;
  ev.kad.report.external_udp_port = 4672;
  ed2k::ServerCheck s;
  s.login.id = ed2k::IdChange{};
  s.login.id->id = 0x07643306u;
  ev.ed2k.report.servers = {s};
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.udp-firewalled");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("despite a High ID"), std::string::npos) << f->title;
  EXPECT_NE(f->fix.find("UDP 4672 -> 192.168.1.10:4672"), std::string::npos) << f->fix;
}

TEST(DoctorKad, RemappedGetsTheDocumentedWorkaround)
{
  Evidence ev = base();
  ev.kad.report.tcp = kad::Verdict::open;
  ev.kad.report.udp = kad::Verdict::firewalled;
  ev.kad.report.external_udp_port = 31111;
  ev.kad.report.udp_remapped = true;
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.udp-remapped");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("80 < n < 65530"), std::string::npos);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/Port 4811"), std::string::npos) << f->fix;
  EXPECT_NE(f->fix.find("UDP 4814"), std::string::npos);
  EXPECT_NE(f->fix.find("UDP 4672"), std::string::npos);
  // Already on 4811: another suggestion.
  Evidence other = base("[eMule]\nPort=4811\nUDPPort=4672\n");
  other.kad.report = ev.kad.report;
  const auto gs = run(other);
  EXPECT_NE(find(gs, "kad.udp-remapped")->fix.find("/eMule/Port 9870"), std::string::npos);
}

TEST(DoctorKad, RemappedButTheForwardedPortWorksIsOnlyANote)
{
  Evidence ev = base();
  ev.kad.report.tcp = ev.kad.report.udp = kad::Verdict::open;
  ev.kad.report.external_udp_port = 31111;
  ev.kad.report.udp_remapped = true;
  const auto fs = run(ev);
  ASSERT_NE(find(fs, "kad.remapped-but-open"), nullptr);
  EXPECT_EQ(find(fs, "kad.remapped-but-open")->severity, Severity::info);
}

TEST(DoctorKad, TcpFirewalled)
{
  Evidence ev = base();
  ev.kad.report.tcp = kad::Verdict::firewalled;
  ev.kad.report.udp = kad::Verdict::open;
  ASSERT_NE(find(run(ev), "kad.tcp-firewalled"), nullptr);
}

TEST(DoctorKad, UnstablePortFirewalledGetsTheWorkaroundUnderItsOwnName)
{
  Evidence ev = base();
  ev.kad.report.tcp = kad::Verdict::open;
  ev.kad.report.udp = kad::Verdict::firewalled;
  ev.kad.report.udp_port_unstable = true;  // each node saw another port
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.udp-port-unstable");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_NE(f->title.find("unstable"), std::string::npos);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/Port 4811"), std::string::npos);
  EXPECT_EQ(find(fs, "kad.udp-remapped"), nullptr);
  EXPECT_EQ(find(fs, "kad.udp-firewalled"), nullptr);  // forwarding alone is not the advice
}

TEST(DoctorKad, UnstablePortButUdpOpenIsANote)
{
  Evidence ev = base();
  ev.kad.report.tcp = ev.kad.report.udp = kad::Verdict::open;
  ev.kad.report.udp_port_unstable = true;
  const auto fs = run(ev);
  ASSERT_NE(find(fs, "kad.udp-port-unstable"), nullptr);
  EXPECT_EQ(find(fs, "kad.udp-port-unstable")->severity, Severity::info);
  ASSERT_NE(find(fs, "kad.open"), nullptr);
}

TEST(DoctorKad, ThroughTheProxyNoForwardingAdvice)
{
  Evidence ev = base();
  ev.kad.report.tcp = kad::Verdict::firewalled;
  ev.kad.report.udp = kad::Verdict::firewalled;
  ev.kad.report.udp_via_proxy = true;
  ev.kad.report.udp_path = "through the SOCKS5 relay 203.0.113.10:40001";
  ev.kad.report.public_ip = "203.0.113.10";
  ev.kad.report.external_udp_port = 40725;
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.via-proxy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_NE(f->title.find("TCP firewalled, UDP firewalled"), std::string::npos) << f->title;
  EXPECT_NE(f->title.find("203.0.113.10"), std::string::npos);
  EXPECT_NE(f->evidence.find("SOCKS5 relay"), std::string::npos);
  EXPECT_EQ(find(fs, "kad.tcp-firewalled"), nullptr);  // "forward the TCP port" would not help
  EXPECT_EQ(find(fs, "kad.udp-firewalled"), nullptr);
  EXPECT_EQ(find(fs, "kad.udp-remapped"), nullptr);
}

// A check right after another: the nodes that could tell were used up. The
// doctor says why in plain words and when to run the check again.
TEST(DoctorKad, UnknownSaysWhyAndWhenToCheckAgain)
{
  Evidence ev = base();
  ev.kad.report.tcp = kad::Verdict::unknown;
  ev.kad.report.tcp_reason = "only 0 Kad node(s) could be asked to check our TCP port (2 are needed)";
  ev.kad.report.udp = kad::Verdict::firewalled;
  ev.kad.report.retry_after_s = 37;
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.partly-unknown");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->title, "Kad: TCP unknown, UDP firewalled (not every test could decide)");
  EXPECT_NE(f->evidence.find("TCP unknown: only 0 Kad node(s)"), std::string::npos);
  EXPECT_NE(f->fix.find("Check again in 37 s: mulenet kad check"), std::string::npos);
}

TEST(DoctorKad, UnknownWithoutAnEstimateStillGivesTheCommand)
{
  Evidence ev = base();
  ev.kad.report.udp = kad::Verdict::unknown;
  ev.kad.report.udp_reason = "none of the 2 Kad node(s) fit for the UDP test took the request";
  ev.kad.report.tcp = kad::Verdict::open;
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.partly-unknown");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->evidence.find("UDP unknown: none of the 2"), std::string::npos);
  EXPECT_NE(f->fix.find("mulenet kad check"), std::string::npos);
}

namespace {

// Behind a router that answers, with this host's firewall's verdict on every port.
Evidence behind_router(firewall::Verdict verdict, const std::string& external = "198.51.100.7")
{
  Evidence ev = base();
  for (const auto& p : ev.plan.ports)
    if (p.active) ev.ports.push_back({p, {net::BindStatus::free, "free"}, std::nullopt,
                                      firewall::InboundVerdict{verdict, "ruleset"}});
  ev.router.asked = true;
  ev.router.report.gateway = net::DefaultGateway{"eth0", "192.168.1.1"};
  ev.router.report.natpmp.answered = true;
  ev.router.report.natpmp.external_ip = external;
  return ev;
}

void forwarded(Evidence& ev, config::Protocol protocol, std::uint16_t port)
{
  portmap::Mapping m;
  m.protocol = protocol;
  m.internal_port = m.external_port = port;
  m.internal_client = "192.168.1.10";
  ev.router.journal.mappings.push_back(m);
}

}  // namespace

// The router forwards Kad's UDP port, this host's firewall drops it: the
// firewall is named, and forwarding (done already) is not offered again.
TEST(DoctorKad, UdpFirewalledWhileForwardedAndDroppedHereNamesTheLocalFirewall)
{
  Evidence ev = behind_router(firewall::Verdict::blocked);
  forwarded(ev, config::Protocol::udp, 4672);
  ev.kad.report.tcp = kad::Verdict::open;
  ev.kad.report.udp = kad::Verdict::firewalled;
  const auto fs = run(ev);
  const Finding* f = find(fs, "kad.udp-firewalled-local-firewall");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("Allow UDP 4672 in the local firewall"), std::string::npos) << f->fix;
  EXPECT_EQ(f->fix.find("mulenet map"), std::string::npos) << f->fix;
  EXPECT_EQ(find(fs, "kad.udp-firewalled"), nullptr);
}

// Forwarded and allowed, yet nothing came in: upstream filtering, another port.
TEST(DoctorKad, TcpFirewalledWhileForwardedAndAllowedSuspectsTheIsp)
{
  Evidence ev = behind_router(firewall::Verdict::allowed);
  forwarded(ev, config::Protocol::tcp, 4662);
  ev.kad.report.tcp = kad::Verdict::firewalled;
  ev.kad.report.udp = kad::Verdict::open;
  const auto fs = run(ev);  // kept: f points into it
  const Finding* f = find(fs, "kad.tcp-firewalled-filtered");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/Port 24662"), std::string::npos) << f->fix;
  EXPECT_EQ(f->fix.find("TCP 4662 ->"), std::string::npos) << f->fix;
}

// The router's own outside address is private: no forwarding here can help.
TEST(DoctorKad, UdpFirewalledBehindADoubleNat)
{
  Evidence ev = behind_router(firewall::Verdict::allowed, "100.64.3.4");
  forwarded(ev, config::Protocol::udp, 4672);
  ev.kad.report.tcp = kad::Verdict::open;
  ev.kad.report.udp = kad::Verdict::firewalled;
  const auto fs = run(ev);  // kept: f points into it
  const Finding* f = find(fs, "kad.udp-firewalled-double-nat");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("100.64.3.4"), std::string::npos) << f->title;
  EXPECT_NE(f->fix.find("bridge mode"), std::string::npos) << f->fix;
}
