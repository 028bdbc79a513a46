#include "kad/kad_find.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "kad/bootstrap.hpp"
#include "kad/kad_error.hpp"
#include "kad/kad_node.hpp"
#include "kad/kad_udp_route.hpp"
#include "kad/node_lookup.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// What the lookup noted, with the time since it began; bounded.
struct FindNotes {
  KadFindReport& report;
  Clock::time_point t0 = Clock::now();
  void operator()(const std::string& who, const std::string& said) const
  {
    if (report.evidence.size() < 300)
      report.evidence.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0), who, said});
  }
};

// A node of its own for a lookup: on any free port (aMule may hold the Kad
// port meanwhile), through the proxy's UDP association when there is one.
asio::awaitable<std::shared_ptr<KadNode>> open_lookup_node(const KadFindOptions& o, const FindNotes& note,
                                                           std::string& error, std::error_code& code)
{
  KadNodeOptions no;
  no.id = o.own_id;
  no.udp_key = o.udp_key;
  no.bind_address = o.settings.bind_address;
  no.udp_port = 0;
  const KadUdpRoute route = co_await open_kad_udp_route(o.settings);
  if (!route.error.empty()) {
    error = route.error;
    code = route.code;
    co_return nullptr;
  }
  if (!route.note.empty()) note("", route.note);
  no.udp_relay = route.relay;
  auto node = KadNode::start(co_await asio::this_coro::executor, no, error);
  if (!node) code = KadErrc::udp_port_unavailable;
  co_return node;
}

}  // namespace

asio::awaitable<KadFindReport> find_kad_nodes(KadNode& node, KadFindOptions o)
{
  KadFindReport report;
  const FindNotes note{report};
  for (const NodesDatEntry& e : o.nodes) node.restore(e.contact, e.udp_key, e.key_ip, e.verified);
  if (!o.bootstrap.empty()) {
    if (o.progress) o.progress(fmt::format("asking {} bootstrap node(s) for contacts", o.bootstrap.size()));
    co_await bootstrap_from(node, o.bootstrap, o.answer_wait, note);
  }
  NodeLookupOptions lo;
  lo.target = o.target;
  for (const NodesDatEntry& e : o.nodes) lo.seeds.push_back(e.contact);
  lo.answer_wait = o.answer_wait;
  lo.lifetime = o.lifetime;
  lo.note = [&](const std::string& who, const std::string& said) {
    note(who, said);
    if (o.progress) o.progress(who + ": " + said);
  };
  if (o.progress) o.progress("looking up " + o.target.hex());
  const NodeLookupResult found = co_await lookup_nodes(node, lo);
  report.closest = found.closest;
  report.queries = found.queries;
  report.answers = found.answers;
  report.completed = found.completed;
  report.routing_contacts = node.table().size();
  report.udp_path = node.udp_path();
  if (found.queries == 0) {
    report.error = "no Kad node to ask: give --nodes FILE or --bootstrap IP:PORT";
    report.code = KadErrc::no_nodes;
  } else if (found.answers == 0) {
    report.error = fmt::format("none of the {} Kad nodes asked answered", found.queries);
    report.code = KadErrc::no_answer;
  }
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - note.t0);
  co_return report;
}

asio::awaitable<KadFindReport> find_kad_nodes(KadFindOptions o)
{
  KadFindReport opening;
  std::string error;
  auto node = co_await open_lookup_node(o, FindNotes{opening}, error, opening.code);
  if (!node) {
    opening.error = error;
    co_return opening;
  }
  KadFindReport report = co_await find_kad_nodes(*node, std::move(o));
  node->stop();
  report.evidence.insert(report.evidence.begin(), opening.evidence.begin(), opening.evidence.end());
  co_return report;
}

}  // namespace mulenet::kad
