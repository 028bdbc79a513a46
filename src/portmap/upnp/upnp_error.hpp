#pragma once
// The errorCode of a UPnP SOAP fault (UDA §3.2.2 and WANIPConnection:2
// §2.5), what it means for a user, and what a port mapper does about it.
// Includes the router quirks collected in shared/reference/anchors.md §2.1,
// §3.2 (libtorrent, tailscale) and what the lab's miniupnpd 2.3.1 answers.
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "portmap/portmap_error.hpp"

namespace mulenet::portmap::upnp {

enum class UpnpError : unsigned {
  invalid_action = 401,
  invalid_args = 402,
  action_failed = 501,
  argument_value_invalid = 600,
  argument_value_out_of_range = 601,
  optional_action_not_implemented = 602,
  out_of_memory = 603,
  human_intervention_required = 604,
  string_argument_too_long = 605,
  action_not_authorized = 606,
  specified_array_index_invalid = 713,
  no_such_entry_in_array = 714,
  wildcard_not_permitted_in_src_ip = 715,
  wildcard_not_permitted_in_ext_port = 716,
  conflict_in_mapping_entry = 718,
  same_port_values_required = 724,
  only_permanent_leases_supported = 725,
  remote_host_only_supports_wildcard = 726,
  external_port_only_supports_wildcard = 727,
  no_port_maps_available = 728,
  conflict_with_other_mechanisms = 729,
  wildcard_not_permitted_in_int_port = 732,
};

// What a port mapper does next.
enum class Remedy {
  give_up,                      // nothing to change on our side: report it
  try_another_external_port,    // the port is taken: another one, or AddAnyPortMapping
  use_same_ports,               // retry with external port = internal port
  use_permanent_lease,          // retry with NewLeaseDuration 0
  use_wildcard_remote_host,     // retry with NewRemoteHost ""
  use_wildcard_external_port,   // retry with NewExternalPort 0 (the router picks)
  use_specific_external_port,   // retry with a non-zero NewExternalPort
  use_specific_internal_port,   // retry with a non-zero NewInternalPort
  end_of_list,                  // GetGenericPortMappingEntry ran past the last entry
  no_such_mapping,              // the mapping is not there (a delete is then done)
};

struct UpnpErrorInfo {
  unsigned code = 0;
  std::string_view name;        // the spec's name: "ConflictInMappingEntry"
  std::string_view meaning;     // for users: what the router said
  std::string_view what_to_do;  // for users: what helps
  Remedy remedy = Remedy::give_up;
  PortmapErrc kind = PortmapErrc::refused;  // when it is the final answer: what it amounts to
};

// nullopt for codes not listed above (vendor codes 800-899 among them).
[[nodiscard]] std::optional<UpnpErrorInfo> describe_upnp_error(unsigned code);

// One line for logs and the doctor: "UPnP error 718 ConflictInMappingEntry
// (router: "ConflictInMappingEntry"): another device ...". The router's own
// errorDescription is quoted when given.
[[nodiscard]] std::string upnp_error_message(unsigned code, std::string_view router_description = {});

// The PortmapErrc a fault with this errorCode amounts to (its `kind`);
// `refused` for codes not listed above.
[[nodiscard]] std::error_code error_for(unsigned code);

}  // namespace mulenet::portmap::upnp
