#pragma once
// Whether aMule is the program holding one of our ports: then its own state,
// read over EC, is the evidence for what needs those ports.
#include "doctor/evidence.hpp"

namespace mulenet::doctor {

// amuled, the GUI, amuleweb, or mulenet's own daemon (which speaks EC too).
[[nodiscard]] bool is_amule(const net::PortHolder& holder);

// In use by aMule, or by a program this user cannot see (it may be aMule
// run by another user): worth asking over EC.
[[nodiscard]] bool held_by_amule(const PortEvidence& port);

}  // namespace mulenet::doctor
