#pragma once
// One SOAP action on the router's WAN service, over HTTP, time- and
// size-limited: the parsed response (which may be a fault) or why there is
// none. Used by discovery (external address, status, mapping table) and by
// the add/delete operations.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "portmap/upnp/soap_request.hpp"
#include "portmap/upnp/soap_response.hpp"
#include "portmap/upnp/soap_results.hpp"
#include "portmap/upnp/url_guard.hpp"

namespace mulenet::portmap::upnp::soap {

struct CallResult {
  std::optional<Response> response;  // nullopt: no usable answer, see error
  std::string error;
  std::error_code code;  // with error, its PortmapErrc (no_answer, no_service, bad_answer, bad_mapping, ...)
};

boost::asio::awaitable<CallResult> call(const HttpUrl& control, const std::string& service_type, const Action& action,
                                        std::chrono::milliseconds timeout);
// The same, with the control URL as text (from a Mapping or the journal).
boost::asio::awaitable<CallResult> call(const std::string& control_url, const std::string& service_type,
                                        const Action& action, std::chrono::milliseconds timeout);

// "UPnP error 718 ConflictInMappingEntry: another host ..." in plain words.
[[nodiscard]] std::string fault_text(const Fault& fault);

// The router's whole port-mapping table, by GetGenericPortMappingEntry with
// index 0, 1, ... until the router says 713 (no such index) or another
// fault; at most `max_entries` (a hostile router could list forever).
struct MappingTable {
  std::vector<PortMappingEntry> entries;
  bool truncated = false;  // stopped at max_entries
  std::string error;       // the walk broke off for another reason than the end
};
boost::asio::awaitable<MappingTable> list_port_mappings(const HttpUrl& control, const std::string& service_type,
                                                        std::chrono::milliseconds timeout,
                                                        std::uint16_t max_entries = 256);

}  // namespace mulenet::portmap::upnp::soap
