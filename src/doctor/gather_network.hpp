#pragma once
// The doctor's evidence from the network, gathered on the program's io_context: the
// proxy, the router, then eD2k servers and Kad nodes on one set of services
// (one listener on our TCP port, one Dialer, one Kad node) opened once and
// lent to both checks.
#include <filesystem>

#include "doctor/evidence.hpp"
#include "doctor/gather_evidence.hpp"

namespace mulenet::doctor {

void gather_network(boost::asio::io_context& io, const std::filesystem::path& config_path,
                    const GatherOptions& options, Evidence& ev);

}  // namespace mulenet::doctor
