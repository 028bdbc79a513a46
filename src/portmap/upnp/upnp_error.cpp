#include "portmap/upnp/upnp_error.hpp"

#include <array>
#include <fmt/format.h>

namespace mulenet::portmap::upnp {
namespace {

constexpr std::array kErrors{
    UpnpErrorInfo{401, "Invalid Action", "the router does not know this action",
                  "the router's WAN service lacks it (an IGDv1 router asked for an IGDv2 action such as "
                  "AddAnyPortMapping): use the IGDv1 action",
                  Remedy::give_up, PortmapErrc::not_supported},
    UpnpErrorInfo{402, "Invalid Args", "the router rejected the arguments",
                  "some routers (ARRIS NVG578LX) answer this to any non-zero lease: retry with a permanent "
                  "lease (0); otherwise the request itself is wrong",
                  Remedy::use_permanent_lease, PortmapErrc::refused},
    UpnpErrorInfo{501, "Action Failed", "the router failed to carry out the action",
                  "many routers answer this instead of 718 when the port is taken: retry with another external "
                  "port; if it persists, restart the router's UPnP service",
                  Remedy::try_another_external_port, PortmapErrc::refused},
    UpnpErrorInfo{600, "Argument Value Invalid", "an argument has a value the router does not accept",
                  "check the internal address and ports", Remedy::give_up, PortmapErrc::refused},
    UpnpErrorInfo{601, "Argument Value Out of Range", "an argument is out of the router's range",
                  "check the ports and the lease duration", Remedy::give_up, PortmapErrc::refused},
    UpnpErrorInfo{602, "Optional Action Not Implemented", "the router does not implement this optional action",
                  "use another action", Remedy::give_up, PortmapErrc::not_supported},
    UpnpErrorInfo{603, "Out of Memory", "the router is out of memory", "delete unused mappings or restart the router",
                  Remedy::give_up, PortmapErrc::out_of_resources},
    UpnpErrorInfo{604, "Human Intervention Required", "the router wants a person to act",
                  "look at the router's web interface", Remedy::give_up, PortmapErrc::refused},
    UpnpErrorInfo{605, "String Argument Too Long", "a text argument is too long for the router",
                  "use a shorter mapping description", Remedy::give_up, PortmapErrc::refused},
    UpnpErrorInfo{606, "Action not authorized", "the router does not allow this mapping",
                  "the router only lets a device map ports to itself, or its rules forbid this port (miniupnpd's "
                  "default rules allow only ports 1024-65535 to LAN addresses): map to this host's own address, "
                  "use a port >= 1024, or allow it in the router's UPnP settings",
                  Remedy::give_up, PortmapErrc::not_authorized},
    UpnpErrorInfo{713, "SpecifiedArrayIndexInvalid", "there is no mapping at this index",
                  "the end of the router's mapping list was reached", Remedy::end_of_list, PortmapErrc::refused},
    UpnpErrorInfo{714, "NoSuchEntryInArray", "the router has no such mapping",
                  "nothing to do: the mapping is not (or no longer) there",
                  Remedy::no_such_mapping, PortmapErrc::refused},
    UpnpErrorInfo{715, "WildCardNotPermittedInSrcIP", "the router needs a specific remote host",
                  "routers rarely do this; the mapping cannot be made for every remote host",
                  Remedy::give_up, PortmapErrc::refused},
    UpnpErrorInfo{716, "WildCardNotPermittedInExtPort", "the router needs a specific external port",
                  "retry with an external port (not 0)", Remedy::use_specific_external_port, PortmapErrc::refused},
    UpnpErrorInfo{718, "ConflictInMappingEntry", "another device on the LAN already holds this external port",
                  "use another port (or let the router choose one), or free it on the other device or in the "
                  "router's port forwarding table; miniupnpd also answers 718 when the internal client is not "
                  "the requesting host (secure_mode): map to this host's own address",
                  Remedy::try_another_external_port, PortmapErrc::conflict},
    UpnpErrorInfo{724, "SamePortValuesRequired", "the router needs the external and internal ports to be equal",
                  "retry with the external port equal to the internal port",
                  Remedy::use_same_ports, PortmapErrc::refused},
    UpnpErrorInfo{725, "OnlyPermanentLeasesSupported", "the router accepts only permanent mappings",
                  "retry with lease duration 0, and delete the mapping on exit (MikroTik RouterOS does this)",
                  Remedy::use_permanent_lease, PortmapErrc::refused},
    UpnpErrorInfo{726, "RemoteHostOnlySupportsWildcard", "the router accepts only the wildcard remote host",
                  "retry with an empty remote host", Remedy::use_wildcard_remote_host, PortmapErrc::refused},
    UpnpErrorInfo{727, "ExternalPortOnlySupportsWildcard", "the router chooses the external port itself",
                  "retry with external port 0 (or AddAnyPortMapping) and use the port it grants",
                  Remedy::use_wildcard_external_port, PortmapErrc::refused},
    UpnpErrorInfo{728, "NoPortMapsAvailable", "the router's mapping table is full",
                  "delete stale mappings in the router's UPnP table, or restart the router",
                  Remedy::give_up, PortmapErrc::out_of_resources},
    UpnpErrorInfo{729, "ConflictWithOtherMechanisms", "the port is in use by the router itself or a static rule",
                  "use another external port, or remove the router's own forwarding of this port",
                  Remedy::try_another_external_port, PortmapErrc::conflict},
    UpnpErrorInfo{732, "WildCardNotPermittedInIntPort", "the router needs a specific internal port",
                  "retry with an internal port (not 0)", Remedy::use_specific_internal_port, PortmapErrc::refused},
};

}  // namespace

std::optional<UpnpErrorInfo> describe_upnp_error(unsigned code)
{
  for (const auto& e : kErrors)
    if (e.code == code) return e;
  return std::nullopt;
}

std::string upnp_error_message(unsigned code, std::string_view router_description)
{
  const auto info = describe_upnp_error(code);
  std::string text = info ? fmt::format("UPnP error {} {}", code, info->name) : fmt::format("UPnP error {}", code);
  if (!router_description.empty() && (!info || router_description != info->name))
    text += fmt::format(" (router: \"{}\")", router_description);
  if (info) text += fmt::format(": {}; {}", info->meaning, info->what_to_do);
  return text;
}

std::error_code error_for(unsigned code)
{
  const auto info = describe_upnp_error(code);
  return info ? make_error_code(info->kind) : make_error_code(PortmapErrc::refused);
}

}  // namespace mulenet::portmap::upnp
