// mulenet built without UPnP (MULENET_WITH_UPNP=OFF, as aMule without
// ENABLE_UPNP): the UPnP toggles are said to be unavailable, not ignored.
#include "doctor/check.hpp"

namespace mulenet::doctor {

std::vector<Finding> check_upnp_unavailable(const Evidence& ev)
{
  if (ev.router.upnp_built) return {};
  const config::Settings& s = ev.settings;
  if (!s.upnp_enabled && !s.upnp_web_enabled) return {};
  return {{"upnp.not-built", Severity::warning, "UPnP IGD is not available in this build of mulenet",
           "amule.conf turns UPnP on (/eMule/UPnPEnabled or /WebServer/UPnPWebServerEnabled), but mulenet was "
           "built with MULENET_WITH_UPNP=OFF: routers that speak only UPnP IGD cannot be asked",
           "`mulenet map` still forwards the ports by NAT-PMP or PCP. For UPnP IGD, rebuild mulenet with\n"
           "cmake -DMULENET_WITH_UPNP=ON (the default)."}};
}

}  // namespace mulenet::doctor
