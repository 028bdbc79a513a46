// Two of our Kad nodes on loopback: each answers the other as a good citizen
// (PONG with the port seen, HELLO_RES obfuscated with the asker's ID,
// BOOTSTRAP_RES), aMule's flood limits hold, and an address that has not
// proven itself gets no amplified answer. (Against real amuled:
// tests/lab/cases/kad_node.sh.)
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ed2k/client_listener.hpp"
#include "kad/kad_node.hpp"
#include "kad/udp_check_request.hpp"

namespace asio = boost::asio;
using asio::ip::udp;
using namespace mulenet::kad;
using namespace std::chrono_literals;

namespace {

KadNodeOptions node(const char* id_hex, std::uint32_t key)
{
  KadNodeOptions o;
  o.id = *KadId::from_hex(id_hex);
  o.udp_key = key;
  o.bind_address = "127.0.0.1";
  o.tcp_port = 4662;
  o.accept_lan_contacts = true;  // loopback peers
  return o;
}

struct Pair {
  asio::io_context io;
  std::shared_ptr<KadNode> a, b;
  Pair()
  {
    std::string error;
    a = KadNode::start(io.get_executor(), node("0000000000000000000000000000000A", 111), error);
    b = KadNode::start(io.get_executor(), node("0000000000000000000000000000000B", 222), error);
    EXPECT_TRUE(a && b) << error;
  }
  udp::endpoint at(const KadNode& n) const { return {asio::ip::make_address("127.0.0.1"), n.local_port()}; }
  template <typename T>
  T run(asio::awaitable<T> work)
  {
    T result{};
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T r) {
      if (e) std::rethrow_exception(e);
      result = std::move(r);
      a->stop();
      b->stop();
    });
    io.run();
    return result;
  }
};

auto opcode_is(std::uint8_t op)
{
  return [op](const Received& r) { return r.datagram.opcode == op; };
}

}  // namespace

TEST(KadNode, PingGetsThePortSeen)
{
  Pair p;
  auto work = [&]() -> asio::awaitable<std::optional<Received>> {
    co_await p.a->send(p.at(*p.b), encode_ping(), SendKey::plain());
    co_return co_await p.a->wait_for(opcode_is(KADEMLIA2_PONG), 2s);
  };
  const std::uint16_t a_port = p.a->local_port();
  const auto pong = p.run(work());
  ASSERT_TRUE(pong);
  EXPECT_EQ(decode_pong(pong->datagram).value, a_port);
  EXPECT_FALSE(pong->obfuscated);  // a plain request gets a plain answer
}

TEST(KadNode, HelloResIsObfuscatedWithOurIdAndNamesItsKey)
{
  Pair p;
  auto work = [&]() -> asio::awaitable<std::optional<Received>> {
    const Datagram hello = encode_hello({p.a->id(), 4662, kKadVersion, {}}, false);
    co_await p.a->send(p.at(*p.b), hello, SendKey{p.b->id(), 0});
    co_return co_await p.a->wait_for(opcode_is(KADEMLIA2_HELLO_RES), 2s);
  };
  const auto res = p.run(work());
  ASSERT_TRUE(res);
  EXPECT_TRUE(res->obfuscated);
  const auto hello = decode_hello(res->datagram);
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello.value->id, p.b->id());
  EXPECT_EQ(res->sender_verify_key, p.b->verify_key_for(asio::ip::make_address_v4("127.0.0.1")));
  EXPECT_EQ(p.b->contacts().size(), 1u);  // b now knows a
}

TEST(KadNode, BootstrapListsWhatItKnowsOnlyToProvenAddresses)
{
  Pair p;
  for (std::uint8_t i = 1; i <= 10; ++i) {
    Contact c;
    c.id.wire.fill(i);
    c.ip = 0x0A000000u + i;
    c.udp_port = 4672;
    c.version = 8;
    p.b->remember(c, 0);
  }
  auto work = [&]() -> asio::awaitable<std::pair<std::size_t, std::size_t>> {
    // Plain, no key: an unproven address; the answer may not outgrow the request much.
    co_await p.a->send(p.at(*p.b), encode_bootstrap_req(), SendKey::plain());
    const auto plain = co_await p.a->wait_for(opcode_is(KADEMLIA2_BOOTSTRAP_RES), 2s);
    // With b's own verify key for us: proven, the whole list.
    co_await p.a->send(p.at(*p.b), encode_bootstrap_req(),
                       SendKey{p.b->id(), p.b->verify_key_for(asio::ip::make_address_v4("127.0.0.1"))});
    const auto proven = co_await p.a->wait_for(opcode_is(KADEMLIA2_BOOTSTRAP_RES), 2s);
    const std::size_t n1 = plain ? decode_bootstrap_res(plain->datagram).value->contacts.size() : 99;
    const std::size_t n2 = proven ? decode_bootstrap_res(proven->datagram).value->contacts.size() : 99;
    co_return std::pair{n1, n2};
  };
  const auto [unproven, proven] = p.run(work());
  EXPECT_EQ(unproven, 0u);
  EXPECT_EQ(proven, 10u);
  EXPECT_GE(p.b->counters().trimmed_unverified, 1u);
}

TEST(KadNode, FloodLimitsAsAmule)
{
  Pair p;
  auto work = [&]() -> asio::awaitable<int> {
    int pongs = 0;
    for (int i = 0; i < 4; ++i) {
      co_await p.a->send(p.at(*p.b), encode_ping(), SendKey::plain());
      if (co_await p.a->wait_for(opcode_is(KADEMLIA2_PONG), 500ms)) ++pongs;
    }
    co_return pongs;
  };
  EXPECT_EQ(p.run(work()), 2);  // PING: 2 per minute per IP
  EXPECT_EQ(p.b->counters().dropped_flood, 2u);
}

TEST(KadNode, FiveTimesTheLimitBansTheAddress)
{
  // As aMule: past 5x a request's limit in a minute, everything from that
  // address is dropped (for 2 hours), other requests too.
  Pair p;
  auto work = [&]() -> asio::awaitable<bool> {
    for (int i = 0; i < 11; ++i) co_await p.a->send(p.at(*p.b), encode_ping(), SendKey::plain());
    // Until b has read them all (bounded: 200 looks, 10 ms apart).
    for (int i = 0; i < 200 && p.b->counters().received < 11; ++i) {
      asio::steady_timer t(p.io.get_executor(), 10ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const Datagram hello = encode_hello({p.a->id(), 4662, kKadVersion, {}}, false);
    co_await p.a->send(p.at(*p.b), hello, SendKey::plain());
    co_return static_cast<bool>(co_await p.a->wait_for(opcode_is(KADEMLIA2_HELLO_RES), 500ms));
  };
  EXPECT_FALSE(p.run(work()));
  EXPECT_EQ(p.b->counters().dropped_flood, 10u);  // 9 PINGs over the limit, then the HELLO
  EXPECT_TRUE(p.b->contacts().empty());
}

TEST(KadNode, AHelloAnswerToNothingWeAskedIsIgnored)
{
  // As aMule's response tracking: a HELLO_RES from an address we sent no
  // HELLO_REQ to adds no contact and gets no ACK.
  Pair p;
  auto work = [&]() -> asio::awaitable<bool> {
    const std::vector<mulenet::ed2k::Tag> tags = hello_tags(std::nullopt, 0x04);  // "ACK me"
    const Datagram res = encode_hello({p.a->id(), 4662, kKadVersion, tags}, true);
    co_await p.a->send(p.at(*p.b), res, SendKey{p.b->id(), 0});
    co_return static_cast<bool>(co_await p.a->wait_for(opcode_is(KADEMLIA2_HELLO_RES_ACK), 500ms));
  };
  EXPECT_FALSE(p.run(work()));
  EXPECT_TRUE(p.b->contacts().empty());
  EXPECT_EQ(p.b->counters().received, 1u);
}

TEST(KadNode, GarbageIsCountedNotAnswered)
{
  Pair p;
  auto work = [&]() -> asio::awaitable<bool> {
    udp::socket s(p.io.get_executor(), udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const std::vector<std::uint8_t> junk(40, 0x33);
    co_await s.async_send_to(asio::buffer(junk), p.at(*p.b), asio::as_tuple(asio::use_awaitable));
    const std::vector<std::uint8_t> cut{0xE5, 0x29, 1, 2};
    co_await s.async_send_to(asio::buffer(cut), p.at(*p.b), asio::as_tuple(asio::use_awaitable));
    co_return static_cast<bool>(co_await p.b->wait_for([](const Received&) { return true; }, 300ms));
  };
  EXPECT_FALSE(p.run(work()));
  EXPECT_EQ(p.b->counters().dropped_malformed, 2u);
  EXPECT_EQ(p.b->counters().answered, 0u);
}

TEST(KadNode, DoesTheTcpCheckAnotherNodeAsksFor)
{
  // a asks b to check its TCP port (a's listener, here a loopback one); b
  // answers FIREWALLED_RES, connects, says Hello and acknowledges over TCP.
  asio::io_context io;
  std::string error;
  KadNodeOptions ao = node("0000000000000000000000000000000A", 111);
  KadNodeOptions bo = node("0000000000000000000000000000000B", 222);
  bo.dialer = std::make_shared<mulenet::proxy::Dialer>(io.get_executor(), std::nullopt, false);
  auto a = KadNode::start(io.get_executor(), ao, error);
  auto b = KadNode::start(io.get_executor(), bo, error);
  ASSERT_TRUE(a && b) << error;
  mulenet::ed2k::Identity me;
  me.user_hash.fill(0x11);
  me.tcp_port = 4662;
  me.udp_port = a->local_port();
  me.kad_running = true;  // Kad version 8 in our Hello: the ACK comes over TCP
  auto listener = mulenet::ed2k::ClientListener::start(io.get_executor(), "127.0.0.1", 0, me, {}, error);
  ASSERT_TRUE(listener) << error;
  int acks = 0;
  listener->on_packet([&](const std::string&, const mulenet::ed2k::Packet& p) {
    if (p.protocol == kProtoEmule && p.opcode == OP_KAD_FWTCPCHECK_ACK) ++acks;
  });
  const udp::endpoint b_at{asio::ip::make_address("127.0.0.1"), b->local_port()};
  bool answered = false;
  auto work = [&]() -> asio::awaitable<void> {
    const Firewalled2Req q{listener->local_port(), KadId{}, 0};
    const Datagram req = encode_firewalled2_req(q);
    const SendKey plain = SendKey::plain();
    co_await a->send(b_at, req, plain);
    answered = static_cast<bool>(co_await a->wait_for(opcode_is(KADEMLIA_FIREWALLED_RES), 2s));
    for (int i = 0; i < 40 && acks == 0; ++i) {
      asio::steady_timer t(io.get_executor(), 50ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    a->stop();
    b->stop();
    listener->stop();
  };
  asio::co_spawn(io, work(), asio::detached);
  io.run_for(10s);
  EXPECT_TRUE(answered);
  EXPECT_EQ(acks, 1);
  EXPECT_EQ(b->counters().tcp_checks_done, 1u);
}

TEST(KadNode, AnswersAnotherNodesUdpTest)
{
  // b asks a (over TCP, as aMule: Hello, then OP_FWCHECKUDPREQ) to send to
  // its Kad port; a's node sends KADEMLIA2_FIREWALLUDP keyed with b's key.
  asio::io_context io;
  std::string error;
  auto a = KadNode::start(io.get_executor(), node("0000000000000000000000000000000A", 111), error);
  auto b = KadNode::start(io.get_executor(), node("0000000000000000000000000000000B", 222), error);
  ASSERT_TRUE(a && b) << error;
  mulenet::ed2k::Identity a_me;
  a_me.kad_running = true;
  a_me.udp_port = a->local_port();
  auto listener = mulenet::ed2k::ClientListener::start(io.get_executor(), "127.0.0.1", 0, a_me, {}, error);
  ASSERT_TRUE(listener) << error;
  listener->on_packet([&](const std::string& ip, const mulenet::ed2k::Packet& p) {
    if (p.protocol != kProtoEmule || p.opcode != OP_FWCHECKUDPREQ) return;
    if (const auto q = decode_fwcheck_udp_req_payload(p.payload)) a->answer_udp_check(asio::ip::make_address_v4(ip), *q.value);
  });
  mulenet::proxy::Dialer dialer(io.get_executor(), std::nullopt, false);
  const std::uint16_t b_port = b->local_port();
  std::optional<Received> got;
  auto work = [&]() -> asio::awaitable<void> {
    mulenet::ed2k::Identity b_me;
    b_me.kad_running = true;
    b_me.udp_port = b_port;
    const FwCheckUdpReq q{b_port, 0, b->verify_key_for(asio::ip::make_address_v4("127.0.0.1"))};
    const mulenet::proxy::Target to{std::array<std::uint8_t, 4>{127, 0, 0, 1}, listener->local_port()};
    UdpCheckRequest r = co_await request_udp_check(dialer, to, b_me, q, 2s);
    if (r.sent) got = co_await b->wait_for(opcode_is(KADEMLIA2_FIREWALLUDP), 2s);
    a->stop();
    b->stop();
    listener->stop();
  };
  asio::co_spawn(io, work(), asio::detached);
  io.run_for(10s);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->obfuscated);
  EXPECT_TRUE(got->valid_receiver_key);  // keyed with the key b gave
  const auto f = decode_firewall_udp(got->datagram);
  ASSERT_TRUE(f);
  EXPECT_EQ(f.value->error_code, 0);
  EXPECT_EQ(f.value->port_tested, b_port);
  EXPECT_EQ(a->counters().udp_checks_answered, 1u);
}
