#include "engine/status_from_amule.hpp"

namespace mulenet::engine {
namespace {

Ed2kStatus ed2k_from(const ec::AmuleState& a)
{
  Ed2kStatus e;
  switch (a.ed2k) {
    case ec::AmuleEd2k::connecting: e.state = Ed2kState::connecting; break;
    case ec::AmuleEd2k::disconnected: e.state = Ed2kState::disconnected; break;
    case ec::AmuleEd2k::connected:
      e.id = a.ed2k_id;
      e.high_id = a.high_id();
      // Connected without an ID is what amulecmd prints as a Low ID too.
      e.state = e.high_id.value_or(false) ? Ed2kState::high_id : Ed2kState::low_id;
      if (a.server) {
        e.server = a.server->address.str();
        if (!a.server->name.empty()) e.server_name = a.server->name;
      }
      break;
  }
  return e;
}

KadStatus kad_from(const ec::AmuleState& a)
{
  KadStatus k;
  switch (a.kad) {
    case ec::AmuleKad::not_running: k.state = KadState::stopped; return k;
    case ec::AmuleKad::running_not_connected: k.state = KadState::bootstrapping; return k;
    case ec::AmuleKad::running_connected: k.state = KadState::connected; break;
  }
  // aMule's own verdicts, from its own firewall checks (amulecmd shows only the TCP one).
  if (a.kad_tcp_firewalled) {
    k.tcp = *a.kad_tcp_firewalled ? Reachability::firewalled : Reachability::open;
    k.tcp_reason = "aMule says so over EC (its own Kad TCP firewall check)";
  }
  if (a.kad_udp_firewalled) {
    k.udp = *a.kad_udp_firewalled ? Reachability::firewalled : Reachability::open;
    k.udp_reason = "aMule says so over EC (its own Kad UDP firewall check)";
  }
  return k;
}

}  // namespace

Status status_from_amule(const ec::AmuleState& amule, std::chrono::system_clock::time_point when)
{
  Status s;
  s.ed2k = ed2k_from(amule);
  s.kad = kad_from(amule);
  s.updated_at = when;
  return s;
}

}  // namespace mulenet::engine
