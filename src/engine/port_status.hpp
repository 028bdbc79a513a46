#pragma once
// From what the mapper holds to the Status model's ports and router, and the
// events that a change between two Statuses means. Pure: unit-tested with
// made-up mapper states.
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

// One entry per port of the plan that a service uses and that peers reach
// (not the UPnP control point's own port, which is never forwarded).
[[nodiscard]] std::vector<PortStatus> port_statuses(const config::PortPlan& plan, const MappingView& view);
[[nodiscard]] RouterStatus router_status(const portmap::MapperState& mapper);

// PortChanged for each port whose state, external port or protocol of the
// mapping changed; ExternalAddressChanged when the router's address did.
[[nodiscard]] std::vector<Event> status_changes(const Status& before, const Status& after);

[[nodiscard]] MappingVia to_public(portmap::Via via);

}  // namespace mulenet::engine
