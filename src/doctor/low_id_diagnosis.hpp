#pragma once
// Why a Low ID, read from the rest of the evidence (Network Connectivity,
// "Troubleshooting"): the login went through a proxy (servers connect back
// to the proxy), double NAT, the router forwards the port but the local
// firewall drops it, the router forwards and the firewall allows yet nothing
// arrives (the ISP filters the port), or the port is simply not forwarded.
// Shared by the doctor's own eD2k login and by the Low ID a running aMule
// reports over EC, so both give the same advice for the same evidence.
#include <string>

#include "doctor/evidence.hpp"
#include "doctor/finding.hpp"

namespace mulenet::doctor {

struct LowIdFacts {
  std::string id_prefix = "ed2k";  // finding ids: "<prefix>.low-id", "<prefix>.low-id-double-nat", ...
  std::string subject = "Low ID";  // how a title starts: "Low ID", "aMule has a Low ID"
  std::string evidence;            // what the server (or aMule) said
  bool via_proxy = false;          // the login went through the configured proxy
  std::string seen_at;             // the address the server saw, when it said
};

[[nodiscard]] Finding low_id_finding(const Evidence& ev, const LowIdFacts& facts);

}  // namespace mulenet::doctor
