// Error paths of the Dialer and the UDP link against a scripted fake proxy on
// loopback. (That the proxy code works with real proxies is shown by the lab
// tests in tests/lab/cases/; this only covers misbehaviour real ones rarely show.)
#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "proxy/dialer.hpp"
#include "proxy/proxied_udp_link.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet::proxy;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One scripted exchange: read `expect` bytes, then send `reply` (one byte at
// a time when `trickle`), then optionally hang up or go silent.
struct Exchange {
  std::size_t expect = 0;
  Bytes reply;
  bool trickle = false;
};
struct Script {
  std::vector<Exchange> exchanges;
  bool hang_up_after = false;  // close right after the last exchange
  bool stay_silent = false;    // keep the connection open, answer nothing more
  std::chrono::milliseconds hang_up_delay{0};  // with hang_up_after: this long after the last exchange
};

asio::awaitable<void> serve(tcp::socket socket, Script script)
{
  for (const Exchange& x : script.exchanges) {
    Bytes in(x.expect);
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(in), use_tuple);
    if (ec) co_return;
    if (x.trickle) {
      for (std::uint8_t b : x.reply) {
        co_await asio::async_write(socket, asio::buffer(&b, 1), use_tuple);
        asio::steady_timer t(socket.get_executor(), std::chrono::milliseconds(2));
        co_await t.async_wait(use_tuple);
      }
    } else if (!x.reply.empty()) {
      co_await asio::async_write(socket, asio::buffer(x.reply), use_tuple);
    }
  }
  if (script.hang_up_after) {
    asio::steady_timer t(socket.get_executor(), script.hang_up_delay);
    if (script.hang_up_delay.count() > 0) co_await t.async_wait(use_tuple);
    co_return;
  }
  // Silent or not, keep the connection until the client closes it.
  std::uint8_t sink[64];
  for (int i = 0; i < 1000; ++i) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) break;
  }
}

// A fake proxy: one script per incoming connection, in order.
struct FakeProxy {
  asio::io_context& io;
  tcp::acceptor acceptor;
  std::vector<Script> scripts;
  int connections = 0;

  FakeProxy(asio::io_context& ctx, std::vector<Script> s)
      : io(ctx), acceptor(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), scripts(std::move(s))
  {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  asio::awaitable<void> accept_loop()
  {
    for (std::size_t i = 0; i < scripts.size(); ++i) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      ++connections;
      asio::co_spawn(io, serve(std::move(socket), scripts[i]), asio::detached);
    }
  }
  ProxySpec spec(mulenet::config::ProxyType type = mulenet::config::ProxyType::socks5) const
  {
    return {type, "127.0.0.1", acceptor.local_endpoint().port(), std::nullopt, std::nullopt};
  }
};

DialResult dial(asio::io_context& io, const ProxySpec& spec, const Target& target, DialTimeouts t = {})
{
  DialResult result;
  Dialer dialer(io.get_executor(), spec, false, t);
  asio::co_spawn(io, dialer.connect(target), [&](std::exception_ptr e, DialResult r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
    io.stop();
  });
  io.run_for(std::chrono::seconds(20));  // a bound, not a timing assertion
  return result;
}

const Bytes kSocks5Ok{5, 0, 0, 1, 127, 0, 0, 1, 0x10, 0x00};

}  // namespace

TEST(ProxyDialerFake, Socks5RepliesTrickledByteByByteStillWork)
{
  asio::io_context io;
  FakeProxy fake(io, {Script{{{3, {5, 0}, true}, {10, kSocks5Ok, true}}, false, false}});
  const auto r = dial(io, fake.spec(), *parse_target("1.2.3.4:80"));
  EXPECT_TRUE(r.ok()) << r.detail;
}

TEST(ProxyDialerFake, TunnelBytesThatComeWithTheReplyAreKept)
{
  asio::io_context io;
  Bytes reply = kSocks5Ok;
  reply.push_back('h');
  reply.push_back('i');
  FakeProxy fake(io, {Script{{{3, {5, 0}}, {10, reply}}, false, false}});
  const auto r = dial(io, fake.spec(), *parse_target("1.2.3.4:80"));
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.early_bytes, (Bytes{'h', 'i'}));
}

TEST(ProxyDialerFake, SilentProxyTimesOut)
{
  asio::io_context io;
  FakeProxy fake(io, {Script{{}, false, true}});
  const auto r = dial(io, fake.spec(), *parse_target("1.2.3.4:80"), {std::chrono::milliseconds(2000),
                                                                    std::chrono::milliseconds(200)});
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::proxy_timeout)) << r.detail;
}

TEST(ProxyDialerFake, HangUpMidHandshake)
{
  asio::io_context io;
  FakeProxy fake(io, {Script{{{3, {5}}}, true, false}});
  const auto r = dial(io, fake.spec(), *parse_target("1.2.3.4:80"));
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::proxy_closed)) << r.detail;
}

TEST(ProxyDialerFake, WrongProtocolIsNamed)
{
  asio::io_context io;
  const std::string http = "HTTP/1.1 400 Bad Request\r\n\r\n";
  FakeProxy fake(io, {Script{{{3, Bytes(http.begin(), http.end())}}, false, false}});
  const auto r = dial(io, fake.spec(), *parse_target("1.2.3.4:80"));
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::protocol_violation)) << r.detail;
}

TEST(ProxyDialerFake, EndlessHttpHeaderIsCutOff)
{
  asio::io_context io;
  std::string endless = "HTTP/1.1 200 OK\r\n";
  while (endless.size() < 40000) endless += "X-Pad: 0123456789abcdef\r\n";
  FakeProxy fake(io, {Script{{{1, Bytes(endless.begin(), endless.end())}}, false, false}});
  const auto r = dial(io, fake.spec(mulenet::config::ProxyType::http), *parse_target("1.2.3.4:80"));
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::protocol_violation)) << r.detail;
}

TEST(ProxyDialerFake, StrictModeRefusesWithoutSending)
{
  asio::io_context io;
  FakeProxy fake(io, {});
  Dialer dialer(io.get_executor(), fake.spec(mulenet::config::ProxyType::http), /*strict=*/true);
  DialResult result;
  asio::co_spawn(io, dialer.connect(*parse_target("1.2.3.4:4672"), TrafficKind::kad_udp),
                 [&](std::exception_ptr, DialResult r) { result = std::move(r); });
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(result.error, make_error_code(ProxyErrc::refused_by_strict_mode));
  EXPECT_EQ(fake.connections, 0);
}

TEST(ProxyUdpLinkFake, ReassociatesAfterTheProxyEndsTheAssociation)
{
  asio::io_context io;
  asio::ip::udp::socket relay(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const std::uint16_t port = relay.local_endpoint().port();
  const Bytes reply{5, 0, 0, 1, 127, 0, 0, 1, static_cast<std::uint8_t>(port >> 8),
                    static_cast<std::uint8_t>(port & 0xFF)};
  // First association: the proxy hangs up at once. Second: it stays.
  FakeProxy fake(io, {Script{{{3, {5, 0}}, {10, reply}}, true, false},
                      Script{{{3, {5, 0}}, {10, reply}}, false, false}});
  std::vector<ProxiedUdpLink::Event> events;
  ProxiedUdpLink link(io.get_executor(), fake.spec(), {}, [&](const ProxiedUdpLink::Event& e) {
    events.push_back(e);
    if (e.state == ProxiedUdpLink::State::up && e.attempt == 2) io.stop();
  }, {std::chrono::milliseconds(20), std::chrono::milliseconds(100), std::chrono::milliseconds(60000)});
  link.start();
  io.run_for(std::chrono::seconds(20));
  std::vector<std::string> states;
  for (const auto& e : events) states.emplace_back(to_string(e.state));
  EXPECT_EQ(states, (std::vector<std::string>{"connecting", "up", "down", "connecting", "up"}));
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[2].error, make_error_code(ProxyErrc::udp_association_lost));
  EXPECT_EQ(fake.connections, 2);
  link.stop();
}

// start(first): the association the caller already opened is the first one
// (no second at start); its loss is counted and the relay is the new one's.
TEST(ProxyUdpLinkFake, AdoptsTheFirstAssociationAndCountsItsLoss)
{
  asio::io_context io;
  asio::ip::udp::socket relay(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const std::uint16_t port = relay.local_endpoint().port();
  const Bytes reply{5, 0, 0, 1, 127, 0, 0, 1, static_cast<std::uint8_t>(port >> 8),
                    static_cast<std::uint8_t>(port & 0xFF)};
  // The caller's association: the proxy hangs up on it a moment later. The link's own: it stays.
  FakeProxy fake(io, {Script{{{3, {5, 0}}, {10, reply}}, true, false, std::chrono::milliseconds(300)},
                      Script{{{3, {5, 0}}, {10, reply}}, false, false}});
  std::shared_ptr<Socks5UdpAssociation> first;
  const ProxySpec spec = fake.spec();  // open() keeps a reference: it must outlive the coroutine
  asio::co_spawn(io, Socks5UdpAssociation::open(spec, {}),
                 [&](std::exception_ptr, std::pair<std::shared_ptr<Socks5UdpAssociation>, DialResult> r) {
                   first = std::move(r.first);
                   io.stop();  // before the hang-up is read: handed over alive
                 });
  io.run_for(std::chrono::seconds(5));
  io.restart();
  ASSERT_TRUE(first);
  std::vector<ProxiedUdpLink::Event> events;
  ProxiedUdpLink link(io.get_executor(), fake.spec(), {}, [&](const ProxiedUdpLink::Event& e) {
    events.push_back(e);
    if (e.state == ProxiedUdpLink::State::up && e.attempt == 2) io.stop();
  }, {std::chrono::milliseconds(20), std::chrono::milliseconds(100), std::chrono::milliseconds(60000)});
  link.start(first);
  io.run_for(std::chrono::seconds(20));
  EXPECT_EQ(fake.connections, 2);  // the caller's, then one after its loss: none more at start
  EXPECT_EQ(link.losses(), 1u);
  ASSERT_TRUE(link.relay().has_value());
  EXPECT_EQ(link.relay()->port(), port);
  link.stop();
}

namespace {

Bytes http_reply(const std::string& status_line)
{
  const std::string text = "HTTP/1.1 " + status_line + "\r\nContent-Length: 0\r\n\r\n";
  return Bytes(text.begin(), text.end());
}

bool has_step(const DialResult& r, const std::string& name, bool ok)
{
  return std::any_of(r.steps.begin(), r.steps.end(), [&](const DialStep& s) { return s.name == name && s.ok == ok; });
}

}  // namespace

// A proxy that refuses the host at every port (a host rule, not a port rule):
// asked again at 443 it refuses that too, so the refusal stays "not allowed".
TEST(ProxyDialerFake, RefusedAtPort443TooIsNoPortPolicy)
{
  asio::io_context io;
  FakeProxy fake(io, {Script{{{1, http_reply("403 Forbidden")}}, false, false},
                      Script{{{1, http_reply("403 Forbidden")}}, false, false}});
  const auto r = dial(io, fake.spec(mulenet::config::ProxyType::http), *parse_target("1.2.3.4:4661"));
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::not_allowed)) << r.detail;
  EXPECT_FALSE(r.refused_port.has_value());
  EXPECT_EQ(fake.connections, 2);
  EXPECT_TRUE(has_step(r, "port policy", false));
}

// 403 for the port asked, 503 for 443 (the proxy tried the host): the port's.
TEST(ProxyDialerFake, RefusedPortButTriedAt443IsPortPolicy)
{
  asio::io_context io;
  FakeProxy fake(io, {Script{{{1, http_reply("403 Forbidden")}}, false, false},
                      Script{{{1, http_reply("503 Service Unavailable")}}, false, false}});
  const auto r = dial(io, fake.spec(mulenet::config::ProxyType::http), *parse_target("1.2.3.4:4661"));
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::port_not_allowed)) << r.detail;
  EXPECT_EQ(r.refused_port, std::optional<std::uint16_t>(4661));
  EXPECT_NE(r.detail.find("not to port 4661"), std::string::npos) << r.detail;
}

// A refusal of port 443 itself is not probed: there is no other port to ask.
TEST(ProxyDialerFake, RefusedPort443IsNotProbed)
{
  asio::io_context io;
  FakeProxy fake(io, {Script{{{1, http_reply("403 Forbidden")}}, false, false}});
  const auto r = dial(io, fake.spec(mulenet::config::ProxyType::http), *parse_target("1.2.3.4:443"));
  EXPECT_EQ(r.error, make_error_code(ProxyErrc::not_allowed)) << r.detail;
  EXPECT_EQ(fake.connections, 1);
}
