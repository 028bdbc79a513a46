#include "portmap/natpmp/natpmp_client.hpp"

#include "portmap/portmap_error.hpp"
#include "portmap/udp_exchange.hpp"

namespace mulenet::portmap::natpmp {
namespace {

namespace asio = boost::asio;

asio::awaitable<Answer> exchange(asio::ip::udp::socket& socket, asio::ip::udp::endpoint router, const Bytes& request,
                                 std::function<bool(const Response&)> matches, std::chrono::milliseconds timeout)
{
  Answer answer;
  const auto result = co_await udp_exchange(
      socket, router, request,
      [&](std::span<const std::uint8_t> datagram) {
        const auto parsed = parse_response(datagram);
        return parsed.ok() && matches(parsed.value);
      },
      timeout);
  answer.elapsed = result.elapsed;
  if (!result.reply) {
    answer.error = !result.error.empty() ? result.error
                                         : "no NAT-PMP answer from " + router.address().to_string() + " after " +
                                               std::to_string(result.sends) + " tries";
    answer.code = result.code ? result.code : make_error_code(PortmapErrc::no_answer);
    co_return answer;
  }
  answer.received_at = std::chrono::steady_clock::now();
  answer.response = parse_response(*result.reply).value;
  co_return answer;
}

}  // namespace

asio::awaitable<Answer> request_external_address(asio::ip::udp::socket& socket, asio::ip::udp::endpoint router,
                                                 std::chrono::milliseconds timeout)
{
  co_return co_await exchange(socket, router, encode_external_address_request(),
                              [](const Response& r) { return r.opcode == Opcode::external_address; }, timeout);
}

asio::awaitable<Answer> request_map(asio::ip::udp::socket& socket, asio::ip::udp::endpoint router,
                                    const MapRequest& request, std::chrono::milliseconds timeout)
{
  co_return co_await exchange(socket, router, encode_map_request(request),
                              [&request](const Response& r) { return answers(request, r); }, timeout);
}

}  // namespace mulenet::portmap::natpmp
