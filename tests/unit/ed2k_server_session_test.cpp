// A held server session's keep-alive (ServerKeepAliveTimeout): after that
// long without a packet, an empty OP_OFFERFILES, as aMule sends; none when
// it is 0 (aMule's default). The peer is a loopback socket of this test
// playing the server (the lab's eD2k server logs the same offers:
// tests/lab/cases/daemon_ed2k.sh).
#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ed2k/ed2k_error.hpp"
#include "ed2k/packet.hpp"
#include "ed2k/packet_stream.hpp"
#include "ed2k/server_messages.hpp"
#include "ed2k/server_session.hpp"
#include "net/with_timeout.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet::ed2k;
using namespace std::chrono_literals;

namespace {

struct Outcome {
  std::vector<std::uint8_t> server_got;  // what the "server" read before it closed
  SessionEnd end;
};

// The "server" reads up to `want` bytes (bounded by `wait`), then closes; the
// session held on the other end runs with `hold` until it ends.
Outcome hold_against_a_server(HoldOptions hold, std::size_t want, std::chrono::milliseconds wait)
{
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Outcome out;
  auto server = [&]() -> asio::awaitable<void> {
    tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
    std::vector<std::uint8_t> buffer(want);
    auto read_all = asio::async_read(peer, asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    const auto got = co_await mulenet::net::with_timeout(std::move(read_all), wait);
    if (got) buffer.resize(std::get<1>(*got));
    else buffer.clear();
    out.server_got = buffer;
    peer.close();
  };
  auto client = [&]() -> asio::awaitable<void> {
    tcp::socket s(io);
    co_await s.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    PacketStream stream(std::move(s));
    out.end = co_await hold_session(stream, nullptr, hold);
  };
  asio::co_spawn(io, server(), asio::detached);
  asio::co_spawn(io, client(), asio::detached);
  io.run_for(30s);  // bounded: each side ends long before
  return out;
}

TEST(Ed2kServerSession, EmptyOfferFilesIsFileCountZero)
{
  const Bytes wire = encode_packet(encode_empty_offer_files());
  const Bytes expected{0xE3, 0x05, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(wire, expected);
}

TEST(Ed2kServerSession, SilenceIsAnsweredWithAnEmptyOfferWhenKeepAliveIsSet)
{
  HoldOptions hold;
  hold.keep_alive = 50ms;
  const Outcome o = hold_against_a_server(hold, 20, 10s);  // two keep-alives, then the server closes
  const std::vector<std::uint8_t> one{0xE3, 0x05, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00};
  ASSERT_EQ(o.server_got.size(), 20U);
  EXPECT_TRUE(std::equal(one.begin(), one.end(), o.server_got.begin()));
  EXPECT_TRUE(std::equal(one.begin(), one.end(), o.server_got.begin() + 10));
  EXPECT_EQ(o.end.code, make_error_code(Ed2kErrc::connection_lost));
  EXPECT_EQ(o.end.why, "the server closed the connection");
}

TEST(Ed2kServerSession, NoKeepAliveSendsNothingAndSilenceIsNotAnEnd)
{
  HoldOptions hold;
  hold.read_slice = 20ms;  // many quiet slices pass while the server waits
  const Outcome o = hold_against_a_server(hold, 1, 500ms);
  EXPECT_TRUE(o.server_got.empty());
  EXPECT_EQ(o.end.why, "the server closed the connection");
}

}  // namespace
