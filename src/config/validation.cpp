#include "config/validation.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "config/key_catalog.hpp"
#include "config/load_settings.hpp"
#include "config/port_plan.hpp"

namespace mulenet::config {
namespace {

std::string set_command(std::string_view key, std::string_view value)
{
  return fmt::format("mulenet config set {} {}", key, value);
}

// Checks one known key's value against its type. Returns false when invalid.
bool check_type(const KeySpec& spec, const std::string& raw, std::vector<ConfigIssue>& out)
{
  const std::string key(spec.path);
  const std::string shown = spec.type == KeyType::secret ? mask_secret(raw) : raw;
  auto error = [&](std::string message, std::string fix) {
    out.push_back({ConfigIssue::Severity::error, key, shown, std::move(message), std::move(fix)});
  };
  switch (spec.type) {
    case KeyType::port: {
      const auto n = parse_config_integer(raw);
      if (!n) {
        error(fmt::format("{} is \"{}\", which is not a number; a port is a number from 1 to 65535.", key, raw),
              fmt::format("Set a port number, e.g. the default: {}", set_command(key, spec.default_value)));
        return false;
      }
      if (*n < 1 || *n > 65535) {
        error(fmt::format("{} is {}, outside the port range 1..65535.", key, *n),
              fmt::format("Set a port from 1 to 65535, e.g. the default: {}", set_command(key, spec.default_value)));
        return false;
      }
      if (spec.path == "/eMule/Port" && *n > 65532) {
        error(fmt::format("{} is {}: the eD2k server UDP port is always the TCP port + 3 = {}, which does not exist.",
                          key, *n, *n + 3),
              fmt::format("Choose a TCP port of 65532 or lower, e.g. the default: {}",
                          set_command(key, spec.default_value)));
        return false;
      }
      return true;
    }
    case KeyType::boolean: {
      const auto n = parse_config_integer(raw);
      if (!n || (*n != 0 && *n != 1)) {
        error(fmt::format("{} is \"{}\"; it must be 0 (off) or 1 (on).", key, raw),
              fmt::format("{} (or 0 to turn it off)", set_command(key, "1")));
        return false;
      }
      return true;
    }
    case KeyType::proxy_type: {
      const auto n = parse_config_integer(raw);
      if (!n || *n < 0 || *n > 3) {
        error(fmt::format("{} is \"{}\"; it must be 0 (SOCKS5), 1 (SOCKS4), 2 (HTTP) or 3 (SOCKS4a).", key, raw),
              fmt::format("Set the type of your proxy, e.g. SOCKS5: {}", set_command(key, "0")));
        return false;
      }
      return true;
    }
    case KeyType::seconds: {
      const auto n = parse_config_integer(raw);
      if (!n || *n < 1 || *n > kMaxWindowSeconds) {
        error(fmt::format("{} is \"{}\"; it must be a number of seconds from 1 to {}.", key, raw, kMaxWindowSeconds),
              fmt::format("Set a number of seconds, e.g. the default: {}", set_command(key, spec.default_value)));
        return false;
      }
      if (spec.path == "/mulenet/KadRecheckWindow" && *n < kMinRecheckWindowSeconds) {
        error(fmt::format("{} is {}: amuled answers a re-check within about 45 s of its last one from that old "
                          "check (a wrong \"firewalled\"), and allows 2 checks a minute.",
                          key, *n),
              fmt::format("Set at least {} seconds, e.g. the default: {}", kMinRecheckWindowSeconds,
                          set_command(key, spec.default_value)));
        return false;
      }
      return true;
    }
    case KeyType::minutes: {
      const auto n = parse_config_integer(raw);
      if (!n || *n < 0 || *n > kMaxMinutes) {
        error(fmt::format("{} is \"{}\"; it must be a number of minutes from 0 (off) to {}.", key, raw, kMaxMinutes),
              fmt::format("Set a number of minutes, e.g. {} (or 0 to turn it off)", set_command(key, "10")));
        return false;
      }
      return true;
    }
    case KeyType::text:
    case KeyType::secret: return true;
  }
  return true;
}

// A free port to suggest instead of a conflicting one: the key's default if it
// is free, else the next free number after it.
std::uint16_t suggest_port(const PortPlan& plan, const PlannedPort& wanted, std::uint16_t start)
{
  auto taken = [&](std::uint32_t candidate) {
    return std::any_of(plan.ports.begin(), plan.ports.end(), [&](const PlannedPort& p) {
      return &p != &wanted && p.protocol == wanted.protocol && p.port == candidate;
    });
  };
  std::uint32_t candidate = start;
  for (int tries = 0; tries < 1000 && taken(candidate); ++tries) candidate = candidate >= 65535 ? 1024 : candidate + 1;
  return static_cast<std::uint16_t>(candidate);
}

// Two services on the same protocol and port. The later one in the plan is
// reported (e.g. ECPort equal to Port blames ECPort), naming the earlier.
void check_conflicts(const IniDocument& doc, const std::set<std::string>& invalid_keys,
                     std::vector<ConfigIssue>& out)
{
  const PortPlan plan = make_port_plan(load_settings(doc));
  for (std::size_t j = 0; j < plan.ports.size(); ++j) {
    const PlannedPort& later = plan.ports[j];
    for (std::size_t i = 0; i < j; ++i) {
      const PlannedPort& earlier = plan.ports[i];
      if (earlier.protocol != later.protocol || earlier.port != later.port) continue;
      if (invalid_keys.contains(earlier.key) || invalid_keys.contains(later.key)) continue;
      const PlannedPort& blamed = later;
      const PlannedPort& other = earlier;
      const KeySpec* spec = find_key_spec(blamed.key);
      const std::uint16_t start = static_cast<std::uint16_t>(*parse_config_integer(spec->default_value));
      const std::uint16_t suggestion = suggest_port(plan, blamed, start);
      std::string what_other = other.name == "server-udp"
                                   ? fmt::format("the eD2k server UDP port (TCP port {} + 3)", other.port - 3)
                                   : fmt::format("{} ({})", other.key, other.name);
      out.push_back({ConfigIssue::Severity::error, blamed.key, std::to_string(blamed.port),
                     fmt::format("{} is {}, the same {} port as {}: two services cannot share it.", blamed.key,
                                 blamed.port, to_string(blamed.protocol), what_other),
                     fmt::format("Give each service its own port, e.g. {}",
                                 set_command(blamed.key, std::to_string(suggestion)))});
    }
  }
}

// The status page's port against aMule's own TCP ports (its web and EC
// ports above all: a second server there would fight amuleweb or amuled).
void check_status_port(const IniDocument& doc, std::vector<ConfigIssue>& out)
{
  const Settings s = load_settings(doc);
  const PortPlan plan = make_port_plan(s);
  auto tcp_taken = [&](std::uint32_t port) {
    return std::any_of(plan.ports.begin(), plan.ports.end(),
                       [&](const PlannedPort& p) { return p.protocol == Protocol::tcp && p.port == port; });
  };
  const auto clash = std::find_if(plan.ports.begin(), plan.ports.end(), [&](const PlannedPort& p) {
    return p.protocol == Protocol::tcp && p.port == s.status_port;
  });
  if (clash == plan.ports.end()) return;
  std::uint32_t free = 4715;
  for (int tries = 0; tries < 100 && tcp_taken(free); ++tries) ++free;
  out.push_back({ConfigIssue::Severity::error, "/mulenet/StatusPort", std::to_string(s.status_port),
                 fmt::format("/mulenet/StatusPort is {}, the same TCP port as {} ({}): the status page cannot share it.",
                             s.status_port, clash->key, clash->name),
                 fmt::format("Give the status page its own port, e.g. {}",
                             set_command("/mulenet/StatusPort", std::to_string(free)))});
}

void check_proxy(const IniDocument& doc, std::vector<ConfigIssue>& out)
{
  const Settings s = load_settings(doc);
  if (!s.proxy.enabled) return;
  if (s.proxy.host.find_first_not_of(" \t") == std::string::npos) {
    out.push_back({ConfigIssue::Severity::error, "/Proxy/ProxyName", s.proxy.host,
                   "The proxy is enabled (/Proxy/ProxyEnableProxy=1) but /Proxy/ProxyName is empty: there is no "
                   "proxy to connect to.",
                   fmt::format("Set the proxy's host name or IP: {}, or turn the proxy off: {}",
                               set_command("/Proxy/ProxyName", "HOST"), set_command("/Proxy/ProxyEnableProxy", "0"))});
  }
  if (s.proxy.use_auth && s.proxy.user.empty()) {
    out.push_back({ConfigIssue::Severity::warning, "/Proxy/ProxyUser", "",
                   "Proxy authentication is on (/Proxy/ProxyEnablePassword=1) but /Proxy/ProxyUser is empty.",
                   fmt::format("Set the user name: {}, or turn authentication off: {}",
                               set_command("/Proxy/ProxyUser", "NAME"), set_command("/Proxy/ProxyEnablePassword", "0"))});
  }
}

}  // namespace

std::vector<ConfigIssue> validate(const IniDocument& doc)
{
  std::vector<ConfigIssue> out;
  std::set<std::string> invalid_keys;
  for (const KeySpec& spec : known_keys()) {
    const auto kp = parse_key_path(spec.path);
    const auto raw = doc.get(kp->section, kp->key);
    if (raw && !check_type(spec, *raw, out)) invalid_keys.insert(std::string(spec.path));
  }
  check_conflicts(doc, invalid_keys, out);
  if (!invalid_keys.contains("/mulenet/StatusPort")) check_status_port(doc, out);
  if (!invalid_keys.contains("/Proxy/ProxyEnableProxy")) check_proxy(doc, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const ConfigIssue& a, const ConfigIssue& b) { return a.severity < b.severity; });
  return out;
}

bool has_errors(const std::vector<ConfigIssue>& issues)
{
  return std::any_of(issues.begin(), issues.end(),
                     [](const ConfigIssue& i) { return i.severity == ConfigIssue::Severity::error; });
}

const char* to_string(ConfigIssue::Severity severity)
{
  return severity == ConfigIssue::Severity::error ? "error" : "warning";
}

}  // namespace mulenet::config
