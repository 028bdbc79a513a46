#pragma once
// A doctor check: a pure function from the gathered evidence to findings.
//
// To add one, create src/doctor/checks/NAME.cpp defining
//     std::vector<Finding> check_NAME(const Evidence&);
// in namespace mulenet::doctor. CMake lists every file of that folder in the
// generated registry (all_checks), so nothing else needs to change.
#include <string_view>
#include <vector>

#include "doctor/evidence.hpp"
#include "doctor/finding.hpp"

namespace mulenet::doctor {

struct Check {
  std::string_view name;
  std::vector<Finding> (*run)(const Evidence&);
};

// Every check, in file-name order (generated at configure time).
[[nodiscard]] std::vector<Check> all_checks();

// Runs every check on the evidence and ranks the findings, worst first. A
// check that throws becomes a "problem" finding naming it, never a crash.
[[nodiscard]] std::vector<Finding> run_checks(const Evidence& evidence);

}  // namespace mulenet::doctor
