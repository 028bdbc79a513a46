#include "kad/routing_keeper.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "kad/kad_messages.hpp"
#include "kad/kad_node.hpp"
#include "kad/node_lookup.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct RoutingKeeper::State {
  State(asio::any_io_executor ex, std::shared_ptr<KadNode> n, RoutingKeeperOptions o)
      : node(std::move(n)), options(std::move(o)), wake(ex)
  {
  }
  std::shared_ptr<KadNode> node;
  RoutingKeeperOptions options;
  asio::steady_timer wake;
  bool stopped = false;
  RoutingKeeperCounters counters;
};

namespace {

// Rounds are bounded: a keeper that ran for centuries would stop.
constexpr std::size_t kMaxRounds = 100'000'000;

asio::awaitable<void> hello_due_contacts(RoutingKeeper::State& st)
{
  std::size_t removed = 0;
  const std::vector<RoutingEntry> due = st.node->table_upkeep(Clock::now(), removed);
  st.counters.removed += removed;
  const std::uint8_t misc = st.options.misc_options ? st.options.misc_options() : 0;
  const Hello me{st.node->id(), st.options.tcp_port, kKadVersion, hello_tags(std::nullopt, misc)};
  const Datagram hello = encode_hello(me, false);
  for (const RoutingEntry& e : due) {
    if (st.stopped) co_return;
    const SendKey key = e.contact.version >= 6 ? SendKey{e.contact.id, e.udp_key} : SendKey::plain();
    const asio::ip::udp::endpoint to(asio::ip::address_v4(e.contact.ip), e.contact.udp_port);
    if (!co_await st.node->send(to, hello, key)) ++st.counters.hellos_sent;
  }
}

asio::awaitable<void> look_up_ourselves(RoutingKeeper::State& st)
{
  NodeLookupOptions o;
  o.target = st.node->id();
  co_await lookup_nodes(*st.node, o);
  ++st.counters.self_lookups;
}

asio::awaitable<void> keep(std::shared_ptr<RoutingKeeper::State> st)
{
  const auto rounds_per_lookup =
      std::max<std::size_t>(1, static_cast<std::size_t>(st->options.self_lookup_every / st->options.round_every));
  for (std::size_t round = 1; round < kMaxRounds && !st->stopped; ++round) {
    st->wake.expires_after(st->options.round_every);
    co_await st->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (st->stopped) break;
    co_await hello_due_contacts(*st);
    if (st->stopped) break;
    if (round % rounds_per_lookup == 3 % rounds_per_lookup) co_await look_up_ourselves(*st);
    if (st->stopped) break;
    ++st->counters.rounds;
    if (st->options.on_round) st->options.on_round(st->node->table().size());
  }
}

}  // namespace

std::shared_ptr<RoutingKeeper> RoutingKeeper::start(asio::any_io_executor executor, std::shared_ptr<KadNode> node,
                                                    RoutingKeeperOptions options)
{
  if (options.round_every.count() <= 0) options.round_every = std::chrono::seconds(60);
  auto st = std::make_shared<State>(executor, std::move(node), std::move(options));
  asio::co_spawn(executor, keep(st), asio::detached);
  return std::make_shared<RoutingKeeper>(st);
}

RoutingKeeper::RoutingKeeper(std::shared_ptr<State> state) : state_(std::move(state)) {}
RoutingKeeper::~RoutingKeeper() { stop(); }

void RoutingKeeper::stop()
{
  state_->stopped = true;
  state_->wake.cancel();
}

RoutingKeeperCounters RoutingKeeper::counters() const { return state_->counters; }

}  // namespace mulenet::kad
