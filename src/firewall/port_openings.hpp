#pragma once
// What the rendered firewall rules open, independent of any tool's syntax:
// rule_render.cpp only decides how each tool spells it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/port_plan.hpp"
#include "firewall/rule_render.hpp"

namespace mulenet::firewall::detail {

struct PortOpening {
  config::Protocol protocol = config::Protocol::tcp;
  std::uint16_t port = 0;
  // SSDP replies come *from* port 1900 to a random local port, so that rule
  // matches the source port instead of the destination port.
  bool match_source_port = false;
  std::string source_address;   // validated IP literal, or empty for "any"
  bool source_is_ipv6 = false;
  std::string label;            // short id for the tool's own rule comment, shell-safe
  std::string purpose;          // one line for the comment above the rule, shell-safe
};

struct OpeningPlan {
  std::vector<PortOpening> openings;
  std::vector<std::string> notes;  // caveats for the header, shell-safe
};

[[nodiscard]] OpeningPlan plan_port_openings(const config::PortPlan& plan, const RenderOptions& opts);

// Text we put inside comments and quoted comment arguments: only characters
// that mean nothing to a shell inside '...' or "..." and to the tools, so a
// name or purpose can never break out of its quotes.
[[nodiscard]] std::string comment_safe(std::string_view text);

[[nodiscard]] const char* protocol_name(config::Protocol protocol);

}  // namespace mulenet::firewall::detail
