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

asio::awaitable<UpnpAnswer> ask_upnp(bool ask, bool list_mappings, std::string gateway, unsigned prefix_length,
                                     std::string local, std::chrono::milliseconds timeout)
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
    out.answer.error = std::move(error);
    out.answer.code = code;
    out.answer.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    return std::move(out);
  };
  upnp::Discovery found = co_await upnp::discover_igd(scope, local, timeout);
  UpnpInfo info;
  info.refused = found.refused;
  if (!found.location) {
    out.info = info;
    co_return finish(found.error, found.code);
  }
  info.location = found.location->str();
  info.server = found.answer->server;
  out.info = info;
  const upnp::HttpResponse desc = co_await upnp::http_exchange(*found.location, upnp::http_get_text(*found.location),
                                                               {timeout, 256 * 1024});
  if (!desc.ok || desc.status != 200) {
    co_return finish(
        "fetching " + info.location + ": " + (desc.ok ? "HTTP " + std::to_string(desc.status) : desc.error),
        desc.ok ? make_error_code(PortmapErrc::bad_answer) : desc.code);
  }
  const auto description = upnp::parse_description(desc.body);
  if (!description) {
    co_return finish("the device description at " + info.location + " is unusable: " + description.detail,
                     PortmapErrc::bad_answer);
  }
  const auto service = upnp::select_wan_service(description.value);
  if (!service) {
    co_return finish("the device at " + info.location + " has no WANIPConnection or WANPPPConnection service",
                     PortmapErrc::not_supported);
  }
  out.info->friendly_name = service->root_friendly_name;
  out.info->service_type = service->service.service_type;
  // Control URLs are relative to URLBase when there is one, else to the description's URL.
  upnp::HttpUrl base = *found.location;
  if (!description.value.url_base.empty()) {
    if (auto b = upnp::accept_url(description.value.url_base, scope)) base = b.value;
  }
  const auto control = upnp::accept_url(base, service->service.control_url, scope);
  if (!control) {
    co_return finish("the control URL " + service->service.control_url + " is refused: " + control.detail,
                     PortmapErrc::unsafe_url);
  }
  out.info->control_url = control.value.str();
  if (!service->service.event_sub_url.empty()) {
    if (const auto events = upnp::accept_url(base, service->service.event_sub_url, scope))
      out.info->event_url = events.value.str();
  }

  std::string error;
  std::error_code code;
  const upnp::soap::Action get_ip = upnp::soap::get_external_ip_address();
  const auto ip = co_await call(control.value, service->service.service_type, get_ip, timeout, error, code);
  if (!error.empty()) co_return finish("GetExternalIPAddress: " + error, code);
  if (ip.fault) {
    co_return finish("GetExternalIPAddress: UPnP error " + std::to_string(ip.fault->error_code) + " " +
                         ip.fault->error_description,
                     upnp::error_for(ip.fault->error_code));
  }
  const auto address = upnp::soap::external_ip_address(ip);
  out.answer.answered = true;
  if (address && !address.value.empty() && address.value != "0.0.0.0") out.answer.external_ip = address.value;
  const upnp::soap::Action get_status = upnp::soap::get_status_info();
  const auto status = co_await call(control.value, service->service.service_type, get_status, timeout, error, code);
  if (error.empty() && !status.fault) {
    if (const auto s = upnp::soap::status_info(status)) out.info->connection_status = s.value.connection_status;
  }
  out.answer.detail = std::string(upnp::to_string(service->kind));
  UpnpAnswer answered = finish("", {});  // the answer time, without the table walk
  if (list_mappings) co_await read_table(control.value, service->service.service_type, timeout, *answered.info);
  co_return answered;
}
#else
asio::awaitable<UpnpAnswer> ask_upnp(bool ask, bool, std::string, unsigned, std::string, std::chrono::milliseconds)
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
                ask_upnp(options.ask_upnp, options.list_mappings, report.gateway->address, prefix_length, *local,
                         options.timeout));
  report.natpmp = std::move(natpmp_answer);
  report.pcp = std::move(pcp_answer);
  report.upnp = std::move(upnp_answer.answer);
  report.upnp_info = std::move(upnp_answer.info);
  co_return report;
}

}  // namespace mulenet::portmap
