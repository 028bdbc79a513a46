#include <gtest/gtest.h>

#include <algorithm>

#include "config/ini_document.hpp"
#include "config/load_settings.hpp"
#include "doctor/check.hpp"

using namespace mulenet;
using doctor::Evidence;
using doctor::Finding;
using doctor::Severity;

namespace doctor_test {

Evidence evidence_for(const std::string& conf)
{
  Evidence ev;
  const auto doc = config::IniDocument::parse(conf);
  ev.config.path = "/home/u/.aMule/amule.conf";
  ev.config.exists = true;
  ev.config.issues = config::validate(doc);
  ev.settings = config::load_settings(doc);
  ev.plan = config::make_port_plan(ev.settings);
  for (const auto& p : ev.plan.ports) {
    if (!p.active) continue;
    ev.ports.push_back({p, {net::BindStatus::free, ""}, std::nullopt,
                        firewall::InboundVerdict{firewall::Verdict::allowed, "policy accept"}});
  }
  ev.firewall.readable = true;
  ev.firewall.source = "nft -j list ruleset";
  return ev;
}

const Finding* find(const std::vector<Finding>& fs, const std::string& id)
{
  const auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace doctor_test

using namespace doctor_test;

TEST(DoctorChecks, EveryCheckIsRegistered)
{
  std::vector<std::string> names;
  for (const auto& c : doctor::all_checks()) names.emplace_back(c.name);
  for (const char* expected : {"config_valid", "local_firewall", "ports_bindable", "proxy_udp_leak"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
}

TEST(DoctorChecks, HealthyHostHasNoProblems)
{
  const auto findings = doctor::run_checks(evidence_for(""));
  EXPECT_EQ(doctor::exit_code_for(findings), 0);
  EXPECT_NE(find(findings, "config.valid"), nullptr);
  EXPECT_NE(find(findings, "port.bindable"), nullptr);
  EXPECT_NE(find(findings, "firewall.open"), nullptr);
}

TEST(DoctorChecks, InvalidConfigIsAProblemNamingTheKey)
{
  const auto findings = doctor::run_checks(evidence_for("[eMule]\nPort=70000\n"));
  const Finding* f = find(findings, "config.invalid.eMule.Port");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->fix.find("mulenet config set /eMule/Port"), std::string::npos);
  EXPECT_EQ(findings.front().severity, Severity::problem);  // ranked first
  EXPECT_EQ(doctor::exit_code_for(findings), 2);
}

TEST(DoctorChecks, PortHeldByAnotherProgram)
{
  Evidence ev = evidence_for("");
  ev.ports[0].bind = {net::BindStatus::in_use, "Address already in use"};
  ev.ports[0].holder = net::PortHolder{1234, "nginx", "nginx: master process"};
  const auto findings = doctor::run_checks(ev);
  const Finding* f = find(findings, "port.in-use.ed2k-tcp");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->title.find("nginx (pid 1234)"), std::string::npos) << f->title;
  EXPECT_NE(f->fix.find("/eMule/Port"), std::string::npos);
}

TEST(DoctorChecks, PortHeldByAmuleItselfIsFine)
{
  Evidence ev = evidence_for("");
  ev.ports[0].bind = {net::BindStatus::in_use, "Address already in use"};
  ev.ports[0].holder = net::PortHolder{99, "amuled", "amuled -f"};
  const auto findings = doctor::run_checks(ev);
  EXPECT_EQ(find(findings, "port.in-use.ed2k-tcp")->severity, Severity::ok);
  EXPECT_EQ(doctor::exit_code_for(findings), 0);
}

TEST(DoctorChecks, PortHolderInvisibleSaysHowToSeeIt)
{
  Evidence ev = evidence_for("");
  ev.ports[1].bind = {net::BindStatus::in_use, "Address already in use"};
  const auto findings = doctor::run_checks(ev);
  const Finding* f = find(findings, "port.in-use.server-udp");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("sudo mulenet doctor"), std::string::npos);
}

TEST(DoctorChecks, PrivilegedPortAndForeignAddress)
{
  Evidence ev = evidence_for("[eMule]\nAddress=10.9.9.9\n");
  ev.ports[0].bind = {net::BindStatus::permission_denied, "Permission denied"};
  ev.ports[1].bind = {net::BindStatus::address_unavailable, "Cannot assign requested address"};
  const auto findings = doctor::run_checks(ev);
  EXPECT_EQ(find(findings, "port.denied.ed2k-tcp")->severity, Severity::problem);
  const Finding* f = find(findings, "port.address-unavailable.server-udp");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->title.find("10.9.9.9"), std::string::npos);
}

TEST(DoctorChecks, FirewallBlockingAPortGivesTheRule)
{
  Evidence ev = evidence_for("");
  ev.ports[0].firewall = firewall::InboundVerdict{firewall::Verdict::blocked, "chain input: policy drop"};
  const auto findings = doctor::run_checks(ev);
  const Finding* f = find(findings, "firewall.blocked.ed2k-tcp");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->evidence.find("policy drop"), std::string::npos);
  EXPECT_NE(f->fix.find("4662"), std::string::npos);
  EXPECT_EQ(f->fix.find("4672"), std::string::npos);  // only the blocked port's rule
}

TEST(DoctorChecks, UnreadableFirewallIsANoteNotAGuess)
{
  Evidence ev = evidence_for("");
  ev.firewall = {};
  ev.firewall.unreadable_why = "nft -j list ruleset: Operation not permitted (reading the ruleset needs root)";
  for (auto& p : ev.ports) p.firewall.reset();
  const auto findings = doctor::run_checks(ev);
  const Finding* f = find(findings, "firewall.unreadable");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(find(findings, "firewall.open"), nullptr);
}

TEST(DoctorChecks, ProxyThatCannotCarryUdp)
{
  for (int type : {1, 2, 3}) {
    const auto findings = doctor::run_checks(evidence_for(
        "[Proxy]\nProxyEnableProxy=1\nProxyName=p.example\nProxyPassword=s3cret\nProxyType=" + std::to_string(type) +
        "\n"));
    const Finding* f = find(findings, "proxy.udp-leak");
    ASSERT_NE(f, nullptr) << type;
    EXPECT_EQ(f->severity, Severity::warning);
    EXPECT_NE(f->title.find("Kad"), std::string::npos);
    for (const auto& any : findings) {
      EXPECT_EQ(any.evidence.find("s3cret"), std::string::npos);
      EXPECT_EQ(any.title.find("s3cret"), std::string::npos);
    }
  }
  EXPECT_NE(find(doctor::run_checks(evidence_for("[Proxy]\nProxyEnableProxy=1\nProxyName=p\nProxyType=0\n")),
                 "proxy.udp-carried"),
            nullptr);
  const auto strict = doctor::run_checks(
      evidence_for("[Proxy]\nProxyEnableProxy=1\nProxyName=p\nProxyType=2\n[mulenet]\nProxyStrict=1\n"));
  EXPECT_EQ(find(strict, "proxy.udp-leak"), nullptr);
  EXPECT_EQ(find(strict, "proxy.udp-off-strict")->severity, Severity::info);
  EXPECT_EQ(find(doctor::run_checks(evidence_for("")), "proxy.udp-leak"), nullptr);
}

TEST(DoctorChecks, RankingAndExitCodes)
{
  std::vector<Finding> fs = {{"a", Severity::ok, "", "", ""},
                             {"b", Severity::warning, "", "", ""},
                             {"c", Severity::info, "", "", ""},
                             {"d", Severity::problem, "", "", ""}};
  doctor::rank(fs);
  EXPECT_EQ(fs[0].id, "d");
  EXPECT_EQ(fs[1].id, "b");
  EXPECT_EQ(fs[3].id, "a");
  EXPECT_EQ(doctor::exit_code_for(fs), 2);
  fs.erase(fs.begin());
  EXPECT_EQ(doctor::exit_code_for(fs), 1);
  fs.erase(fs.begin());
  EXPECT_EQ(doctor::exit_code_for(fs), 0);
}

TEST(DoctorChecks, ProxyTriedForReal)
{
  Evidence ev = evidence_for("[Proxy]\nProxyEnableProxy=1\nProxyName=p\nProxyType=0\n");
  EXPECT_EQ(find(doctor::run_checks(ev), "proxy.works"), nullptr);  // not probed: no verdict
  ev.proxy.probed = true;
  ev.proxy.url = "socks5://u:***@p:1080";
  proxy::ProbeCheck reach{"reach proxy", true, false, std::chrono::microseconds(300), "p:1080", {}, {}};
  proxy::ProbeCheck auth{"authenticate", false, false, std::chrono::microseconds(900), "status 1", {},
                         proxy::ProxyErrc::auth_failed};
  ev.proxy.report.tcp = {reach, auth};
  ev.proxy.report.first_failure = auth;
  auto findings = doctor::run_checks(ev);
  const Finding* f = find(findings, "proxy.auth-failed");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::problem);
  EXPECT_NE(f->fix.find("/Proxy/ProxyPassword"), std::string::npos);
  ev.proxy.report.first_failure.reset();
  ev.proxy.report.tcp[1].ok = true;
  findings = doctor::run_checks(ev);
  EXPECT_EQ(find(findings, "proxy.works")->severity, Severity::ok);
  EXPECT_NE(find(findings, "proxy.http-downloads-direct"), nullptr);
}
