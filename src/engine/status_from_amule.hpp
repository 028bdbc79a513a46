#pragma once
// A running aMule's own view (read over EC) in the shape of mulenet's Status,
// so that `mulenet amule status --json` and the daemon's /api/status are the
// same JSON. Only what aMule reports is filled; the rest stays absent (null):
// aMule says nothing over EC about the router, the ports' forwarding or a
// Kad UDP verdict while Kad is not connected.
#include <chrono>

#include <mulenet/status.hpp>

#include "ec/amule_state.hpp"

namespace mulenet::engine {

[[nodiscard]] Status status_from_amule(const ec::AmuleState& amule, std::chrono::system_clock::time_point when);

}  // namespace mulenet::engine
