#pragma once
// Looks at this host: reads amule.conf, tries to bind each port, reads the
// firewall ruleset, tries the proxy, asks the router. Bounded in time (each
// external command and each network exchange has a timeout).
#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "doctor/evidence.hpp"

namespace mulenet::doctor {

// Told about each step as it starts, for progress output.
using ProgressFn = std::function<void(std::string_view step)>;

struct GatherOptions {
  ProgressFn progress;
  bool ask_router = true;  // false: no packet to the gateway (mulenet doctor --no-router)
  std::chrono::milliseconds router_timeout{2000};
  bool ask_ed2k = true;                   // false: no eD2k login (mulenet doctor --no-ed2k)
  std::vector<std::string> ed2k_servers;  // HOST:PORT; empty: the first servers of server.met
  std::size_t ed2k_max_servers = 4;       // from server.met: a Low ID on one is retried on the next
  std::chrono::milliseconds ed2k_timeout{25'000};
  bool ask_kad = true;                    // false: no Kad check (mulenet doctor --no-kad)
  std::vector<std::string> kad_bootstrap; // IP:PORT; empty: nodes.dat next to amule.conf
  bool ask_amule = true;                  // false: no EC to a running aMule (mulenet doctor --no-amule)
  bool ask_proxy = true;                  // false: the configured proxy is not tried (mulenet doctor --no-proxy)
  std::chrono::milliseconds amule_timeout{5000};
};

// What goes over the network runs on `io`, the program's io_context (borrowed).
[[nodiscard]] Evidence gather_evidence(boost::asio::io_context& io, const std::filesystem::path& config_path,
                                       const GatherOptions& options = {});

}  // namespace mulenet::doctor
