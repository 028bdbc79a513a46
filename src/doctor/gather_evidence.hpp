#pragma once
// Looks at this host: reads amule.conf, tries to bind each port, reads the
// firewall ruleset. Bounded in time (each external command has a timeout).
#include <filesystem>
#include <functional>
#include <string_view>

#include "doctor/evidence.hpp"

namespace mulenet::doctor {

// Told about each step as it starts, for progress output.
using ProgressFn = std::function<void(std::string_view step)>;

[[nodiscard]] Evidence gather_evidence(const std::filesystem::path& config_path, const ProgressFn& progress = {});

}  // namespace mulenet::doctor
