#include "kad/node_lookup.hpp"

#include <map>

#include <fmt/format.h>

#include "kad/kad_node.hpp"
#include "kad/node_lookup_state.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Pending {
  Contact contact;
  udp::endpoint at;
  Clock::time_point deadline;
};

std::string text_of(const udp::endpoint& e) { return fmt::format("{}:{}", e.address().to_string(), e.port()); }

}  // namespace

asio::awaitable<NodeLookupResult> lookup_nodes(KadNode& node, NodeLookupOptions o)
{
  NodeLookupResult result;
  NodeLookupState state(node.id(), o.target, kBucketSize, kLookupAlpha, o.max_queries);
  std::vector<Contact> start = o.seeds;
  for (const RoutingEntry& e : node.table().closest_to(o.target, kBucketSize * 2, false)) start.push_back(e.contact);
  std::erase_if(start, [&](const Contact& c) { return o.avoid_ips.contains(c.ip); });
  state.seed(start);
  const auto note = [&](const udp::endpoint& at, const std::string& said) {
    if (o.note) o.note(text_of(at), said);
  };
  std::map<udp::endpoint, Pending> pending;
  // Opened before the first request: no answer is lost while we send.
  const auto inbox = node.open_inbox([&](const Received& r) {
    return r.datagram.opcode == KADEMLIA2_RES && pending.contains(r.from);
  });
  const auto until = Clock::now() + o.lifetime;
  for (int round = 0; round < 10000 && Clock::now() < until; ++round) {
    for (const Contact& c : state.next()) {
      if (o.avoid_ips.contains(c.ip)) {  // listed by someone, but kept out of this lookup
        state.failed(c.id);
        continue;
      }
      result.asked.push_back(c);
      const udp::endpoint at(asio::ip::address_v4(c.ip), c.udp_port);
      const Kademlia2Req q{kFindNode, o.target, c.id};
      const Datagram ask = encode_kademlia2_req(q);
      // As aMule: obfuscated with the node's ID when it is version >= 6, and
      // with the key it gave us, which proves our address to it (a node that
      // protects itself from amplification answers a proven address in full).
      const RoutingEntry* known = node.table().find(c.id);
      const std::uint32_t their_key = known ? known->udp_key : 0;
      const SendKey key = c.version >= 6 ? SendKey{c.id, their_key} : SendKey::plain();
      pending[at] = Pending{c, at, Clock::now() + o.answer_wait};  // before sending: the answer may be quick
      co_await node.send(at, ask, key);
    }
    if (state.done()) {
      result.completed = state.converged() && result.answers > 0;  // nobody asked: nothing found
      break;
    }
    const auto got = co_await inbox->next(200ms);
    if (got && pending.contains(got->from)) {
      const Pending p = pending[got->from];
      pending.erase(got->from);
      const auto res = decode_kademlia2_res(got->datagram);
      if (!res || res.value->target != o.target) {
        state.failed(p.contact.id);
        note(got->from, "KADEMLIA2_RES not for our lookup: ignored");
      } else {
        ++result.answers;
        const auto learned = state.answered(p.contact.id, res.value->contacts, kLookupWanted);
        result.learned += learned.size();
        note(got->from, fmt::format("KADEMLIA2_RES: {} contacts, {} new", res.value->contacts.size(), learned.size()));
        for (const Contact& c : learned) node.learn(c);
        // It answered: alive; proven when it carried our verify key back.
        node.remember(p.contact, got->sender_verify_key, got->valid_receiver_key);
      }
    }
    const auto now = Clock::now();
    for (auto it = pending.begin(); it != pending.end();) {
      if (now >= it->second.deadline) {
        state.failed(it->second.contact.id);
        note(it->second.at, "no KADEMLIA2_RES");
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
  }
  result.queries = state.queries();
  result.closest = state.closest_answered(kBucketSize);
  co_return result;
}

}  // namespace mulenet::kad
