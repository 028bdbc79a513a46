#include "kad/kad_seeds.hpp"

#include "ed2k/user_hash.hpp"
#include "kad/kad_error.hpp"
#include "kad/kad_prefs.hpp"

namespace mulenet::kad {

namespace {

KadSeedsResult problem(SeedProblem p, std::string message)
{
  KadSeedsResult r;
  r.problem = p;
  r.message = std::move(message);
  switch (p) {
    case SeedProblem::none: break;
    case SeedProblem::bad_bootstrap: r.code = KadErrc::bad_bootstrap; break;
    case SeedProblem::nodes_dat_unreadable: r.code = KadErrc::nodes_dat_unreadable; break;
    case SeedProblem::no_nodes: r.code = KadErrc::no_nodes; break;
  }
  return r;
}

}  // namespace

KadSeedsResult gather_kad_seeds(const std::filesystem::path& config_path, const std::string& nodes_file,
                                const std::vector<std::string>& bootstrap)
{
  KadSeedsResult r;
  for (const std::string& text : bootstrap) {
    const auto t = proxy::parse_target(text);
    if (!t || !std::holds_alternative<proxy::Ipv4>(t->host))
      return problem(SeedProblem::bad_bootstrap, "'" + text + "' is not IPV4:PORT (a Kad node's UDP address)");
    r.seeds.bootstrap.push_back(*t);
  }
  const bool named = !nodes_file.empty();
  r.seeds.nodes_path = named ? std::filesystem::path(nodes_file) : config_path.parent_path() / "nodes.dat";
  std::error_code ec;
  if (named || (r.seeds.bootstrap.empty() && std::filesystem::exists(r.seeds.nodes_path, ec))) {
    const auto dat = read_nodes_dat(r.seeds.nodes_path);
    if (!dat) return problem(SeedProblem::nodes_dat_unreadable, dat.error);
    r.seeds.nodes = dat.value->entries;
    // aMule's own file: its last writing tells when aMule's flows may still be open.
    if (!named && !r.seeds.nodes.empty()) r.seeds.nodes_dat_written = modification_time(r.seeds.nodes_path);
  }
  if (r.seeds.nodes.empty() && r.seeds.bootstrap.empty()) {
    auto none = problem(SeedProblem::no_nodes, "no Kad node to ask: give --bootstrap IP:PORT or --nodes FILE, or keep "
                                               "a nodes.dat at " + r.seeds.nodes_path.string());
    none.seeds.nodes_path = r.seeds.nodes_path;
    return none;
  }
  return r;
}

NodeIdentity load_node_identity(const std::filesystem::path& config_path, bool save_kad)
{
  NodeIdentity out;
  const ed2k::UserHash hash = ed2k::load_or_create_user_hash(config_path);
  if (!hash.error.empty()) {
    out.error = hash.error;
    out.code = KadErrc::identity;
    return out;
  }
  const KadIdentity kad = load_or_create_identity(config_path, save_kad);
  out.user_hash = hash.hash;
  out.kad_id = kad.id;
  out.udp_key = kad.udp_key;
  out.error = kad.error;
  if (!out.error.empty()) out.code = KadErrc::identity;
  return out;
}

}  // namespace mulenet::kad
