#include "doctor/finding.hpp"

#include <algorithm>

namespace mulenet::doctor {

const char* to_string(Severity severity)
{
  switch (severity) {
    case Severity::problem: return "problem";
    case Severity::warning: return "warning";
    case Severity::info: return "info";
    case Severity::ok: return "ok";
  }
  return "info";
}

void rank(std::vector<Finding>& findings)
{
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
}

int exit_code_for(const std::vector<Finding>& findings)
{
  int code = 0;
  for (const Finding& f : findings) {
    if (f.severity == Severity::problem) return 2;
    if (f.severity == Severity::warning) code = 1;
  }
  return code;
}

}  // namespace mulenet::doctor
