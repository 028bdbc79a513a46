#pragma once
// Why peers do not reach one of our ports, read from the rest of the
// evidence in the order of the Network Connectivity page's Troubleshooting
// list: the router's own outside address is private (double NAT); the router
// forwards the port but this host's firewall drops it; the router forwards it
// and the firewall lets it in, yet nothing arrives (something upstream, the
// ISP, filters it); or it is simply not forwarded. Shared by the eD2k Low ID
// and the Kad "firewalled" findings, so one symptom and another get the same
// cause, and a fix already applied (the forwarding) is not offered again.
#include <cstdint>
#include <optional>
#include <string>

#include "config/port_plan.hpp"
#include "doctor/evidence.hpp"

namespace mulenet::doctor {

enum class UnreachableCause { double_nat, local_firewall, filtered_upstream, not_forwarded };

// The router says it forwards this port, at the same number, to this host
// (its UPnP table, or our journal).
[[nodiscard]] bool router_forwards(const Evidence& ev, config::Protocol protocol, std::uint16_t port);
// The router's outside address, as it told (NAT-PMP or UPnP).
[[nodiscard]] std::optional<std::string> router_external(const Evidence& ev);
// The local firewall's verdict on the plan's port of that name, when the ruleset was readable.
[[nodiscard]] std::optional<firewall::Verdict> firewall_verdict(const Evidence& ev, const std::string& port_name);

[[nodiscard]] UnreachableCause unreachable_cause(const Evidence& ev, const config::PlannedPort& port);

// A port for the "something upstream filters it" advice: away from the
// well-known P2P ports, clear of the other ports of the plan.
[[nodiscard]] std::uint16_t other_port(const config::Settings& s, std::uint16_t base);

}  // namespace mulenet::doctor
