#include "engine/amule_state_from_status.hpp"

#include <boost/asio/ip/address_v4.hpp>

namespace mulenet::engine {
namespace {

std::optional<ec::Ipv4Port> ipv4_of(const std::string& host, std::uint16_t port)
{
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address_v4(host, ec);
  if (ec) return std::nullopt;
  return ec::Ipv4Port{a.to_bytes(), port};
}

// "ip:port" as Status keeps a server.
std::optional<ec::Ipv4Port> ipv4_of(const std::string& host_port)
{
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  unsigned port = 0;
  for (const char c : host_port.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return ipv4_of(host_port.substr(0, colon), static_cast<std::uint16_t>(port));
}

void ed2k_into(const Ed2kStatus& e, ec::AmuleState& a)
{
  if (!e.state) return;
  switch (*e.state) {
    case Ed2kState::high_id:
    case Ed2kState::low_id:
      a.ed2k = ec::AmuleEd2k::connected;
      a.ed2k_id = e.id;
      if (e.server)
        if (const auto address = ipv4_of(*e.server)) a.server = ec::AmuleServer{*address, e.server_name.value_or("")};
      break;
    case Ed2kState::connecting: a.ed2k = ec::AmuleEd2k::connecting; break;
    case Ed2kState::disconnected: a.ed2k = ec::AmuleEd2k::disconnected; break;
  }
}

void kad_into(const KadStatus& k, ec::AmuleState& a)
{
  if (!k.state || *k.state == KadState::stopped) return;  // not_running
  a.kad = *k.state == KadState::connected ? ec::AmuleKad::running_connected : ec::AmuleKad::running_not_connected;
  // Open only when a check showed it; unknown is firewalled, as aMule starts.
  a.kad_tcp_firewalled = k.tcp != Reachability::open;
  if (a.kad == ec::AmuleKad::running_connected) a.kad_udp_firewalled = k.udp != Reachability::open;
}

}  // namespace

ec::AmuleState amule_state_from(const Status& status)
{
  ec::AmuleState a;
  ed2k_into(status.ed2k, a);
  kad_into(status.kad, a);
  return a;
}

std::vector<ec::AmuleServer> amule_servers_from(const std::vector<proxy::Target>& servers)
{
  std::vector<ec::AmuleServer> out;
  for (const proxy::Target& t : servers)
    if (const auto* ip = std::get_if<proxy::Ipv4>(&t.host)) out.push_back(ec::AmuleServer{{*ip, t.port}, {}});
  return out;
}

}  // namespace mulenet::engine
