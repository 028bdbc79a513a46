// Events for people (describe) and for programs (to_json).
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "engine/status_json.hpp"
#include "net/json_utf8.hpp"

namespace mulenet {
namespace {

namespace json = boost::json;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

std::string describe_port(const PortStatus& p)
{
  std::string text = fmt::format("{} {} ({}): {}", to_string(p.protocol), p.port, p.name, to_string(p.state));
  if (p.via) text += fmt::format(" via {}", to_string(*p.via));
  if (p.external_port && *p.external_port != p.port) text += fmt::format(" at external port {}", *p.external_port);
  if (!p.evidence.empty()) text += ": " + p.evidence;
  return text;
}

std::string describe_optional(const std::optional<std::string>& v) { return v ? *v : "unknown"; }

}  // namespace

std::string_view event_name(const Event& event)
{
  return std::visit(Overloaded{
                        [](const EngineStarted&) { return std::string_view("engine-started"); },
                        [](const PortChanged&) { return std::string_view("port-changed"); },
                        [](const ExternalAddressChanged&) { return std::string_view("external-address-changed"); },
                        [](const RouterRestarted&) { return std::string_view("router-restarted"); },
                        [](const RouterProblem&) { return std::string_view("router-problem"); },
                        [](const Ed2kIdChanged&) { return std::string_view("ed2k-id-changed"); },
                        [](const KadStatusChanged&) { return std::string_view("kad-status-changed"); },
                        [](const ProxyProblem&) { return std::string_view("proxy-problem"); },
                        [](const ServiceProblem&) { return std::string_view("service-problem"); },
                        [](const EngineStopped&) { return std::string_view("engine-stopped"); },
                        [](const NetworkChanged&) { return std::string_view("network-changed"); },
                        [](const UdpRelayChanged&) { return std::string_view("udp-relay-changed"); },
                    },
                    event);
}

std::string describe(const Event& event)
{
  return std::visit(
      Overloaded{
          [](const EngineStarted& e) { return fmt::format("engine started with {}", e.config_path); },
          [](const PortChanged& e) { return describe_port(e.port); },
          [](const ExternalAddressChanged& e) {
            return fmt::format("the router's external address is {} (was {}){}", e.current,
                               describe_optional(e.previous),
                               e.double_nat ? ": private or CGNAT, a second NAT is in front of the router" : "");
          },
          [](const RouterRestarted& e) { return "the router lost our mappings (" + e.detail + "); asked for them again"; },
          [](const RouterProblem& e) { return "router: " + e.message; },
          [](const NetworkChanged& e) { return "network: " + e.detail; },
          [](const UdpRelayChanged& e) {
            if (e.state == "up")
              return "proxy: Kad's UDP association made again, relay " + e.relay + " (Kad checked again)";
            return fmt::format("proxy: the SOCKS5 proxy ended Kad's UDP association ({}); made again in {} s",
                               e.detail, static_cast<double>(e.retry_in_ms.value_or(0)) / 1000.0);
          },
          [](const Ed2kIdChanged& e) {
            return fmt::format("eD2k: {}{}", e.ed2k.state ? to_string(*e.ed2k.state) : "unknown",
                               e.ed2k.id ? fmt::format(" (ID {})", *e.ed2k.id) : "");
          },
          [](const KadStatusChanged& e) {
            std::string text = fmt::format("Kad: {}, TCP {}, UDP {}", e.kad.state ? to_string(*e.kad.state) : "unknown",
                                           e.kad.tcp ? to_string(*e.kad.tcp) : "unknown",
                                           e.kad.udp ? to_string(*e.kad.udp) : "unknown");
            if (e.kad.tcp == Reachability::unknown && e.kad.tcp_reason) text += " (TCP: " + *e.kad.tcp_reason + ")";
            if (e.kad.udp == Reachability::unknown && e.kad.udp_reason) text += " (UDP: " + *e.kad.udp_reason + ")";
            if (e.kad.external_udp_port)
              text += fmt::format(", external UDP port {}{}", *e.kad.external_udp_port,
                                  e.kad.udp_remapped.value_or(false) ? " (remapped)" : "");
            return text;
          },
          [](const ProxyProblem& e) { return fmt::format("proxy: {} ({})", e.message, e.code); },
          [](const ServiceProblem& e) { return fmt::format("{}: {}", e.service, e.message); },
          [](const EngineStopped& e) {
            std::string text = fmt::format("engine stopped: {} mapping(s) removed from the router", e.mappings_removed);
            if (e.mappings_kept > 0)
              text += fmt::format(", {} kept on it for the next start (a handover)", e.mappings_kept);
            if (e.mappings_left > 0)
              text += fmt::format(", {} left (kept in the journal; the next start removes them)", e.mappings_left);
            if (!e.error.empty()) text += ": " + e.error;
            return text;
          },
      },
      event);
}

void tag_invoke(json::value_from_tag, json::value& out, const Event& event)
{
  json::object o{{"event", std::string(event_name(event))}, {"text", describe(event)}};
  std::visit(Overloaded{
                 [&](const EngineStarted& e) { o["config_path"] = e.config_path; },
                 [&](const PortChanged& e) {
                   o["port"] = json::value_from(e.port);
                   o["previous"] = e.previous ? json::value(std::string(to_string(*e.previous))) : json::value(nullptr);
                 },
                 [&](const ExternalAddressChanged& e) {
                   o["previous"] = e.previous ? json::value(*e.previous) : json::value(nullptr);
                   o["current"] = e.current;
                   o["double_nat"] = e.double_nat;
                 },
                 [&](const RouterRestarted& e) { o["detail"] = e.detail; },
                 [&](const NetworkChanged& e) { o["detail"] = e.detail; },
                 [&](const UdpRelayChanged& e) {
                   o["state"] = e.state;
                   o["relay"] = e.relay.empty() ? json::value(nullptr) : json::value(e.relay);
                   o["detail"] = e.detail;
                   o["retry_in_ms"] = e.retry_in_ms ? json::value(*e.retry_in_ms) : json::value(nullptr);
                 },
                 [&](const RouterProblem& e) {
                   o["message"] = e.message;
                   o["code"] = e.code.empty() ? json::value(nullptr) : json::value(e.code);
                 },
                 [&](const Ed2kIdChanged& e) { o["ed2k"] = json::value_from(e.ed2k); },
                 [&](const KadStatusChanged& e) { o["kad"] = json::value_from(e.kad); },
                 [&](const ProxyProblem& e) {
                   o["code"] = e.code;
                   o["message"] = e.message;
                 },
                 [&](const ServiceProblem& e) {
                   o["service"] = e.service;
                   o["message"] = e.message;
                   o["code"] = e.code.empty() ? json::value(nullptr) : json::value(e.code);
                 },
                 [&](const EngineStopped& e) {
                   o["mappings_removed"] = e.mappings_removed;
                   o["mappings_kept"] = e.mappings_kept;
                   o["mappings_left"] = e.mappings_left;
                   o["error"] = e.error.empty() ? json::value(nullptr) : json::value(e.error);
                 },
             },
             event);
  out = std::move(o);
}

std::string to_json(const Event& event)
{
  json::value v = json::value_from(event);
  net::make_json_utf8(v);
  return json::serialize(v);
}

}  // namespace mulenet
