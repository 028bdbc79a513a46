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

// Two stages. First only the two IGD device types, to the gateway alone:
// every search makes a router schedule its answers, and while answers are
// pending miniupnpd serves HTTP late (5 types to the gateway and to the
// group: its first answer after 80-180 ms and each HTTP exchange after it
// 40-60 ms slower; 2 types to the gateway: 51 ms and 1 ms). Then, when
// nothing answered soon, the service types too (routers that answer only
// those) and the multicast group (routers that ignore a unicast search).
constexpr std::array kFirstTargets{ssdp::st::kIgd2, ssdp::st::kIgd1};
constexpr std::array kAllTargets{ssdp::st::kIgd2, ssdp::st::kIgd1, ssdp::st::kWanIpConnection2,
                                 ssdp::st::kWanIpConnection1, ssdp::st::kWanPppConnection1};
// A router answers a search in 50-70 ms (miniupnpd); without an answer by
// then, the second stage.
constexpr std::chrono::milliseconds kFirstStageWait{250};

template <typename Targets>
asio::awaitable<void> send_searches(udp::socket& socket, const Targets& targets,
                                    const std::vector<udp::endpoint>& destinations)
{
  for (const auto target : targets) {
    const auto request = ssdp::encode_m_search(target, 1);
    if (!request) continue;
    for (const auto& destination : destinations)
      co_await socket.async_send_to(asio::buffer(*request), destination, asio::as_tuple(asio::use_awaitable));
  }
}

// The first answer that names an IGD in scope, until `deadline`; refusals noted.
asio::awaitable<void> take_first_answer(udp::socket& socket, const GatewayScope& scope, Clock::time_point deadline,
                                        Discovery& out)
{
  std::vector<char> buffer(ssdp::kMaxDatagramBytes);  // on the heap: a big array in a coroutine frame upsets GCC 12
  for (int i = 0; i < 256 && !out.answer; ++i) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) break;
    udp::endpoint sender;
    auto receive = [&]() -> asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> {
      co_return co_await socket.async_receive_from(asio::buffer(buffer), sender, asio::as_tuple(asio::use_awaitable));
    };
    auto got = co_await net::with_timeout(receive(), std::chrono::duration_cast<std::chrono::milliseconds>(left));
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
  }
}

}  // namespace

asio::awaitable<Discovery> discover_igd(const GatewayScope& scope, const std::string& local_address,
                                        std::chrono::milliseconds timeout)
{
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
  const udp::endpoint to_gateway(gateway, ssdp::kPort);
  const udp::endpoint to_group(asio::ip::make_address_v4(std::string(ssdp::kMulticastAddress)), ssdp::kPort);
  const auto deadline = t0 + timeout;
  // Named, not braced temporaries in the co_await (GCC 12 destroys those too early).
  const std::vector<udp::endpoint> gateway_only{to_gateway}, gateway_and_group{to_gateway, to_group};
  co_await send_searches(socket, kFirstTargets, gateway_only);
  co_await take_first_answer(socket, scope, std::min(deadline, t0 + kFirstStageWait), out);
  if (!out.answer && Clock::now() < deadline) {
    co_await send_searches(socket, kAllTargets, gateway_and_group);
    co_await take_first_answer(socket, scope, deadline, out);
  }
  if (!out.answer) {
    out.error = "no UPnP IGD answered the SSDP search within " + std::to_string(timeout.count()) + " ms";
    out.code = PortmapErrc::no_answer;
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  co_return out;
}

}  // namespace mulenet::portmap::upnp
