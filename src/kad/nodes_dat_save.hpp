#pragma once
// Our routing table into the nodes.dat next to amule.conf, as aMule writes
// its own when Kad stops: version 2, only when the table holds at least 25
// contacts (a poorer table never replaces the file), each contact's verify
// key bound to our public address. The Kad memory notes the file as ours,
// so that the next check does not take its nodes for aMule's recent flows.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kad/routing_table.hpp"

namespace mulenet::kad {

enum class NodesDatSave { written, too_few, failed };

[[nodiscard]] NodesDatSave save_nodes_dat_as_amule(const std::filesystem::path& config_path,
                                                   const std::vector<RoutingEntry>& contacts,
                                                   const std::optional<std::string>& public_ip, std::string& error);

// Notes in the Kad memory next to amule.conf that this nodes.dat was written by us now.
void remember_nodes_dat_as_ours(const std::filesystem::path& config_path, const std::filesystem::path& nodes_dat,
                                std::string& error);

}  // namespace mulenet::kad
