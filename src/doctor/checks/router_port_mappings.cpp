// Each port the internet must reach: forwarded to this host by the router,
// forwarded to another LAN address (the documented "LAN IP changed after a
// reconnect"), or not forwarded. Read from the router's UPnP mapping table
// (miniupnpd and most routers list NAT-PMP/PCP mappings there too) and from
// our own journal. The doctor only reads; it never maps.
#include <fmt/format.h>

#include "doctor/check.hpp"
#include "doctor/ports_to_forward.hpp"

namespace mulenet::doctor {
namespace {

std::string label(const config::PlannedPort& p)
{
  return fmt::format("{} {} ({})", p.protocol == config::Protocol::tcp ? "TCP" : "UDP", p.port, p.name);
}

const portmap::Mapping* journal_entry(const RouterEvidence& router, const config::PlannedPort& p)
{
  for (const portmap::Mapping& m : router.journal.mappings) {
    if (m.protocol == p.protocol && m.internal_port == p.port && m.internal_client == router.report.local_address &&
        m.gateway == router.report.gateway->address)
      return &m;
  }
  return nullptr;
}

bool answered(const portmap::GatewayReport& r)
{
  return (r.natpmp.answered && r.natpmp.error.empty()) || (r.pcp.answered && r.pcp.error.empty()) ||
         (r.upnp.answered && r.upnp.error.empty());
}

std::string list(const std::vector<std::string>& items)
{
  std::string text;
  for (const std::string& s : items) text += (text.empty() ? "" : ", ") + s;
  return text;
}

const char* kMapFix =
    "Run `mulenet map` (keeps them forwarded while it runs, removes them on exit) or\n"
    "`mulenet map --once --keep` (leaves them until `mulenet unmap`); or forward by hand in the router:\n";

}  // namespace

std::vector<Finding> check_router_port_mappings(const Evidence& ev)
{
  const RouterEvidence& router = ev.router;
  const portmap::GatewayReport& r = router.report;
  if (!router.asked || !r.error.empty() || !r.gateway || !answered(r)) return {};  // router_found says why
  const std::vector<config::PlannedPort> ports = ports_to_forward(ev);
  if (ports.empty()) return {};
  const std::string& me = r.local_address;
  const bool table = r.upnp_info && r.upnp_info->table_read;
  std::vector<Finding> out;
  std::vector<std::string> forwarded, missing, only_journal;
  std::vector<config::PlannedPort> missing_ports;
  for (const config::PlannedPort& p : ports) {
    const portmap::RouterTableEntry* entry = nullptr;
    if (table) {
      for (const portmap::RouterTableEntry& e : r.upnp_info->table)
        if (e.protocol == p.protocol && e.external_port == p.port) entry = &e;
    }
    const portmap::Mapping* ours = journal_entry(router, p);
    if (entry && entry->internal_client != me) {
      out.push_back(
          {"router.conflict." + p.name, Severity::problem,
           fmt::format("The router forwards {} to {}, not to this computer ({})", label(p), entry->internal_client, me),
           fmt::format("router's UPnP table: {} {} -> {}:{} \"{}\"{}", config::to_string(entry->protocol),
                       entry->external_port, entry->internal_client, entry->internal_port, entry->description,
                       entry->lease_seconds == 0 ? " (permanent)" : fmt::format(" (lease {} s left)", entry->lease_seconds)),
           fmt::format("If {} was this computer before (its LAN address changed after a reconnect), give this\n"
                       "computer a fixed LAN address or a DHCP reservation in the router, delete the old entry in the\n"
                       "router's UPnP / port-forwarding page, then run `mulenet map`.\n"
                       "If another computer uses this port, give aMule another one: mulenet config set {} N",
                       entry->internal_client, p.key)});
    } else if (entry && entry->internal_port != p.port) {
      out.push_back({"router.wrong-port." + p.name, Severity::warning,
                     fmt::format("The router forwards {} to this computer's port {} instead", label(p),
                                 entry->internal_port),
                     fmt::format("router's UPnP table: {} {} -> {}:{} \"{}\"", config::to_string(entry->protocol),
                                 entry->external_port, entry->internal_client, entry->internal_port, entry->description),
                     "Delete that entry in the router, then run `mulenet map`."});
    } else if (entry) {
      forwarded.push_back(label(p) + (entry->enabled ? "" : " (disabled!)"));
    } else if (ours && !table) {
      only_journal.push_back(fmt::format("{} via {} (lease {} s)", label(p), portmap::to_string(ours->via),
                                         ours->lease_seconds));
    } else {
      missing.push_back(label(p) + (ours ? " (mulenet's journal lists it: the router lost it)" : ""));
      missing_ports.push_back(p);
    }
  }
  if (!forwarded.empty())
    out.push_back({"router.forwarded", Severity::ok, "The router forwards " + list(forwarded) + " to this computer",
                   "router's UPnP mapping table, entries for " + me, ""});
  if (!only_journal.empty())
    out.push_back({"router.forwarded-journal", Severity::info,
                   "mulenet mapped " + list(only_journal) + "; the router cannot list its mappings to confirm it",
                   "mulenet's journal " + portmap::journal_path_for(ev.config.path).string() +
                       "; NAT-PMP and PCP have no way to list mappings",
                   ""});
  if (!missing.empty()) {
    std::string evidence = table ? "the router's UPnP table (" + std::to_string(r.upnp_info->table.size()) +
                                       " entries) has none for them"
                                 : "the router speaks only NAT-PMP/PCP, which cannot list mappings, and mulenet's "
                                   "journal has none for them";
    evidence += "; a manual forwarding rule in the router would not show here";
    out.push_back({"router.not-forwarded", ev.settings.upnp_enabled ? Severity::warning : Severity::info,
                   "Not forwarded by the router: " + list(missing), evidence,
                   kMapFix + forwarding_rules_text(missing_ports, me)});
  }
  return out;
}

}  // namespace mulenet::doctor
