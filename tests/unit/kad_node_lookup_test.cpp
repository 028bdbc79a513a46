// Kad node lookups: the bookkeeping (whom to ask, which answers count, when
// it is over) and a real lookup among our own nodes on loopback addresses.
// (Against real amuled: tests/lab/cases/kad_lookup.sh.)
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "kad/kad_node.hpp"
#include "kad/node_lookup.hpp"
#include "kad/node_lookup_state.hpp"

namespace asio = boost::asio;
using namespace mulenet::kad;
using namespace std::chrono_literals;

namespace {

Contact numbered(std::uint8_t n, std::uint32_t ip)
{
  Contact c;
  c.id.wire.fill(0);
  c.id.wire[3] = n;  // the most significant byte of the number
  c.ip = ip;
  c.udp_port = 4672;
  c.version = 8;
  return c;
}

}  // namespace

TEST(NodeLookupState, AsksTheAlphaClosestAndEndsWhenTheClosestAnswered)
{
  const KadId own = numbered(0xFF, 1).id;
  const KadId target = numbered(0x00, 1).id;
  NodeLookupState s(own, target, 2, 2, 64);
  s.seed({numbered(0x40, 0x64400101u), numbered(0x10, 0x64400201u), numbered(0x80, 0x64400301u)});
  auto first = s.next();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id.wire[3], 0x10);  // closest first
  EXPECT_EQ(first[1].id.wire[3], 0x40);
  EXPECT_TRUE(s.next().empty());  // alpha in flight
  // 0x10 lists a closer node, and a duplicate IP that is left out.
  const auto learned = s.answered(first[0].id, {numbered(0x01, 0x64400401u), numbered(0x02, 0x64400101u)}, 11);
  ASSERT_EQ(learned.size(), 1u);
  EXPECT_EQ(learned[0].id.wire[3], 0x01);
  const auto second = s.next();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id.wire[3], 0x01);
  EXPECT_FALSE(s.done());
  s.answered(second[0].id, {}, 11);
  s.failed(first[1].id);  // 0x40 never answered
  EXPECT_TRUE(s.done());  // the two closest (0x01, 0x10) answered
  const auto closest = s.closest_answered(10);
  ASSERT_EQ(closest.size(), 2u);
  EXPECT_EQ(closest[0].id.wire[3], 0x01);
}

TEST(NodeLookupState, IgnoresOverlongAndUnaskedAnswersAndStaysBounded)
{
  NodeLookupState s(numbered(0xFF, 1).id, numbered(0, 1).id, 10, 3, 2);
  s.seed({numbered(0x10, 0x64400101u)});
  const auto asked = s.next();
  ASSERT_EQ(asked.size(), 1u);
  std::vector<Contact> too_many;
  for (std::uint8_t i = 1; i <= 12; ++i) too_many.push_back(numbered(i, 0x64400001u + (i * 256u)));
  EXPECT_TRUE(s.answered(asked[0].id, too_many, 11).empty());           // more than asked for
  EXPECT_TRUE(s.answered(numbered(0x20, 9).id, {numbered(3, 0x64401001u)}, 11).empty());  // never asked
  // Third /24 neighbour is refused as aMule's search does.
  NodeLookupState t(numbered(0xFF, 1).id, numbered(0, 1).id);
  t.seed({numbered(1, 0x64400101u), numbered(2, 0x64400102u), numbered(3, 0x64400103u)});
  EXPECT_EQ(t.candidates().size(), 2u);
  // The query budget ends a lookup.
  NodeLookupState u(numbered(0xFF, 1).id, numbered(0, 1).id, 10, 3, 2);
  u.seed({numbered(1, 0x64400101u), numbered(2, 0x64400201u), numbered(3, 0x64400301u)});
  const auto two = u.next();
  EXPECT_EQ(two.size(), 2u);
  for (const Contact& c : two) u.failed(c.id);
  EXPECT_TRUE(u.next().empty());
  EXPECT_TRUE(u.done());
}

TEST(NodeLookup, FindsNodesThroughAnother)
{
  // Searcher s knows only b (a HELLO exchange: s has b's key, so b answers
  // it in full); b knows c, d, e (proven). A lookup for e's ID reaches e
  // through b, and s's routing table learns them all.
  asio::io_context io;
  std::string error;
  auto start = [&](std::uint8_t n, const char* address) {
    KadNodeOptions o;
    o.id.wire.fill(0);
    o.id.wire[3] = n;
    o.udp_key = 1000u + n;
    o.bind_address = address;
    o.tcp_port = 4662;
    o.accept_lan_contacts = true;
    auto node = KadNode::start(io.get_executor(), o, error);
    EXPECT_TRUE(node) << error;
    return node;
  };
  auto s = start(0xF0, "127.0.0.11");
  auto b = start(0x80, "127.0.0.12");
  auto c = start(0x40, "127.0.0.13");
  auto d = start(0x20, "127.0.0.14");
  auto e = start(0x10, "127.0.0.15");
  ASSERT_TRUE(s && b && c && d && e);
  auto as_contact = [](const KadNode& n, std::uint32_t ip) {
    Contact k;
    k.id = n.id();
    k.ip = ip;
    k.udp_port = n.local_port();
    k.tcp_port = 4662;
    k.version = 8;
    return k;
  };
  for (auto [n, ip] : {std::pair{c, 0x7F00000Du}, std::pair{d, 0x7F00000Eu}, std::pair{e, 0x7F00000Fu}}) {
    b->remember(as_contact(*n, ip), 0, true);
    b->remember(as_contact(*n, ip), 0, true);  // seen again: handed out
  }
  NodeLookupResult result;
  NodeLookupOptions o;
  o.target = e->id();
  o.seeds = {as_contact(*b, 0x7F00000Cu)};
  o.answer_wait = 2s;
  o.lifetime = 8s;
  auto hello_then_lookup = [&]() -> asio::awaitable<NodeLookupResult> {
    const Datagram hello = encode_hello({s->id(), 4662, kKadVersion, {}}, false);
    const asio::ip::udp::endpoint b_at(asio::ip::make_address("127.0.0.12"), b->local_port());
    co_await s->send(b_at, hello, SendKey{b->id(), 0});
    const std::function<bool(const Received&)> is_res = [](const Received& r) {
      return r.datagram.opcode == KADEMLIA2_HELLO_RES;
    };
    co_await s->wait_for(is_res, 2s);
    co_return co_await lookup_nodes(*s, o);
  };
  asio::co_spawn(io, hello_then_lookup(), [&](std::exception_ptr ex, NodeLookupResult r) {
    if (ex) std::rethrow_exception(ex);
    result = std::move(r);
    for (auto* n : {&s, &b, &c, &d, &e}) (*n)->stop();
  });
  io.run_for(15s);
  EXPECT_TRUE(result.completed);
  EXPECT_EQ(result.answers, 4u);
  EXPECT_EQ(result.learned, 3u);
  ASSERT_FALSE(result.closest.empty());
  EXPECT_EQ(result.closest[0].id, e->id());
  EXPECT_EQ(s->table().size(), 4u);
  // b answered with our key in its answer: proven.
  const RoutingEntry* eb = s->table().find(b->id());
  ASSERT_NE(eb, nullptr);
  EXPECT_TRUE(eb->verified);
}
