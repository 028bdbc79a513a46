#include <exception>
#include <string>

#include "doctor/check.hpp"

namespace mulenet::doctor {

std::vector<Finding> run_checks(const Evidence& evidence)
{
  std::vector<Finding> findings;
  for (const Check& check : all_checks()) {
    try {
      auto found = check.run(evidence);
      findings.insert(findings.end(), found.begin(), found.end());
    } catch (const std::exception& e) {
      findings.push_back({"doctor.check-failed." + std::string(check.name), Severity::problem,
                          "The check '" + std::string(check.name) + "' failed",
                          std::string("it stopped with: ") + e.what(),
                          "Please report this as a bug of mulenet, with the output of `mulenet doctor --json`."});
    }
  }
  rank(findings);
  return findings;
}

}  // namespace mulenet::doctor
