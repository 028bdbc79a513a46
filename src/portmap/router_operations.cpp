#include "portmap/router_operations.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "portmap/natpmp/natpmp_client.hpp"
#include "portmap/pcp/pcp_client.hpp"
#include "portmap/portmap_error.hpp"
#if MULENET_WITH_UPNP
#include "portmap/upnp/soap_call.hpp"
#include "portmap/upnp/upnp_error.hpp"
#endif
#include "portmap/udp_exchange.hpp"

namespace mulenet::portmap {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

struct Endpoint {
  std::optional<udp::endpoint> router;
  std::string error;  // the mapping's gateway is not an address: PortmapErrc::bad_mapping
};

AddOutcome add_outcome(Mapping m, std::string error, std::error_code code, std::string holder = {})
{
  AddOutcome out;
  out.mapping = std::move(m);
  out.error = std::move(error);
  out.code = code;
  out.holder = std::move(holder);
  return out;
}

Endpoint router_endpoint(const Mapping& m)
{
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(m.gateway, ec);
  if (ec) return {std::nullopt, "the gateway address '" + m.gateway + "' is not an IP address"};
  return {udp::endpoint(address, natpmp::kServerPort), {}};
}


// --- NAT-PMP -----------------------------------------------------------------
natpmp::Protocol natpmp_protocol(config::Protocol p)
{
  return p == config::Protocol::tcp ? natpmp::Protocol::tcp : natpmp::Protocol::udp;
}

asio::awaitable<AddOutcome> natpmp_add(Mapping m, std::chrono::milliseconds timeout)
{
  AddOutcome out = add_outcome(m, {}, {});
  const Endpoint e = router_endpoint(m);
  if (!e.router) co_return add_outcome(m, e.error, PortmapErrc::bad_mapping);
  auto socket = open_router_socket(co_await asio::this_coro::executor, out.error, m.internal_client);
  if (!socket) {
    out.code = PortmapErrc::socket_error;
    co_return out;
  }
  const natpmp::MapRequest request{natpmp_protocol(m.protocol), m.internal_port, m.external_port, m.lease_seconds};
  const natpmp::Answer a = co_await natpmp::request_map(*socket, *e.router, request, timeout);
  if (!a.response) co_return add_outcome(m, a.error, a.code);
  if (!a.response->ok()) {
    co_return add_outcome(m, "NAT-PMP: " + std::string(natpmp::result_message(a.response->result)),
                      natpmp::error_for(a.response->result));
  }
  out.ok = true;
  out.mapping.external_port = a.response->external_port;
  out.mapping.lease_seconds = a.response->lifetime_seconds;
  out.epoch = a.response->epoch_seconds;
  out.received_at = a.received_at;
  co_return out;
}

asio::awaitable<DeleteOutcome> natpmp_delete(const Mapping& m, std::chrono::milliseconds timeout)
{
  const Endpoint e = router_endpoint(m);
  if (!e.router) co_return DeleteOutcome{e.error, PortmapErrc::bad_mapping};
  std::string error;
  auto socket = open_router_socket(co_await asio::this_coro::executor, error, m.internal_client);
  if (!socket) co_return DeleteOutcome{error, PortmapErrc::socket_error};
  const natpmp::Answer a =
      co_await natpmp::request_map(*socket, *e.router, natpmp::delete_request(natpmp_protocol(m.protocol), m.internal_port),
                                   timeout);
  if (!a.response) co_return DeleteOutcome{a.error, a.code};
  if (!a.response->ok()) {
    co_return DeleteOutcome{"NAT-PMP: " + std::string(natpmp::result_message(a.response->result)),
                            natpmp::error_for(a.response->result)};
  }
  co_return DeleteOutcome{};
}

// --- PCP ---------------------------------------------------------------------
std::optional<pcp::MapRequest> pcp_request(const Mapping& m, std::uint32_t lifetime, std::string& error)
{
  const auto nonce = pcp::nonce_from_hex(m.pcp_nonce_hex);
  boost::system::error_code ec;
  const auto client = asio::ip::make_address(m.internal_client, ec);
  if (!nonce || ec) {
    error = !nonce ? "no valid PCP nonce for this mapping" : "bad internal client address " + m.internal_client;
    return std::nullopt;
  }
  pcp::MapRequest r;
  r.nonce = *nonce;
  r.protocol = m.protocol == config::Protocol::tcp ? pcp::Protocol::tcp : pcp::Protocol::udp;
  r.internal_port = m.internal_port;
  r.suggested_external_port = m.external_port;
  r.lifetime_seconds = lifetime;
  r.client = pcp::client_address(client);
  return r;
}

asio::awaitable<AddOutcome> pcp_add(Mapping m, std::chrono::milliseconds timeout)
{
  AddOutcome out = add_outcome(m, {}, {});
  if (m.pcp_nonce_hex.empty()) {
    const auto nonce = pcp::make_nonce();
    if (!nonce) co_return add_outcome(m, "cannot make a random PCP nonce", PortmapErrc::no_randomness);
    m.pcp_nonce_hex = pcp::nonce_to_hex(*nonce);
    out.mapping = m;
  }
  const Endpoint e = router_endpoint(m);
  if (!e.router) co_return add_outcome(m, e.error, PortmapErrc::bad_mapping);
  const auto request = pcp_request(m, m.lease_seconds, out.error);
  if (!request) {
    out.code = PortmapErrc::bad_mapping;
    co_return out;
  }
  auto socket = open_router_socket(co_await asio::this_coro::executor, out.error, m.internal_client);
  if (!socket) {
    out.code = PortmapErrc::socket_error;
    co_return out;
  }
  const pcp::Answer a = co_await pcp::request_map(*socket, *e.router, *request, timeout);
  if (!a.response) co_return add_outcome(m, a.error, a.code);
  if (!a.response->ok() || !a.response->map) {
    // SUCCESS without the MAP body cannot be used: a broken answer.
    const std::error_code code =
        a.response->ok() ? make_error_code(PortmapErrc::bad_answer) : pcp::error_for(a.response->result);
    co_return add_outcome(m, "PCP: " + std::string(pcp::result_message(a.response->result)), code);
  }
  out.ok = true;
  out.mapping.external_port = a.response->map->external_port;
  out.mapping.lease_seconds = a.response->lifetime_seconds;
  if (const auto ip = a.response->map->external_ipv4())
    out.external_ip = fmt::format("{}.{}.{}.{}", (*ip)[0], (*ip)[1], (*ip)[2], (*ip)[3]);
  out.epoch = a.response->epoch_seconds;
  out.received_at = a.received_at;
  co_return out;
}

asio::awaitable<DeleteOutcome> pcp_delete(const Mapping& m, std::chrono::milliseconds timeout)
{
  const Endpoint e = router_endpoint(m);
  if (!e.router) co_return DeleteOutcome{e.error, PortmapErrc::bad_mapping};
  std::string error;
  const auto request = pcp_request(m, 0, error);  // lifetime 0 deletes; the same nonce proves it is ours
  if (!request) co_return DeleteOutcome{error, PortmapErrc::bad_mapping};
  auto socket = open_router_socket(co_await asio::this_coro::executor, error, m.internal_client);
  if (!socket) co_return DeleteOutcome{error, PortmapErrc::socket_error};
  const pcp::Answer a = co_await pcp::request_map(*socket, *e.router, *request, timeout);
  if (!a.response) co_return DeleteOutcome{a.error, a.code};
  if (!a.response->ok()) {
    co_return DeleteOutcome{"PCP: " + std::string(pcp::result_message(a.response->result)),
                            pcp::error_for(a.response->result)};
  }
  co_return DeleteOutcome{};
}

// --- UPnP IGD ----------------------------------------------------------------
#if MULENET_WITH_UPNP
using upnp::soap::fault_text;

asio::awaitable<upnp::soap::CallResult> soap_call(const Mapping& m, const upnp::soap::Action& action,
                                                  std::chrono::milliseconds timeout)
{
  co_return co_await upnp::soap::call(m.upnp_control_url, m.upnp_service_type, action, timeout);
}

// GetSpecificPortMappingEntry: the entry at `key`, nullopt when there is none
// (or the router would not say); `error` set when the router could not be asked.
asio::awaitable<std::optional<upnp::soap::PortMappingEntry>> upnp_entry(const Mapping& m,
                                                                        upnp::soap::PortMappingKey key,
                                                                        std::chrono::milliseconds timeout,
                                                                        std::string& error)
{
  const upnp::soap::Action query = upnp::soap::get_specific_port_mapping_entry(key);
  const upnp::soap::CallResult r = co_await soap_call(m, query, timeout);
  if (!r.response) {
    error = r.error;
    co_return std::nullopt;
  }
  if (r.response->fault) {
    if (r.response->fault->error_code != 714) error = fault_text(*r.response->fault);  // 714: no such entry
    co_return std::nullopt;
  }
  auto entry = upnp::soap::port_mapping_entry(*r.response, &key);
  if (!entry) {
    error = entry.detail;
    co_return std::nullopt;
  }
  co_return std::move(entry.value);
}

std::string holder_text(const upnp::soap::PortMappingEntry& e)
{
  return fmt::format("{}:{} (\"{}\")", e.internal_client, e.internal_port, e.description);
}

bool is_igd2(const Mapping& m) { return m.upnp_service_type.ends_with(":2"); }

asio::awaitable<AddOutcome> upnp_add(Mapping m, std::chrono::milliseconds timeout)
{
  upnp::soap::PortMapping pm{"", m.external_port, m.protocol, m.internal_port, m.internal_client, true,
                             "mulenet " + m.name, m.lease_seconds};
  upnp::soap::Action action = upnp::soap::add_port_mapping(pm);
  upnp::soap::CallResult add = co_await soap_call(m, action, timeout);
  // 725 OnlyPermanentLeasesSupported: some IGDv1 routers take only lease 0.
  if (add.response && add.response->fault && add.response->fault->error_code == 725) {
    pm.lease_seconds = 0;
    action = upnp::soap::add_port_mapping(pm);
    add = co_await soap_call(m, action, timeout);
  }
  if (!add.response) co_return add_outcome(m, add.error, add.code);
  std::string holder;
  if (add.response->fault) {
    // 718 (another host holds the port) is a conflict, as upnp_error.cpp lists it.
    AddOutcome out =
        add_outcome(m, "UPnP: " + fault_text(*add.response->fault), upnp::error_for(add.response->fault->error_code));
    if (add.response->fault->error_code != 718) co_return out;
    // 718: another host holds the port. Ask the router who.
    std::string ignored;
    const upnp::soap::PortMappingKey key{"", m.external_port, m.protocol};
    if (const auto who = co_await upnp_entry(m, key, timeout, ignored)) out.holder = holder_text(*who);
    if (!is_igd2(m)) co_return out;
    // IGDv2: let the router pick a free external port (the mapper reports it
    // as "other port": Kad can use it, eD2k cannot announce it).
    const upnp::soap::Action any = upnp::soap::add_any_port_mapping(pm);
    const upnp::soap::CallResult granted = co_await soap_call(m, any, timeout);
    if (!granted.response || granted.response->fault) co_return out;
    const auto port = upnp::soap::reserved_port(*granted.response);
    if (!port) co_return out;
    m.external_port = port.value;
    holder = out.holder;
  }
  // Read it back: some routers answer OK and keep nothing.
  std::string error;
  const upnp::soap::PortMappingKey key{"", m.external_port, m.protocol};
  const auto entry = co_await upnp_entry(m, key, timeout, error);
  if (!entry) {
    co_return add_outcome(m,
                          "the router accepted the mapping but does not list it" +
                              (error.empty() ? std::string() : " (" + error + ")"),
                          PortmapErrc::not_kept, holder);
  }
  if (entry->internal_client != m.internal_client || entry->internal_port != m.internal_port) {
    co_return add_outcome(m,
                          "the router maps the port to " + entry->internal_client + ":" +
                              std::to_string(entry->internal_port) + " instead",
                          PortmapErrc::conflict, holder_text(*entry));
  }
  AddOutcome out = add_outcome(m, {}, {}, holder);
  out.ok = true;
  out.mapping.lease_seconds = entry->lease_seconds == 0 ? pm.lease_seconds : entry->lease_seconds;
  co_return out;
}

asio::awaitable<DeleteOutcome> upnp_delete(const Mapping& m, std::chrono::milliseconds timeout)
{
  // Only ever our own: a router without secure mode would delete another
  // host's mapping at the same port (one made after ours expired or was lost).
  std::string error;
  const upnp::soap::PortMappingKey key{"", m.external_port, m.protocol};
  const auto entry = co_await upnp_entry(m, key, timeout, error);
  if (!entry && error.empty()) co_return DeleteOutcome{};  // already gone
  if (entry && (entry->internal_client != m.internal_client || entry->internal_port != m.internal_port))
    co_return DeleteOutcome{};  // not ours any more: leave it
  // Named, not a temporary inside the co_await: GCC 12 destroys such
  // temporaries twice when they hold a braced initializer.
  const upnp::soap::Action action = upnp::soap::delete_port_mapping(key);
  const upnp::soap::CallResult r = co_await soap_call(m, action, timeout);
  if (!r.response) co_return DeleteOutcome{r.error, r.code};
  if (r.response->fault && r.response->fault->error_code != 714) {  // 714: no such entry, already gone
    co_return DeleteOutcome{"UPnP: " + fault_text(*r.response->fault), upnp::error_for(r.response->fault->error_code)};
  }
  co_return DeleteOutcome{};
}
#else
constexpr const char* kNoUpnp = "UPnP is not built into this mulenet (MULENET_WITH_UPNP=OFF)";
asio::awaitable<AddOutcome> upnp_add(Mapping m, std::chrono::milliseconds)
{
  co_return add_outcome(m, kNoUpnp, PortmapErrc::not_built_in);
}
asio::awaitable<DeleteOutcome> upnp_delete(const Mapping&, std::chrono::milliseconds)
{
  co_return DeleteOutcome{kNoUpnp, PortmapErrc::not_built_in};
}
#endif

}  // namespace

asio::awaitable<AddOutcome> add_mapping(Mapping wanted, std::chrono::milliseconds timeout)
{
  switch (wanted.via) {
    case Via::natpmp: co_return co_await natpmp_add(std::move(wanted), timeout);
    case Via::pcp: co_return co_await pcp_add(std::move(wanted), timeout);
    case Via::upnp: co_return co_await upnp_add(std::move(wanted), timeout);
  }
  co_return add_outcome(wanted, "unknown protocol", PortmapErrc::bad_mapping);
}

asio::awaitable<DeleteOutcome> delete_mapping(const Mapping& mapping, std::chrono::milliseconds timeout)
{
  switch (mapping.via) {
    case Via::natpmp: co_return co_await natpmp_delete(mapping, timeout);
    case Via::pcp: co_return co_await pcp_delete(mapping, timeout);
    case Via::upnp: co_return co_await upnp_delete(mapping, timeout);
  }
  co_return DeleteOutcome{"unknown protocol", PortmapErrc::bad_mapping};
}

}  // namespace mulenet::portmap
