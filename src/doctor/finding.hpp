#pragma once
// One result of the doctor: how bad, what, why we think so, what to do.
#include <string>
#include <vector>

namespace mulenet::doctor {

// Ordered from worst to best, which is also the order findings are shown in.
enum class Severity { problem, warning, info, ok };
[[nodiscard]] const char* to_string(Severity severity);

struct Finding {
  std::string id;        // stable, dotted: "config.invalid", "port.in-use.ed2k-tcp"
  Severity severity = Severity::info;
  std::string title;     // one line
  std::string evidence;  // what was observed, and where from
  std::string fix;       // what to do; empty when nothing is needed
};

// Worst first; the order of the checks is kept within one severity.
void rank(std::vector<Finding>& findings);

// 0 when nothing is wrong, 1 with warnings, 2 with problems (the doctor's
// exit code, a public contract).
[[nodiscard]] int exit_code_for(const std::vector<Finding>& findings);

}  // namespace mulenet::doctor
