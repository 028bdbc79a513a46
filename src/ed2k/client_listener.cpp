#include "ed2k/client_listener.hpp"

#include <list>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ed2k/packet_stream.hpp"
#include "net/tcp_listen.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ClientListener::State {
  explicit State(tcp::acceptor a) : acceptor(std::move(a)) {}
  tcp::acceptor acceptor;
  Identity me;
  ListenerLimits limits;
  HelloFn hello_fn;
  PacketFn packet_fn;
  // Borrowers' handlers by subscription number (kept in order of subscribing).
  std::map<std::uint64_t, HelloFn> hello_subscribers;
  std::map<std::uint64_t, PacketFn> packet_subscribers;
  std::uint64_t next_subscription = 1;
  ListenerCounters counters;
  std::list<std::shared_ptr<PacketStream>> open;
  bool stopped = false;
};

namespace {

// Calls every handler of `subscribers` with `args`. A handler may subscribe
// or unsubscribe (itself or others): the numbers are taken first, and each
// is looked up again before its call.
template <typename Fn, typename... Args>
void notify(const std::shared_ptr<ClientListener::State>& state, std::map<std::uint64_t, Fn>& subscribers,
            const Args&... args)
{
  std::vector<std::uint64_t> ids;
  for (const auto& [id, fn] : subscribers) ids.push_back(id);
  for (const std::uint64_t id : ids) {
    if (state->stopped) return;
    const auto it = subscribers.find(id);
    if (it == subscribers.end()) continue;
    const Fn fn = it->second;  // a copy: the handler may unsubscribe itself
    fn(args...);
  }
}

asio::awaitable<void> serve_one(std::shared_ptr<ClientListener::State> state, std::shared_ptr<PacketStream> stream,
                                std::string peer_ip, std::uint16_t peer_port)
{
  const ListenerLimits limits = state->limits;
  ReadOutcome first = co_await stream->read(limits.hello_timeout, limits.max_hello_size, kProtoEmule);
  std::optional<Hello> hello;
  if (first.packet && first.packet->protocol == kProtoEdonkey && first.packet->opcode == OP_HELLO) {
    if (auto d = decode_hello(*first.packet)) hello = std::move(*d.value);
  }
  if (!hello) {  // "asks for something without saying hello", garbage, too slow, too large
    ++state->counters.refused;
    co_return;
  }
  const Packet answer = encode_hello_answer(make_hello(state->me));
  const std::string sent = co_await stream->write(answer, limits.hello_timeout);
  if (!sent.empty()) {
    ++state->counters.refused;
    co_return;
  }
  ++state->counters.hellos_answered;
  // Never after stop(): the owner's callbacks may refer to what is gone then.
  const IncomingHello incoming{peer_ip, peer_port, *hello};
  if (state->hello_fn && !state->stopped) state->hello_fn(incoming);
  notify(state, state->hello_subscribers, incoming);
  // Then listen until the peer leaves or idles out; report what it sends.
  for (int i = 0; i < 1000 && !state->stopped; ++i) {
    ReadOutcome next = co_await stream->read(limits.idle_timeout, limits.max_packet_size, kProtoEmule);
    if (!next.packet) break;
    if (state->packet_fn && !state->stopped) state->packet_fn(peer_ip, *next.packet);
    notify(state, state->packet_subscribers, peer_ip, *next.packet);
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<ClientListener::State> state)
{
  // Bounded like every loop; a listener that accepted a billion connections may stop.
  for (std::uint64_t n = 0; n < 1'000'000'000ULL && !state->stopped; ++n) {
    auto [ec, socket] = co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || state->stopped) co_return;
      continue;  // e.g. too many open files: try again with the next
    }
    ++state->counters.accepted;
    if (state->open.size() >= state->limits.max_connections) {
      ++state->counters.refused;
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    boost::system::error_code pec;
    const tcp::endpoint peer = socket.remote_endpoint(pec);
    auto stream = std::make_shared<PacketStream>(std::move(socket));
    state->open.push_back(stream);
    const auto it = std::prev(state->open.end());
    asio::co_spawn(state->acceptor.get_executor(),
                   serve_one(state, stream, pec ? std::string() : peer.address().to_string(), pec ? 0 : peer.port()),
                   [state, it, stream](std::exception_ptr) {
                     stream->close();
                     if (!state->stopped) state->open.erase(it);
                   });
  }
}

}  // namespace

ClientListener::ClientListener(std::shared_ptr<State> state) : state_(std::move(state)) {}
ClientListener::~ClientListener() { stop(); }

std::shared_ptr<ClientListener> ClientListener::start(asio::any_io_executor executor, const std::string& address,
                                                      std::uint16_t port, Identity me, ListenerLimits limits,
                                                      std::string& error)
{
  const auto ip = net::listen_address(address);
  if (!ip) {
    error = "not an IP address: " + address;
    return nullptr;
  }
  boost::system::error_code ec;
  auto acceptor = net::listen_tcp(executor, tcp::endpoint(*ip, port), asio::socket_base::max_listen_connections, ec);
  if (!acceptor) {
    error = "cannot listen on TCP " + ip->to_string() + ":" + std::to_string(port) + ": " +
            net::listen_failure_text(ec, port);
    return nullptr;
  }
  auto state = std::make_shared<State>(std::move(*acceptor));
  state->me = std::move(me);
  state->limits = limits;
  asio::co_spawn(executor, accept_loop(state), asio::detached);
  return std::make_shared<ClientListener>(state);
}

void ClientListener::on_hello(HelloFn fn) { state_->hello_fn = std::move(fn); }
void ClientListener::on_packet(PacketFn fn) { state_->packet_fn = std::move(fn); }
ListenerCounters ClientListener::counters() const { return state_->counters; }

namespace {

// A handle whose end removes subscription `id` from `map`, if the listener's
// state still exists.
template <typename Fn>
ClientListener::Subscription subscribe(const std::shared_ptr<ClientListener::State>& state,
                                       std::map<std::uint64_t, Fn> ClientListener::State::*map, Fn fn)
{
  const std::uint64_t id = state->next_subscription++;
  ((*state).*map).emplace(id, std::move(fn));
  std::weak_ptr<ClientListener::State> weak = state;
  return ClientListener::Subscription(static_cast<void*>(nullptr), [weak, map, id](void*) {
    if (const auto alive = weak.lock()) ((*alive).*map).erase(id);
  });
}

}  // namespace

ClientListener::Subscription ClientListener::subscribe_hellos(HelloFn fn)
{
  return subscribe(state_, &State::hello_subscribers, std::move(fn));
}

ClientListener::Subscription ClientListener::subscribe_packets(PacketFn fn)
{
  return subscribe(state_, &State::packet_subscribers, std::move(fn));
}

std::uint16_t ClientListener::local_port() const
{
  boost::system::error_code ec;
  const auto endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void ClientListener::stop()
{
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& s : state_->open) s->close();
  state_->open.clear();
}

}  // namespace mulenet::ed2k
