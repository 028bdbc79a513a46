#include "engine/port_status.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine/error_names.hpp"

namespace mulenet::engine {
namespace {

Protocol public_protocol(config::Protocol p) { return p == config::Protocol::tcp ? Protocol::tcp : Protocol::udp; }

// The toggle that would make mulenet forward this port, for the evidence.
std::string toggle_for(const config::PlannedPort& p)
{
  if (p.name == "ec-tcp") return "/ExternalConnect/UPnPECEnabled (with /eMule/UPnPEnabled)";
  if (p.name == "web-tcp") return "/WebServer/UPnPWebServerEnabled";
  return "/eMule/UPnPEnabled";
}

const portmap::MappingOutcome* outcome_for(const portmap::MapperState& m, const config::PlannedPort& p)
{
  const auto it = std::find_if(m.outcomes.begin(), m.outcomes.end(), [&](const portmap::MappingOutcome& o) {
    return o.port.name == p.name && o.port.protocol == p.protocol && o.port.port == p.port;
  });
  return it == m.outcomes.end() ? nullptr : &*it;
}

void fill_from_outcome(PortStatus& s, const portmap::MappingOutcome& o, const portmap::MapperState& m)
{
  if (o.mapping) {
    s.external_port = o.mapping->external_port;
    s.via = to_public(o.mapping->via);
  }
  const std::string router = m.gateway.value_or("the router");
  switch (o.state) {
    case portmap::MappingState::mapped:
      if (m.degraded) {
        s.state = PortState::degraded;
        s.evidence = fmt::format("{} forwards it, but its external address {} is private or CGNAT: a second NAT "
                                 "in front of it still blocks peers",
                                 router, m.external_ip.value_or("?"));
      } else {
        s.state = PortState::mapped;
        s.evidence = fmt::format("{} forwards it (lease {} s); not yet verified from outside", router,
                                 o.mapping ? o.mapping->lease_seconds : 0);
      }
      return;
    case portmap::MappingState::other_port:
      s.state = PortState::degraded;
      s.evidence = o.error;
      s.problem = code_name_of(o.code);
      return;
    case portmap::MappingState::failed:
    case portmap::MappingState::skipped:
      s.state = PortState::unknown;
      s.evidence = "not forwarded: " + o.error + (o.holder.empty() ? "" : " (held by " + o.holder + ")");
      s.problem = code_name_of(o.code);
      return;
  }
}

PortStatus one_port(const config::PlannedPort& p, const MappingView& view)
{
  PortStatus s;
  s.name = p.name;
  s.protocol = public_protocol(p.protocol);
  s.port = p.port;
  s.selected = view.enabled && p.upnp;
  if (!view.enabled) {
    s.evidence = "mulenet does not map ports here (mapping is off); not tested from outside";
    return s;
  }
  if (!p.upnp) {
    s.evidence = "not forwarded by mulenet: " + toggle_for(p) + " is off in amule.conf; not tested from outside";
    return s;
  }
  if (!view.mapper || !view.mapper->mapped_once) {
    s.evidence = "asking the router to forward it";
    return s;
  }
  if (const portmap::MappingOutcome* o = outcome_for(*view.mapper, p)) {
    fill_from_outcome(s, *o, *view.mapper);
    return s;
  }
  s.evidence = "not forwarded: " + (view.mapper->error.empty() ? std::string("the router was not asked")
                                                                : view.mapper->error);
  s.problem = code_name_of(view.mapper->code);
  return s;
}

bool same_port(const PortStatus& a, const PortStatus& b)
{
  // An unknown port that changes its reason (asking -> refused) is news too.
  return a.state == b.state && a.external_port == b.external_port && a.via == b.via &&
         (a.state != PortState::unknown || a.evidence == b.evidence);
}

}  // namespace

MappingVia to_public(portmap::Via via)
{
  switch (via) {
    case portmap::Via::upnp: return MappingVia::upnp;
    case portmap::Via::natpmp: return MappingVia::natpmp;
    case portmap::Via::pcp: return MappingVia::pcp;
  }
  return MappingVia::upnp;
}

std::vector<OutsideEvidence> kad_outside_evidence(std::optional<Reachability> tcp, std::optional<Reachability> udp,
                                                  std::string_view when)
{
  std::vector<OutsideEvidence> out;
  if (tcp == Reachability::open)
    out.push_back({"ed2k-tcp", true, fmt::format("Kad nodes connected to it from outside (Kad check at {})", when)});
  if (tcp == Reachability::firewalled)
    out.push_back({"ed2k-tcp", false, fmt::format("Kad nodes could not connect to it (Kad check at {})", when)});
  if (udp == Reachability::open)
    out.push_back({"kad-udp", true, fmt::format("a Kad node's UDP test reached it (Kad check at {})", when)});
  if (udp == Reachability::firewalled)
    out.push_back({"kad-udp", false, fmt::format("Kad nodes' UDP tests did not reach it (Kad check at {})", when)});
  return out;
}

std::optional<OutsideEvidence> ed2k_outside_evidence(const Ed2kStatus& e, std::string_view when)
{
  if (e.state != Ed2kState::high_id || !e.id) return std::nullopt;
  return OutsideEvidence{"ed2k-tcp", true,
                         fmt::format("the eD2k server {} connected back to it: High ID {} (at {})",
                                     e.server.value_or("?"), *e.id, when)};
}

std::vector<PortStatus> port_statuses(const config::PortPlan& plan, const MappingView& view,
                                      const std::vector<OutsideEvidence>& outside)
{
  std::vector<PortStatus> ports;
  for (const config::PlannedPort& p : plan.ports) {
    if (!p.active || p.name == "upnp-control-tcp") continue;
    PortStatus s = one_port(p, view);
    // The latest evidence about this port decides (a newer check replaces an older one).
    const auto it = std::find_if(outside.rbegin(), outside.rend(),
                                 [&](const OutsideEvidence& e) { return e.port_name == s.name; });
    if (it != outside.rend()) {
      s.state = it->reached ? PortState::verified_open : PortState::closed;
      s.evidence = it->evidence + (s.via ? fmt::format("; the router forwards it ({})", to_string(*s.via)) : "");
      if (it->reached) s.problem.reset();
    }
    ports.push_back(std::move(s));
  }
  return ports;
}

RouterStatus router_status(const portmap::MapperState& m)
{
  RouterStatus r;
  if (!m.mapped_once) return r;
  r.gateway = m.gateway;
  r.external_ip = m.external_ip;
  if (m.via) r.via = to_public(*m.via);
  if (m.external_ip) r.double_nat = m.degraded;
  return r;
}

std::vector<Event> status_changes(const Status& before, const Status& after)
{
  std::vector<Event> events;
  for (const PortStatus& now : after.ports) {
    const auto old = std::find_if(before.ports.begin(), before.ports.end(), [&](const PortStatus& p) {
      return p.name == now.name && p.protocol == now.protocol && p.port == now.port;
    });
    if (old != before.ports.end() && same_port(*old, now)) continue;
    // "unknown, asking the router" at the start is not news; its outcome is.
    if (old == before.ports.end() && now.state == PortState::unknown) continue;
    std::optional<PortState> previous;
    if (old != before.ports.end()) previous = old->state;
    events.emplace_back(PortChanged{now, previous});
  }
  if (after.router.external_ip && after.router.external_ip != before.router.external_ip)
    events.emplace_back(ExternalAddressChanged{before.router.external_ip, *after.router.external_ip,
                                               after.router.double_nat.value_or(false)});
  return events;
}

}  // namespace mulenet::engine
