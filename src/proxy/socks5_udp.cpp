#include "proxy/socks5_udp.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "net/use_tuple.hpp"
#include "net/with_timeout.hpp"
#include "proxy/socks5_codec.hpp"

namespace mulenet::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
namespace {
using net::use_tuple;
constexpr std::size_t kMaxDatagram = 65536;
}  // namespace

struct Socks5UdpAssociation::State {
  tcp::socket control;
  udp::socket socket;
  udp::endpoint relay;
  bool alive = true;
  std::size_t dropped = 0;
  asio::steady_timer lost;  // never expires; cancelled when the association ends

  State(tcp::socket c, udp::socket s, udp::endpoint r)
      : control(std::move(c)), socket(std::move(s)), relay(r), lost(control.get_executor(),
                                                                    asio::steady_timer::time_point::max())
  {
  }
  void end()
  {
    alive = false;
    boost::system::error_code ignored;
    socket.cancel(ignored);  // wakes a pending receive
    lost.cancel();
  }
};

namespace {

// RFC 1928: "A UDP association terminates when the TCP connection that the
// UDP ASSOCIATE request arrived on terminates." Anything the proxy sends on
// it now is unexpected; its end is the end of the association.
asio::awaitable<void> watch_control(std::shared_ptr<Socks5UdpAssociation::State> state)
{
  std::uint8_t sink[256];
  for (;;) {
    auto [ec, n] = co_await state->control.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) break;
  }
  state->end();
}

// 0.0.0.0, :: or a name in the reply mean "the proxy's own address".
udp::endpoint relay_endpoint(const Target& bound, const tcp::endpoint& proxy)
{
  if (const auto* v4 = std::get_if<Ipv4>(&bound.host)) {
    const asio::ip::address_v4 a(*v4);
    if (!a.is_unspecified()) return {a, bound.port};
  } else if (const auto* v6 = std::get_if<Ipv6>(&bound.host)) {
    const asio::ip::address_v6 a(*v6);
    if (!a.is_unspecified()) return {a, bound.port};
  }
  return {proxy.address(), bound.port};
}

}  // namespace

Socks5UdpAssociation::Socks5UdpAssociation(std::shared_ptr<State> state) : state_(std::move(state)) {}
Socks5UdpAssociation::~Socks5UdpAssociation() { close(); }

asio::awaitable<std::pair<std::shared_ptr<Socks5UdpAssociation>, DialResult>> Socks5UdpAssociation::open(
    const ProxySpec& proxy, DialTimeouts timeouts)
{
  DialResult result;
  result.route = Route::via_proxy;
  auto fail = [&](std::error_code e, std::string detail) {
    result.error = e;
    result.detail = std::move(detail);
    return std::pair<std::shared_ptr<Socks5UdpAssociation>, DialResult>{nullptr, std::move(result)};
  };
  if (proxy.type != config::ProxyType::socks5) {
    co_return fail(ProxyErrc::udp_not_supported,
                   fmt::format("{} proxies cannot carry UDP; only SOCKS5 has UDP ASSOCIATE", scheme_of(proxy.type)));
  }
  ProxyControl control = co_await connect_and_authenticate_socks5(proxy, timeouts, result.steps);
  if (control.error) co_return fail(control.error, control.detail);

  // DST.ADDR/PORT: where our datagrams will come from. Behind NAT we cannot
  // know, so zeros (RFC 1928 allows it); our private address would mislead.
  const auto exchange = [&]() -> asio::awaitable<Parsed<socks5::Reply>> {
    const auto request = socks5::encode_request(socks5::Command::udp_associate, Target{Ipv4{0, 0, 0, 0}, 0});
    auto [wec, wn] = co_await asio::async_write(*control.socket, asio::buffer(request), use_tuple);
    if (wec) co_return Parsed<socks5::Reply>::fail(ProxyErrc::proxy_closed, "sending UDP ASSOCIATE: " + wec.message());
    std::vector<std::uint8_t> in;
    for (int reads = 0; reads < 300; ++reads) {  // a reply is at most 262 bytes
      auto parsed = socks5::parse_reply(in, socks5::Command::udp_associate);
      if (parsed.status != ParseStatus::need_more) co_return parsed;
      std::uint8_t byte[262];
      // Read no further than the reply: after it, the connection only signals the end.
      auto [rec, n] = co_await control.socket->async_read_some(asio::buffer(byte, 1), use_tuple);
      if (rec) {
        co_return Parsed<socks5::Reply>::fail(
            ProxyErrc::proxy_closed, "the proxy closed the connection instead of answering UDP ASSOCIATE");
      }
      in.insert(in.end(), byte, byte + n);
    }
    co_return Parsed<socks5::Reply>::fail(ProxyErrc::protocol_violation, "UDP ASSOCIATE reply too long");
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto reply = co_await net::with_timeout(exchange(), timeouts.handshake);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  if (!reply) {
    result.steps.push_back({"udp associate", false, elapsed, "timeout"});
    co_return fail(ProxyErrc::proxy_timeout, fmt::format("no answer to UDP ASSOCIATE within {} ms",
                                                         timeouts.handshake.count()));
  }
  if (reply->status == ParseStatus::failed) {
    result.steps.push_back({"udp associate", false, elapsed, reply->detail});
    co_return fail(reply->error, reply->detail);
  }
  const udp::endpoint relay = relay_endpoint(reply->value.bound, control.proxy_endpoint);
  result.steps.push_back({"udp associate", true, elapsed,
                          fmt::format("relay {}:{} (proxy said {})", relay.address().to_string(), relay.port(),
                                      reply->value.bound.str())});

  udp::socket socket(co_await asio::this_coro::executor);
  boost::system::error_code ec;
  socket.open(relay.protocol(), ec);
  if (!ec) socket.bind(udp::endpoint(relay.protocol(), 0), ec);
  if (ec) co_return fail(ProxyErrc::udp_not_supported, "cannot open a local UDP socket: " + ec.message());

  auto state = std::make_shared<State>(std::move(*control.socket), std::move(socket), relay);
  asio::co_spawn(state->control.get_executor(), watch_control(state), asio::detached);
  co_return std::pair{std::make_shared<Socks5UdpAssociation>(state), std::move(result)};
}

asio::awaitable<std::error_code> Socks5UdpAssociation::send_to(const Target& destination,
                                                               std::span<const std::uint8_t> payload)
{
  if (!state_->alive) co_return make_error_code(ProxyErrc::udp_association_lost);
  const auto datagram = socks5::wrap_udp(destination, payload);
  auto [ec, n] = co_await state_->socket.async_send_to(asio::buffer(datagram), state_->relay, use_tuple);
  if (ec) co_return std::error_code(ec.value(), std::system_category());
  co_return std::error_code{};
}

asio::awaitable<std::optional<Socks5UdpAssociation::Received>> Socks5UdpAssociation::receive(
    std::chrono::milliseconds timeout)
{
  const auto state = state_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::uint8_t> buffer(kMaxDatagram);
  for (int i = 0; i < 100000 && state->alive; ++i) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    udp::endpoint sender;
    auto op = [&]() -> asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> {
      co_return co_await state->socket.async_receive_from(asio::buffer(buffer), sender, use_tuple);
    };
    auto got = co_await net::with_timeout(op(), left);
    if (!got) break;
    auto [ec, n] = *got;
    if (ec) break;
    if (sender != state->relay) {  // spoofing guard: only the relay may talk to us
      ++state->dropped;
      continue;
    }
    auto datagram = socks5::unwrap_udp(std::span<const std::uint8_t>(buffer.data(), n));
    if (!datagram) {
      ++state->dropped;
      continue;
    }
    co_return Received{datagram->source, {datagram->payload.begin(), datagram->payload.end()}};
  }
  co_return std::nullopt;
}

asio::awaitable<void> Socks5UdpAssociation::wait_until_lost()
{
  const auto state = state_;
  if (!state->alive) co_return;
  co_await state->lost.async_wait(use_tuple);
}

bool Socks5UdpAssociation::alive() const { return state_->alive; }
udp::endpoint Socks5UdpAssociation::relay() const { return state_->relay; }
std::size_t Socks5UdpAssociation::dropped() const { return state_->dropped; }

void Socks5UdpAssociation::close()
{
  if (!state_) return;
  boost::system::error_code ignored;
  state_->control.close(ignored);
  state_->end();
  state_->socket.close(ignored);
}

}  // namespace mulenet::proxy
