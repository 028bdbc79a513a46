#include "portmap/udp_exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/with_timeout.hpp"
#include "portmap/portmap_error.hpp"

namespace mulenet::portmap {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;

std::optional<udp::socket> open_router_socket(const asio::any_io_executor& executor, std::string& error,
                                              std::string_view source)
{
  udp::socket socket(executor);
  boost::system::error_code ec;
  socket.open(udp::v4(), ec);
  if (!ec && !source.empty()) {
    boost::system::error_code bad;
    const auto from = asio::ip::make_address_v4(source, bad);
    boost::system::error_code gone;  // the address is no longer ours: any source, as without one
    if (!bad) socket.bind(udp::endpoint(from, 0), gone);
    if (!bad && !gone) return socket;
  }
  if (!ec) socket.bind(udp::endpoint(udp::v4(), 0), ec);
  if (ec) {
    error = "cannot open a UDP socket: " + ec.message();
    return std::nullopt;
  }
  return socket;
}

asio::awaitable<UdpExchangeResult> udp_exchange(udp::socket& socket, udp::endpoint router,
                                                std::span<const std::uint8_t> request,
                                                std::function<bool(std::span<const std::uint8_t>)> matches,
                                                std::chrono::milliseconds total_timeout,
                                                std::chrono::milliseconds first_retry)
{
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  UdpExchangeResult result;
  const auto t0 = Clock::now();
  const auto deadline = t0 + total_timeout;
  auto retry = first_retry;
  std::vector<std::uint8_t> buffer(1100);  // PCP's maximum message is 1100 bytes
  for (int round = 0; round < 16 && Clock::now() < deadline; ++round) {
    auto [sec, sent] = co_await socket.async_send_to(asio::buffer(request.data(), request.size()), router, use_tuple);
    if (sec) {
      result.error = "sending to the router: " + sec.message();
      result.code = PortmapErrc::socket_error;
      break;
    }
    ++result.sends;
    const auto round_end = std::min(deadline, Clock::now() + retry);
    // Within this round, take datagrams until one matches or the round ends.
    for (int i = 0; i < 64; ++i) {
      const auto left = round_end - Clock::now();
      if (left <= Clock::duration::zero()) break;
      udp::endpoint sender;
      auto receive = [&]() -> asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> {
        co_return co_await socket.async_receive_from(asio::buffer(buffer), sender, use_tuple);
      };
      auto got = co_await net::with_timeout(receive(), left);
      if (!got) break;
      auto [ec, n] = *got;
      if (ec) {
        // ICMP port unreachable shows up as connection_refused on Linux: the router has no such service.
        result.error = "the router does not answer on " + router.address().to_string() + ":" +
                       std::to_string(router.port()) + " (" + ec.message() + ")";
        result.code = ec == asio::error::connection_refused ? PortmapErrc::no_service : PortmapErrc::no_answer;
        if (ec == asio::error::connection_refused) {
          result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
          co_return result;
        }
        break;
      }
      if (sender != router) continue;
      const std::span<const std::uint8_t> datagram(buffer.data(), n);
      if (!matches(datagram)) continue;
      result.reply = std::vector<std::uint8_t>(datagram.begin(), datagram.end());
      result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
      co_return result;
    }
    retry *= 2;
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  co_return result;
}

}  // namespace mulenet::portmap
