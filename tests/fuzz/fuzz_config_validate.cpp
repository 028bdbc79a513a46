// amule.conf validation (config/validation.hpp) with load_settings and the
// port plan behind it. Properties:
// - every issue names a key path, says what is wrong and how to fix it;
//   errors come before warnings;
// - secrets never show: changing the value of every secret key (to another
//   non-empty value) changes no issue at all;
// - a number key without an error is what load_settings uses;
// - without errors, no two services share a protocol and port;
// - applying the port a conflict's fix suggests ends that key's conflict.
// ctest: -runs=1300 -max_len=4096
#include <charconv>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/ini_document.hpp"
#include "config/key_catalog.hpp"
#include "config/load_settings.hpp"
#include "config/port_plan.hpp"
#include "config/validation.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::config;

namespace {

bool same_issues(const std::vector<ConfigIssue>& a, const std::vector<ConfigIssue>& b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].severity != b[i].severity || a[i].key != b[i].key || a[i].value != b[i].value ||
        a[i].message != b[i].message || a[i].fix != b[i].fix)
      return false;
  }
  return true;
}

// The number load_settings made of each number key.
long long setting_of(const Settings& s, std::string_view path)
{
  if (path == "/eMule/Port") return s.tcp_port;
  if (path == "/eMule/UDPPort") return s.udp_port;
  if (path == "/eMule/UDPEnable") return s.udp_enabled;
  if (path == "/eMule/UPnPEnabled") return s.upnp_enabled;
  if (path == "/eMule/UPnPTCPPort") return s.upnp_tcp_port;
  if (path == "/ExternalConnect/AcceptExternalConnections") return s.ec_enabled;
  if (path == "/ExternalConnect/ECPort") return s.ec_port;
  if (path == "/ExternalConnect/UPnPECEnabled") return s.upnp_ec_enabled;
  if (path == "/WebServer/Enabled") return s.web_enabled;
  if (path == "/WebServer/Port") return s.web_port;
  if (path == "/WebServer/UPnPWebServerEnabled") return s.upnp_web_enabled;
  if (path == "/Proxy/ProxyEnableProxy") return s.proxy.enabled;
  if (path == "/Proxy/ProxyType") return static_cast<long long>(s.proxy.type);
  if (path == "/Proxy/ProxyPort") return s.proxy.port;
  if (path == "/Proxy/ProxyEnablePassword") return s.proxy.use_auth;
  if (path == "/mulenet/ProxyStrict") return s.proxy.strict;
  if (path == "/mulenet/KadUdpFlowWindow") return s.kad_udp_flow_window_s;
  if (path == "/mulenet/KadRecheckWindow") return s.kad_recheck_window_s;
  if (path == "/eMule/ServerKeepAliveTimeout") return s.server_keep_alive_min;
  return -1;  // a key this fuzzer does not know yet: not checked
}

// "/eMule/UDPPort is 4675, the same udp port as ...: two services cannot
// share it." (other messages quote the value, which may be any text).
bool is_conflict(const ConfigIssue& issue)
{
  return issue.value.find_first_not_of("0123456789") == std::string::npos &&
         issue.message.starts_with(issue.key + " is " + issue.value + ", the same ") &&
         issue.message.ends_with("two services cannot share it.");
}

bool has_error_for(const std::vector<ConfigIssue>& issues, std::string_view key)
{
  for (const auto& issue : issues) {
    if (issue.severity == ConfigIssue::Severity::error && names_equal(issue.key, key)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const IniDocument doc = IniDocument::parse(mulenet::fuzz::text(data, size));
  const auto issues = validate(doc);

  bool seen_warning = false;
  for (const auto& issue : issues) {
    FUZZ_CHECK(issue.key.starts_with('/'), "an issue names a key path");
    FUZZ_CHECK(!issue.message.empty() && !issue.fix.empty(), "an issue says what is wrong and how to fix it");
    if (issue.severity == ConfigIssue::Severity::warning) seen_warning = true;
    FUZZ_CHECK(!(seen_warning && issue.severity == ConfigIssue::Severity::error), "errors come before warnings");
    if (is_secret_key(issue.key)) {
      FUZZ_CHECK(issue.value.empty() || issue.value == mask_secret(issue.value), "a secret value is masked");
    }
  }
  FUZZ_CHECK(has_errors(issues) == (!issues.empty() && issues.front().severity == ConfigIssue::Severity::error),
             "has_errors() agrees with the issues");

  // Secrets do not show: other secret values, the very same issues.
  IniDocument other_secrets = doc;
  for (const KeySpec& spec : known_keys()) {
    if (spec.type != KeyType::secret) continue;
    const auto kp = parse_key_path(spec.path);
    const auto raw = doc.get(kp->section, kp->key);
    if (raw && !raw->empty()) other_secrets.set(kp->section, kp->key, *raw == "x" ? "y" : "x");
  }
  FUZZ_CHECK(same_issues(validate(other_secrets), issues), "secret values never change what validation says");

  // What validation accepts is what load_settings uses.
  const Settings settings = load_settings(doc);
  for (const KeySpec& spec : known_keys()) {
    if (spec.type != KeyType::port && spec.type != KeyType::boolean && spec.type != KeyType::proxy_type &&
        spec.type != KeyType::seconds && spec.type != KeyType::minutes)
      continue;
    const auto kp = parse_key_path(spec.path);
    const auto raw = doc.get(kp->section, kp->key);
    const long long used = setting_of(settings, spec.path);
    if (used < 0 || has_error_for(issues, spec.path)) continue;
    const long long expected = *parse_config_integer(raw ? *raw : spec.default_value);
    FUZZ_CHECK(used == expected, "a number key without an error is what load_settings uses");
  }

  const PortPlan plan = make_port_plan(settings);
  if (!has_errors(issues)) {
    std::set<std::pair<Protocol, std::uint16_t>> taken;
    for (const auto& port : plan.ports) {
      FUZZ_CHECK(taken.insert({port.protocol, port.port}).second, "without errors, no two services share a port");
    }
  }

  // A conflict's fix names a free port: applying it ends that key's conflict.
  for (const auto& issue : issues) {
    if (!is_conflict(issue)) continue;
    const std::size_t digits = issue.fix.find_last_not_of("0123456789");
    FUZZ_CHECK(digits != std::string::npos && digits + 1 < issue.fix.size(), "a conflict's fix names a port");
    unsigned suggestion = 0;
    std::from_chars(issue.fix.data() + digits + 1, issue.fix.data() + issue.fix.size(), suggestion);
    FUZZ_CHECK(suggestion >= 1 && suggestion <= 65535, "the suggested port is a port");
    const auto kp = parse_key_path(issue.key);
    IniDocument fixed = doc;
    fixed.set(kp->section, kp->key, std::to_string(suggestion));
    for (const auto& after : validate(fixed)) {
      FUZZ_CHECK(!(names_equal(after.key, issue.key) && is_conflict(after)),
                 "applying the suggested port ends the conflict of that key");
    }
  }
  return 0;
}
