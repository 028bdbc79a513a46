#pragma once
// The mapper: asks the router by whichever protocol answers (PCP, then
// NAT-PMP, then UPnP IGD, or the one the user chose) to forward every port of
// the plan that the UPnP toggles select, at the same external port; keeps a
// journal so that mappings left behind by a crash are removed at the next
// start; and removes its own mappings when asked.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/port_plan.hpp"
#include "portmap/gateway_probe.hpp"
#include "portmap/mapping.hpp"
#include "portmap/portmap_error.hpp"

namespace mulenet::portmap {

struct MapperOptions {
  std::optional<Via> via;  // nullopt: the best that answers
  std::uint32_t lease_seconds = 3600;
  std::chrono::milliseconds timeout{3000};
  std::filesystem::path journal_path;
  // Where the router's UPnP description URL is remembered between runs
  // (router_memory.hpp); empty: always discover by SSDP.
  std::filesystem::path router_memory_path;
  std::optional<std::string> gateway_override;
  // A handover within one process (`mulenet run` on SIGHUP): the journal's
  // mappings that the plan asks for again, on the same router by the same
  // protocol for the same address, are renewed where they are (PCP: same
  // nonce) instead of removed first; the others are removed as after a crash.
  bool adopt_journal = false;
};

enum class MappingState {
  mapped,      // forwarded at the same external port
  other_port,  // forwarded, but the router chose another external port (eD2k cannot announce it)
  failed,      // the router refused or did not answer
  skipped,     // not asked (a port below 1024)
};
[[nodiscard]] const char* to_string(MappingState state);

struct MappingOutcome {
  config::PlannedPort port;
  MappingState state = MappingState::failed;
  std::optional<Mapping> mapping;  // mapped / other_port
  std::optional<Mapping> requested;  // failed: what was asked, for a keeper to ask again (ask_again)
  std::string error;               // failed / skipped / other_port: why, in plain words
  std::error_code code;            // with error: its PortmapErrc (other_port, below_1024, conflict, ...)
  std::string holder;              // a conflict: who holds the port, as far as the router tells
  // From the router's answer (PCP / NAT-PMP): its epoch, for a keeper's restart check.
  std::optional<std::uint32_t> epoch;
  std::chrono::steady_clock::time_point received_at{};
  std::string external_ip;  // when the answer names it (PCP)
};

struct MapReport {
  GatewayReport gateway;
  std::optional<Via> via;
  std::optional<std::string> external_ip;
  bool degraded = false;  // the router's external address is private or CGNAT: double NAT
  std::vector<MappingOutcome> outcomes;
  std::vector<std::string> cleaned;   // mappings of an earlier run (journal) removed first
  std::vector<std::string> kept;      // adopt_journal: mappings of the handing-over run renewed in place
  std::vector<std::string> warnings;  // journal trouble
  std::string error;                  // nothing could be tried at all
  std::error_code code;               // with error: its PortmapErrc (no_gateway, no_protocol, nothing_to_map, ...)

  [[nodiscard]] bool all_mapped() const;
};

// The plan's ports with upnp=true.
boost::asio::awaitable<MapReport> map_plan(config::PortPlan plan, MapperOptions options);

// Asks again for every live mapping (PCP with the same nonce): renews its
// lease, and puts back one the router lost (restart, flushed rules). Updates
// `live` and the journal; returns one outcome per mapping. With
// `ask_planned_ports` (the router lost its table) a mapping that had another
// external port asks for its own port again.
boost::asio::awaitable<std::vector<MappingOutcome>> renew_mappings(std::vector<Mapping>& live,
                                                                   MapperOptions options,
                                                                   bool ask_planned_ports = false);

// Asks again for mappings the router refused or did not answer (a request
// lost while the router restarted, a port it would not forward then). Each is
// listed in the journal before it is sent (a crash in between leaves a trace)
// and stays there only when granted. One outcome per request, in order.
boost::asio::awaitable<std::vector<MappingOutcome>> ask_again(const std::vector<Mapping>& requests,
                                                              MapperOptions options);

struct UnmapOutcome {
  Mapping mapping;
  std::string error;     // empty: removed
  std::error_code code;  // with error: its PortmapErrc
};
struct UnmapReport {
  std::vector<UnmapOutcome> outcomes;
  std::size_t kept = 0;  // a stop for a handover: mappings left in place for the next run
  std::vector<std::string> warnings;
  std::string error;     // the journal could not be read
  std::error_code code;  // with error: PortmapErrc::journal_io
};
// Removes every mapping the journal lists (ours, from this or an earlier run).
boost::asio::awaitable<UnmapReport> unmap_journal(MapperOptions options);

[[nodiscard]] std::string describe(const Mapping& m);  // "tcp 4662 -> 192.168.1.2:4662 via pcp"

}  // namespace mulenet::portmap
