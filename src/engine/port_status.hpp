#pragma once
// From what the mapper holds to the Status model's ports and router, and the
// events that a change between two Statuses means. Pure: unit-tested with
// made-up mapper states.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mulenet/event.hpp>
#include <mulenet/status.hpp>

#include "config/port_plan.hpp"
#include "portmap/mapper_service.hpp"

namespace mulenet::engine {

// Whether the Engine maps ports at all, and what the mapper holds (nullptr:
// not started, or mapping off).
struct MappingView {
  bool enabled = false;                          // EngineOptions::map_ports
  const portmap::MapperState* mapper = nullptr;  // nullptr or not mapped_once: asking the router
};

// What peers outside showed about one of our ports: they reached it (an eD2k
// server's connect-back gave a High ID, Kad nodes' TCP check connected, a
// Kad UDP test arrived), or tried and could not (a Kad verdict
// "firewalled", which stands only on evidence that can tell). Verdicts that
// could not tell (unknown, a Low ID with its many causes) are not evidence.
struct OutsideEvidence {
  std::string port_name;  // "ed2k-tcp", "kad-udp"
  bool reached = false;
  std::string evidence;   // who, what, when
};
// The evidence about our ports from a Kad check's verdicts / an eD2k login.
[[nodiscard]] std::vector<OutsideEvidence> kad_outside_evidence(std::optional<Reachability> tcp,
                                                                std::optional<Reachability> udp, std::string_view when);
[[nodiscard]] std::optional<OutsideEvidence> ed2k_outside_evidence(const Ed2kStatus& ed2k, std::string_view when);

// One entry per port of the plan that a service uses and that peers reach
// (not the UPnP control point's own port, which is never forwarded). A port
// with outside evidence is verified-open or closed, whatever its mapping.
[[nodiscard]] std::vector<PortStatus> port_statuses(const config::PortPlan& plan, const MappingView& view,
                                                    const std::vector<OutsideEvidence>& outside = {});
[[nodiscard]] RouterStatus router_status(const portmap::MapperState& mapper);

// PortChanged for each port whose state, external port or protocol of the
// mapping changed; ExternalAddressChanged when the router's address did.
[[nodiscard]] std::vector<Event> status_changes(const Status& before, const Status& after);

[[nodiscard]] MappingVia to_public(portmap::Via via);

}  // namespace mulenet::engine
