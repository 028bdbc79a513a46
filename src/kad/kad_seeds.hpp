#pragma once
// Where a Kad use-case starts from, decided once for the commands and the
// doctor: the bootstrap nodes named (IPv4:port), and the nodes of a nodes.dat
// (the file named, or the one next to amule.conf when no bootstrap node is
// named). Also our identity as aMule keeps it (user hash, Kad ID, UDP key).
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "ed2k/wire.hpp"
#include "kad/checker_memory.hpp"
#include "kad/kad_id.hpp"
#include "kad/nodes_dat.hpp"
#include "proxy/target.hpp"

namespace mulenet::kad {

struct KadSeeds {
  std::vector<NodesDatEntry> nodes;
  std::vector<proxy::Target> bootstrap;
  std::filesystem::path nodes_path;              // the nodes.dat read, or the one that would be
  std::optional<UnixSeconds> nodes_dat_written;  // set: `nodes` came from the nodes.dat next to amule.conf
};

enum class SeedProblem {
  none,
  bad_bootstrap,         // a bootstrap address is not IPv4:port
  nodes_dat_unreadable,  // the nodes.dat could not be read
  no_nodes,              // nothing to start from
};

struct KadSeedsResult {
  KadSeeds seeds;
  SeedProblem problem = SeedProblem::none;
  std::string message;  // names the address or file, and what to do
  std::error_code code;  // with a problem: the same as a KadErrc (kad_error.hpp)
};

// `nodes_file` empty: the nodes.dat next to `config_path`, read when it exists
// and no bootstrap node is named.
[[nodiscard]] KadSeedsResult gather_kad_seeds(const std::filesystem::path& config_path, const std::string& nodes_file,
                                              const std::vector<std::string>& bootstrap);

struct NodeIdentity {
  ed2k::Hash16 user_hash{};  // preferences.dat (made and saved when missing, as aMule does)
  KadId kad_id;              // preferencesKad.dat
  std::uint32_t udp_key = 0; // CryptoKadUDPKey
  std::string error;         // set: no identity
  std::error_code code;      // with error: KadErrc::identity
};
// `save_kad` false (the doctor, a lookup): a missing Kad ID or key is made for this run only.
[[nodiscard]] NodeIdentity load_node_identity(const std::filesystem::path& config_path, bool save_kad);

}  // namespace mulenet::kad
