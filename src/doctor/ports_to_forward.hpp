#pragma once
// Which ports the internet must reach, for the router checks: eD2k TCP, the
// server UDP port (TCP+3) and Kad UDP always (Low ID and Kad "firewalled"
// otherwise); EC and the web server only when the user asked UPnP to forward
// them (they are for remote control, not for the P2P networks).
#include <string>
#include <vector>

#include "doctor/evidence.hpp"

namespace mulenet::doctor {

[[nodiscard]] std::vector<config::PlannedPort> ports_to_forward(const Evidence& ev);

// "TCP 4662 and UDP 4665, 4672 to 192.168.1.10", for a manual rule.
[[nodiscard]] std::string forwarding_rules_text(const std::vector<config::PlannedPort>& ports,
                                                const std::string& lan_address);

}  // namespace mulenet::doctor
