#include "portmap/pcp/pcp_client.hpp"

#include "portmap/portmap_error.hpp"
#include "portmap/udp_exchange.hpp"

namespace mulenet::portmap::pcp {
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
        if (parsed.error == Errc::natpmp_only) return true;  // an answer too: "no PCP here"
        return parsed.ok() && matches(parsed.value);
      },
      timeout);
  answer.elapsed = result.elapsed;
  if (!result.reply) {
    answer.error = !result.error.empty() ? result.error
                                         : "no PCP answer from " + router.address().to_string() + " after " +
                                               std::to_string(result.sends) + " tries";
    answer.code = result.code ? result.code : make_error_code(PortmapErrc::no_answer);
    co_return answer;
  }
  answer.received_at = std::chrono::steady_clock::now();
  const auto parsed = parse_response(*result.reply);
  if (parsed.error == Errc::natpmp_only) {
    answer.natpmp_only = true;
    answer.error = "the router answered in NAT-PMP: it does not speak PCP";
    answer.code = PortmapErrc::not_supported;
    co_return answer;
  }
  answer.response = parsed.value;
  co_return answer;
}

}  // namespace

Ipv6 client_address(const asio::ip::address& local)
{
  if (local.is_v4()) return ipv4_mapped(local.to_v4().to_bytes());
  return local.to_v6().to_bytes();
}

asio::awaitable<Answer> request_announce(asio::ip::udp::socket& socket, asio::ip::udp::endpoint router,
                                         const Ipv6& client, std::chrono::milliseconds timeout)
{
  co_return co_await exchange(socket, router, encode_announce_request(client),
                              [](const Response& r) { return r.opcode == Opcode::announce; }, timeout);
}

asio::awaitable<Answer> request_map(asio::ip::udp::socket& socket, asio::ip::udp::endpoint router,
                                    const MapRequest& request, std::chrono::milliseconds timeout)
{
  co_return co_await exchange(socket, router, encode_map_request(request),
                              [&request](const Response& r) { return answers(request, r); }, timeout);
}

}  // namespace mulenet::portmap::pcp
