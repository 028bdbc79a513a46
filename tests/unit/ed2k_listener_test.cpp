// The client listener against well-behaved and hostile peers on loopback:
// a Hello gets our answer; garbage, another opcode first, an oversized
// header, silence and a crowd are dropped within bounds. (A real amuled
// saying Hello to it, and a server's connect-back through the router:
// tests/lab/cases/ed2k_*.sh.)
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "ed2k/client_listener.hpp"
#include "ed2k/packet_stream.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet::ed2k;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

Identity me()
{
  Identity i;
  i.user_hash.fill(0x42);
  i.tcp_port = 4662;
  i.udp_port = 4672;
  return i;
}

struct Fixture {
  asio::io_context io;
  std::shared_ptr<ClientListener> listener;
  std::vector<IncomingHello> hellos;
  explicit Fixture(ListenerLimits limits = {})
  {
    std::string error;
    listener = ClientListener::start(io.get_executor(), "127.0.0.1", 0, me(), limits, error);
    EXPECT_TRUE(listener) << error;
    listener->on_hello([this](const IncomingHello& h) { hellos.push_back(h); });
  }
  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), listener->local_port()}; }

  template <typename T>
  T run(asio::awaitable<T> work)
  {
    T result{};
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T r) {
      if (e) std::rethrow_exception(e);
      result = std::move(r);
      listener->stop();
    });
    io.run();
    return result;
  }
};

// Sends `bytes`, then reads until the listener closes (or 3 s): what came back.
asio::awaitable<Bytes> exchange(tcp::endpoint to, Bytes bytes)
{
  tcp::socket s(co_await asio::this_coro::executor);
  auto [cec] = co_await s.async_connect(to, use_tuple);
  if (cec) co_return Bytes{};
  if (!bytes.empty()) co_await asio::async_write(s, asio::buffer(bytes), use_tuple);
  Bytes got;
  std::vector<std::uint8_t> chunk(4096);
  asio::steady_timer deadline(s.get_executor(), 3s);
  deadline.async_wait([&s](boost::system::error_code ec) {
    if (!ec) s.close();
  });
  for (int i = 0; i < 100; ++i) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) break;
    got.insert(got.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  }
  deadline.cancel();
  co_return got;
}

Bytes hello_bytes()
{
  Identity peer;
  peer.user_hash.fill(0x77);
  peer.tcp_port = 5555;
  return encode_packet(encode_hello(make_hello(peer)));
}

}  // namespace

TEST(Ed2kListener, AnswersAHelloWithWhoWeAre)
{
  ListenerLimits limits;
  limits.idle_timeout = 300ms;  // the test's client waits for the close
  Fixture f(limits);
  const Bytes got = f.run(exchange(f.endpoint(), hello_bytes()));
  const Frame frame = parse_frame(got);
  ASSERT_EQ(frame.status, FrameStatus::complete);
  EXPECT_EQ(frame.packet.opcode, OP_HELLOANSWER);
  const auto answer = decode_hello(frame.packet);
  ASSERT_TRUE(answer) << answer.error;
  EXPECT_EQ(answer.value->user_hash, me().user_hash);
  EXPECT_EQ(answer.value->tcp_port, 4662);
  EXPECT_EQ(answer.value->ed2k_udp_port(), 4672);
  ASSERT_EQ(f.hellos.size(), 1u);
  EXPECT_EQ(f.hellos[0].peer_ip, "127.0.0.1");
  EXPECT_EQ(f.hellos[0].hello.tcp_port, 5555);
  EXPECT_EQ(f.listener->counters().hellos_answered, 1u);
}

TEST(Ed2kListener, HelloInTinyPiecesStillCounts)
{
  ListenerLimits limits;
  limits.idle_timeout = 300ms;
  Fixture f(limits);
  auto dribble = [&]() -> asio::awaitable<Bytes> {
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(f.endpoint(), use_tuple);
    const Bytes hello = hello_bytes();
    for (std::uint8_t b : hello) {
      co_await asio::async_write(s, asio::buffer(&b, 1), use_tuple);
      asio::steady_timer t(s.get_executor(), 1ms);
      co_await t.async_wait(use_tuple);
    }
    Bytes head(6);
    auto [ec, n] = co_await asio::async_read(s, asio::buffer(head), use_tuple);
    if (ec) co_return Bytes{};
    co_return head;
  };
  const Bytes head = f.run(dribble());
  ASSERT_EQ(head.size(), 6u);
  EXPECT_EQ(head[5], OP_HELLOANSWER);
}

TEST(Ed2kListener, AnythingButHelloFirstIsDropped)
{
  for (const Bytes& first : {Bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n', '\r', '\n'},
                             encode_packet(Packet{kProtoEdonkey, 0x58, Bytes(20, 0)}),  // a file request first
                             encode_packet(Packet{kProtoEmule, OP_HELLO, Bytes(40, 0)}),
                             Bytes{0xE3, 0x00, 0x00, 0x10, 0x00, 0x01}}) {  // announces a 1 MB Hello
    Fixture f;
    const Bytes got = f.run(exchange(f.endpoint(), first));
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(f.listener->counters().refused, 1u);
    EXPECT_TRUE(f.hellos.empty());
  }
}

TEST(Ed2kListener, SilenceIsDroppedAfterTheHelloTimeout)
{
  ListenerLimits limits;
  limits.hello_timeout = 200ms;
  Fixture f(limits);
  const Bytes got = f.run(exchange(f.endpoint(), {}));
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(f.listener->counters().refused, 1u);
}

TEST(Ed2kListener, ACrowdBeyondTheLimitIsTurnedAway)
{
  ListenerLimits limits;
  limits.max_connections = 2;
  limits.hello_timeout = 500ms;
  Fixture f(limits);
  auto crowd = [&]() -> asio::awaitable<int> {
    std::vector<tcp::socket> sockets;
    for (int i = 0; i < 4; ++i) {
      sockets.emplace_back(co_await asio::this_coro::executor);
      co_await sockets.back().async_connect(f.endpoint(), use_tuple);
    }
    asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
    co_await t.async_wait(use_tuple);
    // The two beyond the limit are closed at once: their read ends now.
    int closed_early = 0;
    for (int i = 2; i < 4; ++i) {
      std::uint8_t b = 0;
      auto [ec, n] = co_await sockets[static_cast<std::size_t>(i)].async_read_some(asio::buffer(&b, 1), use_tuple);
      if (ec) ++closed_early;
    }
    co_return closed_early;
  };
  EXPECT_EQ(f.run(crowd()), 2);
  EXPECT_GE(f.listener->counters().refused, 2u);
}

TEST(Ed2kListener, APortInUseIsAClearError)
{
  asio::io_context io;
  tcp::acceptor holder(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string error;
  const auto l = ClientListener::start(io.get_executor(), "127.0.0.1", holder.local_endpoint().port(), me(), {}, error);
  EXPECT_FALSE(l);
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

// Built once, lent to several use-cases: each borrower hears every Hello
// while its subscription lives, and nothing after it dropped the handle.
TEST(Ed2kListener, EveryBorrowerHearsTheHelloWhileSubscribed)
{
  ListenerLimits limits;
  limits.idle_timeout = 300ms;
  Fixture f(limits);
  int first = 0;
  int second = 0;
  auto a = f.listener->subscribe_hellos([&](const IncomingHello&) { ++first; });
  auto b = f.listener->subscribe_hellos([&](const IncomingHello&) { ++second; });
  const auto two_hellos = [&]() -> asio::awaitable<int> {
    co_await exchange(f.endpoint(), hello_bytes());
    b.reset();  // the second borrower is done
    co_await exchange(f.endpoint(), hello_bytes());
    co_return 0;
  };
  f.run(two_hellos());
  EXPECT_EQ(first, 2);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(f.hellos.size(), 2u);  // the owner's handler too
}

TEST(Ed2kListener, AHandleOutlivingTheListenerIsHarmless)
{
  ClientListener::Subscription handle;
  {
    Fixture f;
    handle = f.listener->subscribe_packets([](const std::string&, const Packet&) {});
    f.listener->stop();
  }
  handle.reset();  // the listener's state is gone: nothing to remove, no crash
  SUCCEED();
}
