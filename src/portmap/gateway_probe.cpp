#include "portmap/gateway_probe.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "net/local_address.hpp"
#include "portmap/natpmp/natpmp_client.hpp"
#include "portmap/pcp/pcp_client.hpp"

namespace mulenet::portmap {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

std::string dotted(const std::array<std::uint8_t, 4>& a) { return fmt::format("{}.{}.{}.{}", a[0], a[1], a[2], a[3]); }

udp::socket open_socket(const asio::any_io_executor& ex, std::string& error)
{
  udp::socket socket(ex);
  boost::system::error_code ec;
  socket.open(udp::v4(), ec);
  if (!ec) socket.bind(udp::endpoint(udp::v4(), 0), ec);
  if (ec) error = "cannot open a UDP socket: " + ec.message();
  return socket;
}

asio::awaitable<ProtocolAnswer> ask_natpmp(udp::endpoint router, std::chrono::milliseconds timeout)
{
  ProtocolAnswer out;
  udp::socket socket = open_socket(co_await asio::this_coro::executor, out.error);
  if (!out.error.empty()) co_return out;
  const natpmp::Answer a = co_await natpmp::request_external_address(socket, router, timeout);
  out.elapsed = a.elapsed;
  if (!a.response) {
    out.error = a.error;
    co_return out;
  }
  out.answered = true;
  out.epoch = a.response->epoch_seconds;
  out.detail = std::string(natpmp::result_name(a.response->result));
  if (a.response->ok()) out.external_ip = dotted(a.response->external_address);
  else out.error = std::string(natpmp::result_message(a.response->result));
  co_return out;
}

asio::awaitable<ProtocolAnswer> ask_pcp(udp::endpoint router, asio::ip::address local,
                                        std::chrono::milliseconds timeout)
{
  ProtocolAnswer out;
  udp::socket socket = open_socket(co_await asio::this_coro::executor, out.error);
  if (!out.error.empty()) co_return out;
  // ANNOUNCE tells whether PCP is there; a MAP of nothing is not needed for that.
  const pcp::Answer a = co_await pcp::request_announce(socket, router, pcp::client_address(local), timeout);
  out.elapsed = a.elapsed;
  if (!a.response) {
    out.error = a.error;
    out.detail = a.natpmp_only ? "natpmp-only" : "";
    co_return out;
  }
  out.answered = true;
  out.epoch = a.response->epoch_seconds;
  out.detail = std::string(pcp::result_name(a.response->result));
  if (!a.response->ok()) out.error = std::string(pcp::result_message(a.response->result));
  co_return out;
}

}  // namespace

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
    co_return report;
  }
  std::string error;
  const auto local = net::local_address_toward(report.gateway->address, error);
  if (!local) {
    report.error = error;
    co_return report;
  }
  report.local_address = *local;
  boost::system::error_code ec;
  const auto router_ip = asio::ip::make_address(report.gateway->address, ec);
  if (ec) {
    report.error = "the gateway address is not an IP address: " + report.gateway->address;
    co_return report;
  }
  const udp::endpoint router(router_ip, natpmp::kServerPort);
  auto [natpmp_answer, pcp_answer] =
      co_await (ask_natpmp(router, options.timeout) && ask_pcp(router, asio::ip::make_address(*local), options.timeout));
  report.natpmp = std::move(natpmp_answer);
  report.pcp = std::move(pcp_answer);
  co_return report;
}

}  // namespace mulenet::portmap
