// The router: is there one, what port-mapping protocols it answers, its
// external address, and whether another NAT sits in front of it.
#include <fmt/format.h>

#include "doctor/check.hpp"
#include "doctor/ports_to_forward.hpp"

namespace mulenet::doctor {
namespace {

std::string answered_list(const portmap::GatewayReport& r)
{
  std::string list;
  auto add = [&list](bool yes, const std::string& name) {
    if (yes) list += (list.empty() ? "" : ", ") + name;
  };
  add(r.pcp.answered && r.pcp.error.empty(), "PCP");
  add(r.natpmp.answered && r.natpmp.error.empty(), "NAT-PMP");
  add(r.upnp.answered && r.upnp.error.empty(), "UPnP IGD" + (r.upnp.detail.empty() ? "" : " (" + r.upnp.detail + ")"));
  return list;
}

std::string why_not(const char* name, const portmap::ProtocolAnswer& a)
{
  return fmt::format("{}: {}", name, a.error.empty() ? "no answer" : a.error);
}

}  // namespace

std::vector<Finding> check_router_found(const Evidence& ev)
{
  const RouterEvidence& router = ev.router;
  if (!router.asked) return {};
  const portmap::GatewayReport& r = router.report;
  if (!r.error.empty()) {
    return {{"router.none", Severity::info, "No router to ask for port forwarding", r.error,
             "If this computer has a public address of its own, nothing needs forwarding. Otherwise check the\n"
             "network settings: without a default route aMule cannot reach the internet at all."}};
  }
  std::vector<Finding> out;
  const std::string answered = answered_list(r);
  const std::string gateway = fmt::format("gateway {} ({}), this host {}", r.gateway->address,
                                          r.gateway->interface.empty() ? "given" : r.gateway->interface,
                                          r.local_address);
  if (answered.empty()) {
    std::string evidence = gateway;
    for (const std::string& line :
         {why_not("PCP", r.pcp), why_not("NAT-PMP", r.natpmp), why_not("UPnP", r.upnp)})
      evidence += "\n" + line;
    if (!router.upnp_built) evidence += "\n(this mulenet was built without UPnP support)";
    const auto ports = ports_to_forward(ev);
    out.push_back({"router.no-portmapping", ev.settings.upnp_enabled ? Severity::warning : Severity::info,
                   "The router answers none of UPnP IGD, NAT-PMP and PCP", evidence,
                   "Enable UPnP (or NAT-PMP/PCP) in the router's web interface, then run `mulenet map`;\n"
                   "or forward these ports by hand in the router (Port Forwarding / Virtual Server):\n" +
                       forwarding_rules_text(ports, r.local_address) +
                       "\nand give this computer a fixed LAN address (a DHCP reservation) so the rules stay right."});
  } else {
    std::optional<std::string> external = r.natpmp.external_ip ? r.natpmp.external_ip : r.upnp.external_ip;
    out.push_back({"router.portmapping", Severity::ok, "The router answers " + answered,
                   gateway + (external ? ", external address " + *external : ""), ""});
    if (external && portmap::is_private_or_cgnat(*external)) {
      out.push_back(
          {"router.double-nat", Severity::warning,
           fmt::format("Double NAT: the router's own external address {} is private or carrier-grade NAT", *external),
           gateway + ", the router reports external address " + *external +
               " (private or 100.64.0.0/10): another NAT sits between it and the internet",
           "Forwarding on this router alone does not make you reachable. Put the modem/ISP box in front into\n"
           "bridge mode, or forward the same ports on it to this router too; with carrier-grade NAT ask the\n"
           "ISP for a public IPv4 address. Until then expect a Low ID on eD2k and 'firewalled' on Kad."});
    }
  }
  return out;
}

}  // namespace mulenet::doctor
