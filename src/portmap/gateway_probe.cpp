#include "portmap/gateway_probe.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "net/interface_prefix.hpp"
#include "net/local_address.hpp"
#include "portmap/natpmp/natpmp_client.hpp"
#include "portmap/pcp/pcp_client.hpp"
#include "portmap/portmap_error.hpp"
#include "portmap/udp_exchange.hpp"
#if MULENET_WITH_UPNP
#include "portmap/upnp/description.hpp"
#include "portmap/upnp/http_fetch.hpp"
#include "portmap/upnp/soap_call.hpp"
#include "portmap/upnp/ssdp_discovery.hpp"
#include "portmap/upnp/upnp_error.hpp"
#endif

namespace mulenet::portmap {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

std::string dotted(const std::array<std::uint8_t, 4>& a) { return fmt::format("{}.{}.{}.{}", a[0], a[1], a[2], a[3]); }


asio::awaitable<ProtocolAnswer> ask_natpmp(bool ask, udp::endpoint router, std::chrono::milliseconds timeout)
{
  ProtocolAnswer out;
  if (!ask) {
    out.error = "not asked";
    out.code = PortmapErrc::not_asked;
    co_return out;
  }
  auto socket = open_router_socket(co_await asio::this_coro::executor, out.error);
  if (!socket) {
    out.code = PortmapErrc::socket_error;
    co_return out;
  }
  const natpmp::Answer a = co_await natpmp::request_external_address(*socket, router, timeout);
  out.elapsed = a.elapsed;
  if (!a.response) {
    out.error = a.error;
    out.code = a.code;
    co_return out;
  }
  out.answered = true;
  out.epoch = a.response->epoch_seconds;
  out.detail = std::string(natpmp::result_name(a.response->result));
  if (a.response->ok()) {
    out.external_ip = dotted(a.response->external_address);
  } else {
    out.error = std::string(natpmp::result_message(a.response->result));
    out.code = natpmp::error_for(a.response->result);
  }
  co_return out;
}

asio::awaitable<ProtocolAnswer> ask_pcp(bool ask, udp::endpoint router, asio::ip::address local,
                                        std::chrono::milliseconds timeout)
{
  ProtocolAnswer out;
  if (!ask) {
    out.error = "not asked";
    out.code = PortmapErrc::not_asked;
    co_return out;
  }
  auto socket = open_router_socket(co_await asio::this_coro::executor, out.error);
  if (!socket) {
    out.code = PortmapErrc::socket_error;
    co_return out;
  }
  // ANNOUNCE tells whether PCP is there; a MAP of nothing is not needed for that.
  const pcp::Answer a = co_await pcp::request_announce(*socket, router, pcp::client_address(local), timeout);
  out.elapsed = a.elapsed;
  if (!a.response) {
    out.error = a.error;
    out.code = a.code;
    out.detail = a.natpmp_only ? "natpmp-only" : "";
    co_return out;
  }
  out.answered = true;
  out.epoch = a.response->epoch_seconds;
  out.detail = std::string(pcp::result_name(a.response->result));
  if (!a.response->ok()) {
    out.error = std::string(pcp::result_message(a.response->result));
    out.code = pcp::error_for(a.response->result);
  }
  co_return out;
}

struct UpnpAnswer {
  ProtocolAnswer answer;
  std::optional<UpnpInfo> info;
};

#if MULENET_WITH_UPNP

// One SOAP action on the WAN service; the parsed response or why not.
asio::awaitable<upnp::soap::Response> call(const upnp::HttpUrl& control, const std::string& service_type,
                                           const upnp::soap::Action& action, std::chrono::milliseconds timeout,
                                           std::string& error, std::error_code& code)
{
  upnp::soap::CallResult r = co_await upnp::soap::call(control, service_type, action, timeout);
  if (!r.response) {
    error = r.error;
    code = r.code;
    co_return upnp::soap::Response{};
  }
  co_return std::move(*r.response);
}

asio::awaitable<void> read_table(const upnp::HttpUrl& control, const std::string& service_type,
                                 std::chrono::milliseconds timeout, UpnpInfo& info)
{
  const upnp::soap::MappingTable table = co_await upnp::soap::list_port_mappings(control, service_type, timeout);
  info.table_read = true;
  info.table_truncated = table.truncated;
  info.table_error = table.error;
  for (const upnp::soap::PortMappingEntry& e : table.entries) {
    info.table.push_back(RouterTableEntry{e.protocol, e.external_port, e.internal_client, e.internal_port,
                                          e.description, e.enabled, e.lease_seconds, e.remote_host});
  }
}

// The IGD's description and the WAN service in it: what both ways of
// finding the router (SSDP, or the URL remembered from the last run) end with.
struct WanDescription {
  upnp::HttpUrl location;
  upnp::RootDescription description;
  upnp::WanService service;
  std::string error;  // when nothing usable
  std::error_code code;
};

asio::awaitable<WanDescription> fetch_wan_description(upnp::HttpUrl location, std::chrono::milliseconds timeout)
{
  WanDescription out;
  out.location = std::move(location);
  const std::string where = out.location.str();
  const upnp::HttpResponse desc =
      co_await upnp::http_exchange(out.location, upnp::http_get_text(out.location), {timeout, 256 * 1024});
  if (!desc.ok || desc.status != 200) {
    out.error = "fetching " + where + ": " + (desc.ok ? "HTTP " + std::to_string(desc.status) : desc.error);
    out.code = desc.ok ? make_error_code(PortmapErrc::bad_answer) : desc.code;
    co_return out;
  }
  auto description = upnp::parse_description(desc.body);
  if (!description) {
    out.error = "the device description at " + where + " is unusable: " + description.detail;
    out.code = PortmapErrc::bad_answer;
    co_return out;
  }
  auto service = upnp::select_wan_service(description.value);
  if (!service) {
    out.error = "the device at " + where + " has no WANIPConnection or WANPPPConnection service";
    out.code = PortmapErrc::not_supported;
    co_return out;
  }
  out.description = std::move(description.value);
  out.service = std::move(*service);
  co_return out;
}

// A router whose remembered URL no longer answers (restarted on another HTTP
// port, replaced) refuses the connection at once; one that stays silent costs
// at most this before SSDP runs as usual.
constexpr std::chrono::milliseconds kRememberedUrlWait{500};

// The remembered description, when it is still there and still an IGD.
asio::awaitable<std::optional<WanDescription>> try_remembered(const std::optional<RouterMemory>& memory,
                                                              const upnp::GatewayScope& scope,
                                                              std::chrono::milliseconds timeout)
{
  if (!memory || memory->gateway != scope.gateway) co_return std::nullopt;
  auto url = upnp::accept_url(memory->upnp_location, scope);
  if (!url) co_return std::nullopt;
  WanDescription found = co_await fetch_wan_description(std::move(url.value), std::min(timeout, kRememberedUrlWait));
  if (!found.error.empty()) co_return std::nullopt;
  co_return found;
}

// SSDP, then the description of the first IGD that answers.
asio::awaitable<WanDescription> discover_wan_description(const upnp::GatewayScope& scope, const std::string& local,
                                                         std::chrono::milliseconds timeout, UpnpInfo& info)
{
  upnp::Discovery found = co_await upnp::discover_igd(scope, local, timeout);
  info.refused = found.refused;
  if (!found.location) {
    WanDescription none;
    none.error = found.error;
    none.code = found.code;
    co_return none;
  }
  info.location = found.location->str();
  info.server = found.answer->server;
  co_return co_await fetch_wan_description(std::move(*found.location), timeout);
}

// The router's external address and (when asked) connection status, over SOAP.
asio::awaitable<void> ask_wan_state(const upnp::HttpUrl& control, const std::string& service_type,
                                    const ProbeOptions& options, UpnpAnswer& out)
{
  std::string error;
  std::error_code code;
  const upnp::soap::Action get_ip = upnp::soap::get_external_ip_address();
  const auto ip = co_await call(control, service_type, get_ip, options.timeout, error, code);
  if (!error.empty()) {
    out.answer.error = "GetExternalIPAddress: " + error;
    out.answer.code = code;
    co_return;
  }
  if (ip.fault) {
    out.answer.error = "GetExternalIPAddress: UPnP error " + std::to_string(ip.fault->error_code) + " " +
                       ip.fault->error_description;
    out.answer.code = upnp::error_for(ip.fault->error_code);
    co_return;
  }
  const auto address = upnp::soap::external_ip_address(ip);
  out.answer.answered = true;
  if (address && !address.value.empty() && address.value != "0.0.0.0") out.answer.external_ip = address.value;
  if (!options.ask_connection_status) co_return;
  const upnp::soap::Action get_status = upnp::soap::get_status_info();
  const auto status = co_await call(control, service_type, get_status, options.timeout, error, code);
  if (error.empty() && !status.fault) {
    if (const auto s = upnp::soap::status_info(status)) out.info->connection_status = s.value.connection_status;
  }
}

// Where the WAN service is controlled and watched: its URLs resolved against
// URLBase when there is one, else against the description's own URL.
bool resolve_service_urls(const WanDescription& wan, const upnp::GatewayScope& scope, UpnpInfo& info,
                          std::optional<upnp::HttpUrl>& control, std::string& error)
{
  upnp::HttpUrl base = wan.location;
  if (!wan.description.url_base.empty()) {
    if (auto b = upnp::accept_url(wan.description.url_base, scope)) base = b.value;
  }
  auto accepted = upnp::accept_url(base, wan.service.service.control_url, scope);
  if (!accepted) {
    error = "the control URL " + wan.service.service.control_url + " is refused: " + accepted.detail;
    return false;
  }
  control = accepted.value;
  info.control_url = accepted.value.str();
  if (!wan.service.service.event_sub_url.empty()) {
    if (const auto events = upnp::accept_url(base, wan.service.service.event_sub_url, scope))
      info.event_url = events.value.str();
  }
  return true;
}

asio::awaitable<UpnpAnswer> ask_upnp(bool ask, const ProbeOptions& options, std::string gateway,
                                     unsigned prefix_length, std::string local)
{
  const upnp::GatewayScope scope{gateway, prefix_length};
  UpnpAnswer out;
  if (!ask) {
    out.answer.error = "not asked";
    out.answer.code = PortmapErrc::not_asked;
    co_return out;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto finish = [&](std::string error, std::error_code code) {
    if (!error.empty()) {
      out.answer.answered = false;
      out.answer.error = std::move(error);
      out.answer.code = code;
    }
    out.answer.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    return std::move(out);
  };
  UpnpInfo info;
  std::optional<WanDescription> wan = co_await try_remembered(options.remembered, scope, options.timeout);
  if (wan) {
    info.location = wan->location.str();
    info.server = options.remembered->upnp_server;
    info.location_remembered = true;
  } else {
    wan = co_await discover_wan_description(scope, local, options.timeout, info);
  }
  out.info = std::move(info);
  if (!wan->error.empty()) co_return finish(wan->error, wan->code);
  out.info->friendly_name = wan->service.root_friendly_name;
  out.info->service_type = wan->service.service.service_type;
  std::optional<upnp::HttpUrl> control;
  std::string error;
  if (!resolve_service_urls(*wan, scope, *out.info, control, error)) co_return finish(error, PortmapErrc::unsafe_url);
  co_await ask_wan_state(*control, wan->service.service.service_type, options, out);
  if (!out.answer.answered) co_return finish(out.answer.error, out.answer.code);
  out.answer.detail = std::string(upnp::to_string(wan->service.kind));
  UpnpAnswer answered = finish("", {});  // the answer time, without the table walk
  if (options.list_mappings)
    co_await read_table(*control, wan->service.service.service_type, options.timeout, *answered.info);
  co_return answered;
}
#else
asio::awaitable<UpnpAnswer> ask_upnp(bool ask, const ProbeOptions&, std::string, unsigned, std::string)
{
  UpnpAnswer out;
  out.answer.error = ask ? "not built in (this mulenet was built with MULENET_WITH_UPNP=OFF)" : "not asked";
  out.answer.code = ask ? PortmapErrc::not_built_in : PortmapErrc::not_asked;
  co_return out;
}
#endif

}  // namespace

bool upnp_built_in() { return MULENET_WITH_UPNP != 0; }

bool is_private_or_cgnat(const std::string& ipv4)
{
  boost::system::error_code ec;
  const auto a = asio::ip::make_address_v4(ipv4, ec);
  if (ec) return false;
  const auto b = a.to_bytes();
  return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
         (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] == 127 || (b[0] == 169 && b[1] == 254) || b[0] == 0;
}

asio::awaitable<GatewayReport> probe_gateway(ProbeOptions options)
{
  using namespace asio::experimental::awaitable_operators;
  GatewayReport report;
  if (options.gateway_override) {
    report.gateway = net::DefaultGateway{"", *options.gateway_override};
  } else {
    report.gateway = net::default_gateway();
  }
  if (!report.gateway) {
    report.error = "no IPv4 default gateway in the routing table: this host has no router to ask";
    report.code = PortmapErrc::no_gateway;
    co_return report;
  }
  std::string error;
  const auto local = net::local_address_toward(report.gateway->address, error);
  boost::system::error_code ec;
  const auto router_ip = asio::ip::make_address(report.gateway->address, ec);
  if (!local) {
    report.error = error;
    report.code = ec ? PortmapErrc::bad_address : PortmapErrc::no_route;
    co_return report;
  }
  report.local_address = *local;
  if (ec) {
    report.error = "the gateway address is not an IP address: " + report.gateway->address;
    report.code = PortmapErrc::bad_address;
    co_return report;
  }
  const udp::endpoint router(router_ip, natpmp::kServerPort);
  const unsigned prefix_length = net::prefix_length_of(*local).value_or(24);
  auto [natpmp_answer, pcp_answer, upnp_answer] =
      co_await (ask_natpmp(options.ask_natpmp, router, options.timeout) &&
                ask_pcp(options.ask_pcp, router, asio::ip::make_address(*local), options.timeout) &&
                ask_upnp(options.ask_upnp, options, report.gateway->address, prefix_length, *local));
  report.natpmp = std::move(natpmp_answer);
  report.pcp = std::move(pcp_answer);
  report.upnp = std::move(upnp_answer.answer);
  report.upnp_info = std::move(upnp_answer.info);
  co_return report;
}

}  // namespace mulenet::portmap
