#pragma once
// What is wrong, and the fix, read from the daemon's own Status (the
// evidence it keeps: the router's answers, the outside peers' connect-backs,
// the eD2k server's ID, the Kad verdicts), in the doctor's shape. Shown on
// the status page and in the status JSON ("findings"), so the person who
// looks at it learns what to do, not only what is. The full doctor (the
// firewall ruleset, bind probes) runs as `mulenet doctor`; a finding points
// there where only it can tell.
#include <vector>

#include <mulenet/status.hpp>

#include "doctor/finding.hpp"

namespace mulenet::engine {

// Worst first (doctor::rank); one "ok" finding when nothing is wrong.
[[nodiscard]] std::vector<doctor::Finding> status_findings(const Status& status);

}  // namespace mulenet::engine
