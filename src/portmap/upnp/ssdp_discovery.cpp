#include "portmap/upnp/ssdp_discovery.hpp"

#include <array>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/with_timeout.hpp"
#include "portmap/portmap_error.hpp"

namespace mulenet::portmap::upnp {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {
// The IGD types first; the service types find routers that answer only those.
constexpr std::array kSearchTargets{ssdp::st::kIgd2, ssdp::st::kIgd1, ssdp::st::kWanIpConnection2,
                                    ssdp::st::kWanIpConnection1, ssdp::st::kWanPppConnection1};
}  // namespace

asio::awaitable<Discovery> discover_igd(const GatewayScope& scope, const std::string& local_address,
                                        std::chrono::milliseconds timeout)
{
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  const auto t0 = Clock::now();
  Discovery out;
  boost::system::error_code ec;
  const auto local = asio::ip::make_address_v4(local_address, ec);
  const auto gateway = asio::ip::make_address_v4(scope.gateway, ec);
  if (ec) {
    out.error = "UPnP discovery needs an IPv4 gateway, not " + scope.gateway;
    out.code = PortmapErrc::bad_address;
    co_return out;
  }
  udp::socket socket(co_await asio::this_coro::executor);
  socket.open(udp::v4(), ec);
  if (!ec) socket.bind(udp::endpoint(local, 0), ec);
  if (!ec) socket.set_option(asio::ip::multicast::outbound_interface(local), ec);
  if (!ec) socket.set_option(asio::ip::multicast::hops(2), ec);
  if (ec) {
    out.error = "cannot open the SSDP socket: " + ec.message();
    out.code = PortmapErrc::socket_error;
    co_return out;
  }
  const std::vector<udp::endpoint> destinations{
      udp::endpoint(gateway, ssdp::kPort),
      udp::endpoint(asio::ip::make_address_v4(std::string(ssdp::kMulticastAddress)), ssdp::kPort)};
  for (const auto target : kSearchTargets) {
    const auto request = ssdp::encode_m_search(target, 1);
    if (!request) continue;
    for (const auto& destination : destinations)
      co_await socket.async_send_to(asio::buffer(*request), destination, use_tuple);
  }
  const auto deadline = t0 + timeout;
  std::vector<char> buffer(ssdp::kMaxDatagramBytes);  // on the heap: a big array in a coroutine frame upsets GCC 12
  for (int i = 0; i < 256; ++i) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) break;
    udp::endpoint sender;
    auto receive = [&]() -> asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> {
      co_return co_await socket.async_receive_from(asio::buffer(buffer), sender, use_tuple);
    };
    auto got = co_await net::with_timeout(receive(), left);
    if (!got) break;
    auto [rec, n] = *got;
    if (rec) continue;
    auto message = ssdp::parse_datagram(std::string_view(buffer.data(), n));
    if (!message) {
      if (out.refused.size() < 16) out.refused.push_back(sender.address().to_string() + ": " + message.detail);
      continue;
    }
    auto location = accept_url(message.value.location, scope);
    if (!location) {
      if (out.refused.size() < 16)
        out.refused.push_back(sender.address().to_string() + ": LOCATION " + message.value.location + " refused: " +
                              location.detail);
      continue;
    }
    out.answer = std::move(message.value);
    out.location = std::move(location.value);
    break;
  }
  if (!out.answer) {
    out.error = "no UPnP IGD answered the SSDP search within " + std::to_string(timeout.count()) + " ms";
    out.code = PortmapErrc::no_answer;
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  co_return out;
}

}  // namespace mulenet::portmap::upnp
