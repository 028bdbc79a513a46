#pragma once
// Adding and deleting one mapping on the router, by each protocol. The
// `Mapping` carries everything a later delete needs (PCP nonce, UPnP control
// URL), so deletes also work from the journal after a crash.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "portmap/mapping.hpp"

namespace mulenet::portmap {

struct AddOutcome {
  bool ok = false;
  Mapping mapping;       // as granted: external port, lease
  std::string error;     // why not, with the router's own words
  std::error_code code;  // with error: its PortmapErrc (portmap_error.hpp)
  std::string holder;    // a conflict: who holds the port, as far as the router tells
  std::string external_ip;  // when the answer names it (PCP, NAT-PMP's address is asked separately)
  // PCP / NAT-PMP: the router's epoch (seconds since it started) and when the
  // answer arrived, so that a keeper notices a router restart (RFC 6886 §3.6).
  std::optional<std::uint32_t> epoch;
  std::chrono::steady_clock::time_point received_at{};
};

// `wanted` names protocol, ports, internal client, gateway, lease, name; for
// PCP a nonce (made here when empty); for UPnP the control URL and service type.
boost::asio::awaitable<AddOutcome> add_mapping(Mapping wanted, std::chrono::milliseconds timeout);

struct DeleteOutcome {
  std::string error;     // empty on success (a mapping already gone counts as success)
  std::error_code code;  // with error: its PortmapErrc
};
boost::asio::awaitable<DeleteOutcome> delete_mapping(const Mapping& mapping, std::chrono::milliseconds timeout);

}  // namespace mulenet::portmap
