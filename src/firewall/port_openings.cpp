#include "firewall/port_openings.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstddef>

namespace mulenet::firewall::detail {
namespace {

// The plan lists the UPnP control point too, but whether and how to open it
// is decided by RenderOptions, which also knows the router.
constexpr std::string_view plan_upnp_control_entry = "upnp-control-tcp";
constexpr std::uint16_t ssdp_port = 1900;
constexpr std::size_t max_comment_length = 100;  // nft allows 128 bytes, iptables 256

struct AddressCheck {
  bool valid = false;
  bool ipv6 = false;
};

AddressCheck check_ip_literal(const std::string& text)
{
  // inet_pton is a pure parser; anything it accepts is safe to paste into
  // a shell command line unquoted.
  std::array<unsigned char, 16> buffer{};
  if (inet_pton(AF_INET, text.c_str(), buffer.data()) == 1) return {true, false};
  if (inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1) return {true, true};
  return {};
}

bool is_comment_safe(char c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view allowed = " -_.,:/()+=@";
  return allowed.find(c) != std::string_view::npos;
}

}  // namespace

std::string comment_safe(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    const char kept = is_comment_safe(c) ? c : ' ';
    if (kept == ' ' && (out.empty() || out.back() == ' ')) continue;  // no runs, no leading blank
    out.push_back(kept);
    if (out.size() >= max_comment_length) break;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const char* protocol_name(config::Protocol protocol)
{
  return protocol == config::Protocol::udp ? "udp" : "tcp";
}

OpeningPlan plan_port_openings(const config::PortPlan& plan, const RenderOptions& opts)
{
  OpeningPlan result;
  for (const auto& planned : plan.ports) {
    if (!planned.active || planned.name == plan_upnp_control_entry) continue;
    PortOpening opening;
    opening.protocol = planned.protocol;
    opening.port = planned.port;
    opening.label = comment_safe(planned.name);
    opening.purpose = comment_safe(planned.purpose);
    result.openings.push_back(std::move(opening));
  }
  if (!opts.upnp) return result;

  PortOpening gena;
  gena.protocol = config::Protocol::tcp;
  gena.port = opts.upnp_control_port;
  gena.label = "upnp-gena";
  gena.purpose = "UPnP event callbacks (GENA) from the router to the UPnP control point of aMule";
  result.openings.push_back(std::move(gena));

  PortOpening ssdp;
  ssdp.protocol = config::Protocol::udp;
  ssdp.port = ssdp_port;
  ssdp.match_source_port = true;
  ssdp.label = "upnp-ssdp";
  ssdp.purpose = "SSDP answers and advertisements from the router (UDP source port 1900)";
  if (!opts.router_address.empty()) {
    const AddressCheck check = check_ip_literal(opts.router_address);
    if (check.valid) {
      ssdp.source_address = opts.router_address;
      ssdp.source_is_ipv6 = check.ipv6;
    } else {
      result.notes.push_back("The router address '" + comment_safe(opts.router_address) +
                             "' is not an IP address, so the SSDP rule accepts any sender.");
    }
  }
  result.openings.push_back(std::move(ssdp));
  return result;
}

}  // namespace mulenet::firewall::detail
