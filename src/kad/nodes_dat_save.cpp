#include "kad/nodes_dat_save.hpp"

#include <boost/asio/ip/address_v4.hpp>

#include "kad/checker_memory.hpp"
#include "kad/kad_node.hpp"
#include "kad/nodes_dat.hpp"

namespace mulenet::kad {

void remember_nodes_dat_as_ours(const std::filesystem::path& config_path, const std::filesystem::path& nodes_dat,
                                std::string& error)
{
  CheckerMemory m;
  m.nodes_dat_written = modification_time(nodes_dat);
  if (m.nodes_dat_written) (void)save_checker_memory(checker_memory_path(config_path), m, unix_now(), error);
}

NodesDatSave save_nodes_dat_as_amule(const std::filesystem::path& config_path,
                                     const std::vector<RoutingEntry>& contacts,
                                     const std::optional<std::string>& public_ip, std::string& error)
{
  if (contacts.size() < kNodesDatMinimumToWrite) return NodesDatSave::too_few;
  std::uint32_t key_ip = 0;
  boost::system::error_code ec;
  if (public_ip) {
    if (const auto a = boost::asio::ip::make_address_v4(*public_ip, ec); !ec) key_ip = kad_ip_of(a);
  }
  const std::filesystem::path path = config_path.parent_path() / "nodes.dat";
  if (!write_nodes_dat(path, nodes_dat_entries(contacts, key_ip), error)) return NodesDatSave::failed;
  remember_nodes_dat_as_ours(config_path, path, error);
  return NodesDatSave::written;
}

}  // namespace mulenet::kad
