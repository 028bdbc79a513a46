#include <gtest/gtest.h>

#include "config/ini_document.hpp"
#include "config/load_settings.hpp"
#include "config/validation.hpp"

using namespace mulenet::config;

namespace {

std::vector<ConfigIssue> issues_of(const std::string& text) { return validate(IniDocument::parse(text)); }

const ConfigIssue* issue_for(const std::vector<ConfigIssue>& issues, const std::string& key)
{
  for (const auto& i : issues)
    if (i.key == key) return &i;
  return nullptr;
}

}  // namespace

TEST(ConfigValidation, DefaultsAndAmuledsOwnFileAreValid)
{
  EXPECT_TRUE(issues_of("").empty());
  EXPECT_TRUE(issues_of("[eMule]\nPort=4662\nUDPPort=4672\n").empty());
}

TEST(ConfigValidation, PortOutOfRangeNamesKeyValueAndFix)
{
  for (const std::string bad : {"0", "65536", "-1", "99999999999999999999"}) {
    const auto issues = issues_of("[eMule]\nUDPPort=" + bad + "\n");
    const ConfigIssue* i = issue_for(issues, "/eMule/UDPPort");
    ASSERT_NE(i, nullptr) << bad;
    EXPECT_EQ(i->severity, ConfigIssue::Severity::error);
    EXPECT_EQ(i->value, bad);
    EXPECT_NE(i->message.find("/eMule/UDPPort"), std::string::npos);
    EXPECT_NE(i->fix.find("mulenet config set /eMule/UDPPort 4672"), std::string::npos) << i->fix;
  }
}

TEST(ConfigValidation, NonNumbers)
{
  for (const std::string bad : {"abc", "4662x", "0x1000", "", "46 62", "4.5"}) {
    const auto issues = issues_of("[ExternalConnect]\nECPort=" + bad + "\n");
    const ConfigIssue* i = issue_for(issues, "/ExternalConnect/ECPort");
    ASSERT_NE(i, nullptr) << bad;
    EXPECT_NE(i->message.find("not a number"), std::string::npos) << i->message;
  }
  EXPECT_TRUE(issues_of("[eMule]\nPort= 4811 \n").empty());  // blanks around a number are fine, as in wx
}

TEST(ConfigValidation, TcpPortAbove65532)
{
  const auto issues = issues_of("[eMule]\nPort=65533\n");
  const ConfigIssue* i = issue_for(issues, "/eMule/Port");
  ASSERT_NE(i, nullptr);
  EXPECT_NE(i->message.find("65536"), std::string::npos) << i->message;
  EXPECT_TRUE(issues_of("[eMule]\nPort=65532\n").empty());
}

TEST(ConfigValidation, TwoServicesOnOnePort)
{
  {
    const auto issues = issues_of("[eMule]\nPort=4662\nUDPPort=4665\n");
    const ConfigIssue* i = issue_for(issues, "/eMule/UDPPort");
    ASSERT_NE(i, nullptr);
    EXPECT_NE(i->message.find("TCP port 4662 + 3"), std::string::npos) << i->message;
    EXPECT_NE(i->fix.find("/eMule/UDPPort 4672"), std::string::npos) << i->fix;
  }
  {
    const auto issues = issues_of("[ExternalConnect]\nECPort=4662\n");
    const ConfigIssue* i = issue_for(issues, "/ExternalConnect/ECPort");
    ASSERT_NE(i, nullptr);
    EXPECT_NE(i->message.find("/eMule/Port"), std::string::npos) << i->message;
    EXPECT_NE(i->fix.find("/ExternalConnect/ECPort 4712"), std::string::npos) << i->fix;
  }
  {
    // The suggested port is itself free.
    const auto issues = issues_of("[WebServer]\nPort=4712\n[eMule]\nUPnPTCPPort=4711\n");
    const ConfigIssue* i = issue_for(issues, "/WebServer/Port");
    ASSERT_NE(i, nullptr);
    EXPECT_NE(i->fix.find("/WebServer/Port 4713"), std::string::npos) << i->fix;
  }
  // TCP and UDP on the same number do not conflict; Kad off removes its port.
  EXPECT_TRUE(issues_of("[eMule]\nPort=4672\n").empty());
  EXPECT_TRUE(issues_of("[eMule]\nUDPPort=4665\nUDPEnable=0\n").empty());
}

TEST(ConfigValidation, ProxyRules)
{
  const auto no_host = issues_of("[Proxy]\nProxyEnableProxy=1\n");
  ASSERT_NE(issue_for(no_host, "/Proxy/ProxyName"), nullptr);
  EXPECT_TRUE(has_errors(no_host));
  EXPECT_TRUE(issues_of("[Proxy]\nProxyEnableProxy=0\n").empty());
  EXPECT_TRUE(issues_of("[Proxy]\nProxyEnableProxy=1\nProxyName=proxy.lan\n").empty());

  for (const std::string bad : {"4", "-1", "socks5"}) {
    const auto issues = issues_of("[Proxy]\nProxyType=" + bad + "\n");
    ASSERT_NE(issue_for(issues, "/Proxy/ProxyType"), nullptr) << bad;
  }
  const auto no_user = issues_of("[Proxy]\nProxyEnableProxy=1\nProxyName=p\nProxyEnablePassword=1\n");
  ASSERT_NE(issue_for(no_user, "/Proxy/ProxyUser"), nullptr);
  EXPECT_FALSE(has_errors(no_user));  // only a warning
}

TEST(ConfigValidation, BooleansAreZeroOrOne)
{
  const auto issues = issues_of("[eMule]\nUPnPEnabled=yes\n");
  const ConfigIssue* i = issue_for(issues, "/eMule/UPnPEnabled");
  ASSERT_NE(i, nullptr);
  EXPECT_NE(i->message.find("\"yes\""), std::string::npos);
}

TEST(ConfigValidation, NeverPrintsSecrets)
{
  // No rule fails on a password today, but the masking must hold for any issue.
  const auto issues = issues_of("[Proxy]\nProxyEnableProxy=1\nProxyPassword=hunter2\nProxyEnablePassword=1\n");
  for (const auto& i : issues) {
    EXPECT_EQ(i.message.find("hunter2"), std::string::npos);
    EXPECT_EQ(i.value.find("hunter2"), std::string::npos);
    EXPECT_EQ(i.fix.find("hunter2"), std::string::npos);
  }
}

TEST(ConfigValidation, GarbageNeverCrashes)
{
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) % 256);
  (void)issues_of(junk);
  (void)issues_of("[eMule]\nPort=" + std::string(100000, '9') + "\n");
  SUCCEED();
}

// The Kad check windows: seconds, 1..86400; the re-check window never below
// amuled's own memory of a check (60 s), and load_settings uses what is valid.
TEST(ConfigValidation, KadWindowsAreSecondsAndTheRecheckWindowHasAFloor)
{
  EXPECT_TRUE(issues_of("[mulenet]\nKadUdpFlowWindow=30\nKadRecheckWindow=60\n").empty());
  for (const std::string bad : {"0", "-5", "86401", "ten", "1.5"}) {
    const auto issues = issues_of("[mulenet]\nKadUdpFlowWindow=" + bad + "\n");
    const ConfigIssue* i = issue_for(issues, "/mulenet/KadUdpFlowWindow");
    ASSERT_NE(i, nullptr) << bad;
    EXPECT_NE(i->fix.find("mulenet config set /mulenet/KadUdpFlowWindow 600"), std::string::npos) << i->fix;
  }
  const auto low = issues_of("[mulenet]\nKadRecheckWindow=30\n");
  const ConfigIssue* i = issue_for(low, "/mulenet/KadRecheckWindow");
  ASSERT_NE(i, nullptr);
  EXPECT_NE(i->message.find("45 s"), std::string::npos) << i->message;
  const Settings s = load_settings(IniDocument::parse("[mulenet]\nKadUdpFlowWindow=30\nKadRecheckWindow=30\n"));
  EXPECT_EQ(s.kad_udp_flow_window_s, 30);
  EXPECT_EQ(s.kad_recheck_window_s, 300);  // invalid: the default
}

namespace mulenet::config {
namespace {

// `mulenet run`'s status page never shares a TCP port with aMule's own
// (its web and EC ports above all), and the fix names a free one.
TEST(ConfigValidation, TheStatusPortIsNotAnAmulePort)
{
  EXPECT_TRUE(validate(IniDocument::parse("[mulenet]\nStatusPort=4715\n")).empty());
  for (const char* text : {"[mulenet]\nStatusPort=4711\n", "[mulenet]\nStatusPort=4712\n", "[mulenet]\nStatusPort=4662\n",
                           "[mulenet]\nStatusPort=50000\n"}) {
    const auto issues = validate(IniDocument::parse(text));
    ASSERT_EQ(issues.size(), 1u) << text;
    EXPECT_EQ(issues[0].key, "/mulenet/StatusPort");
    EXPECT_NE(issues[0].fix.find("/mulenet/StatusPort 4715"), std::string::npos) << issues[0].fix;
  }
  // UDP on the same number is no clash (the page is TCP).
  EXPECT_TRUE(validate(IniDocument::parse("[mulenet]\nStatusPort=4672\n")).empty());
  const auto bad = validate(IniDocument::parse("[mulenet]\nStatusPort=99999\n"));
  ASSERT_FALSE(bad.empty());
  EXPECT_EQ(bad[0].key, "/mulenet/StatusPort");
}

}  // namespace
}  // namespace mulenet::config
