#pragma once
// Looks at this host: reads amule.conf, tries to bind each port, reads the
// firewall ruleset, tries the proxy, asks the router. Bounded in time (each
// external command and each network exchange has a timeout).
#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>

#include "doctor/evidence.hpp"

namespace mulenet::doctor {

// Told about each step as it starts, for progress output.
using ProgressFn = std::function<void(std::string_view step)>;

struct GatherOptions {
  ProgressFn progress;
  bool ask_router = true;  // false: no packet to the gateway (mulenet doctor --no-router)
  std::chrono::milliseconds router_timeout{2000};
};

[[nodiscard]] Evidence gather_evidence(const std::filesystem::path& config_path, const GatherOptions& options = {});

}  // namespace mulenet::doctor
