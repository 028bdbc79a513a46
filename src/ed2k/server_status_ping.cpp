#include "ed2k/server_status_ping.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "net/with_timeout.hpp"
#include "proxy/socks5_udp.hpp"
#include "net/random_bytes.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

std::uint32_t new_challenge()
{
  std::uint16_t random = 0;
  if (!net::random_bytes(&random, sizeof random)) random = 0;  // a guessable challenge still matches the answer
  return make_challenge(random);
}

bool from_server(const proxy::Ipv4& ip, std::uint16_t tcp_port, const udp::endpoint& sender)
{
  if (!sender.address().is_v4() || sender.address().to_v4().to_bytes() != ip) return false;
  // aMule matches replies by source port TCP+4 or TCP+12 (obfuscated).
  return sender.port() == tcp_port + kServerUdpOffset || sender.port() == tcp_port + 12;
}

asio::awaitable<UdpPingResult> ping_direct(UdpPingOptions o)
{
  UdpPingResult r;
  udp::socket socket(co_await asio::this_coro::executor);
  boost::system::error_code ec;
  socket.open(udp::v4(), ec);
  if (!ec && o.local_port != 0) {
    socket.bind(udp::endpoint(udp::v4(), o.local_port), ec);
    if (ec) {
      r.note = fmt::format("UDP {} is in use ({}): sent from another port", o.local_port, ec.message());
      ec.clear();
      socket.bind(udp::endpoint(udp::v4(), 0), ec);
    }
  }
  if (ec) {
    r.error = "cannot open a UDP socket: " + ec.message();
    co_return r;
  }
  r.path = fmt::format("direct from UDP {}", socket.local_endpoint(ec).port());
  const udp::endpoint server(asio::ip::address_v4(o.server_ip),
                             static_cast<std::uint16_t>(o.server_tcp_port + kServerUdpOffset));
  std::vector<std::uint8_t> in(2048);
  for (int attempt = 0; attempt < o.tries; ++attempt) {
    const std::uint32_t challenge = new_challenge();
    const Bytes request = encode_status_request(challenge);
    const auto t0 = std::chrono::steady_clock::now();
    auto [sec, sent] = co_await socket.async_send_to(asio::buffer(request), server, asio::as_tuple(asio::use_awaitable));
    if (sec) {
      r.error = "sending to " + server.address().to_string() + ": " + sec.message();
      co_return r;
    }
    // Read until our answer or the try's time is up; others' datagrams are skipped.
    const auto deadline = t0 + o.timeout;
    for (int n = 0; n < 64; ++n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      udp::endpoint sender;
      auto receive = [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
        auto [rec, got] = co_await socket.async_receive_from(asio::buffer(in), sender, asio::as_tuple(asio::use_awaitable));
        co_return std::pair{rec, got};
      };
      const auto got = co_await net::with_timeout(receive(), left);
      if (!got) break;
      if (got->first) continue;  // e.g. ICMP port unreachable from an earlier try
      if (!from_server(o.server_ip, o.server_tcp_port, sender)) continue;
      auto status = decode_status_response(ByteView(in).first(got->second));
      if (!status || status.value->challenge != challenge) continue;
      r.answered = true;
      r.status = *status.value;
      r.rtt = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      co_return r;
    }
  }
  r.error = fmt::format("no answer to the UDP status ping from {}:{} ({} tries of {} ms)",
                        server.address().to_string(), server.port(), o.tries, o.timeout.count());
  co_return r;
}

asio::awaitable<UdpPingResult> ping_via_socks5(UdpPingOptions o)
{
  UdpPingResult r;
  r.path = "through the SOCKS5 proxy (UDP ASSOCIATE)";
  auto [association, dial] = co_await proxy::Socks5UdpAssociation::open(*o.proxy, proxy::DialTimeouts{});
  if (!association) {
    r.error = "the proxy gave no UDP association: " + (dial.detail.empty() ? dial.error.message() : dial.detail);
    co_return r;
  }
  const proxy::Target server{o.server_ip, static_cast<std::uint16_t>(o.server_tcp_port + kServerUdpOffset)};
  for (int attempt = 0; attempt < o.tries; ++attempt) {
    const std::uint32_t challenge = new_challenge();
    const Bytes request = encode_status_request(challenge);
    const auto t0 = std::chrono::steady_clock::now();
    const std::error_code sent = co_await association->send_to(server, request);
    if (sent) {
      r.error = "sending through the proxy: " + sent.message();
      association->close();
      co_return r;
    }
    for (int n = 0; n < 64; ++n) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(t0 + o.timeout - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto got = co_await association->receive(left);
      if (!got) break;
      const auto* ip = std::get_if<proxy::Ipv4>(&got->source.host);
      if (!ip || *ip != o.server_ip) continue;
      auto status = decode_status_response(got->payload);
      if (!status || status.value->challenge != challenge) continue;
      r.answered = true;
      r.status = *status.value;
      r.rtt = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
      association->close();
      co_return r;
    }
  }
  association->close();
  r.error = fmt::format("no answer to the UDP status ping through the proxy ({} tries of {} ms)", o.tries,
                        o.timeout.count());
  co_return r;
}

}  // namespace

asio::awaitable<UdpPingResult> ping_server_udp(UdpPingOptions options)
{
  if (options.route == proxy::Route::refused) {
    UdpPingResult r;
    r.error = "not sent: strict proxy mode refuses UDP that the proxy cannot carry";
    co_return r;
  }
  if (options.route == proxy::Route::via_proxy && options.proxy) co_return co_await ping_via_socks5(options);
  co_return co_await ping_direct(options);
}

}  // namespace mulenet::ed2k
