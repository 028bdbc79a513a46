#include "kad/kad_node.hpp"

#include <algorithm>
#include <deque>
#include <list>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ed2k/hello_probe.hpp"
#include "kad/kad_udp_port.hpp"
#include "kad/udp_obfuscation.hpp"
#include "net/random_bytes.hpp"
#include "net/use_tuple.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using Clock = std::chrono::steady_clock;

namespace {

using net::use_tuple;
constexpr std::size_t kMaxBootstrapContacts = 20;

// aMule's flood limits: requests per minute per source IP and opcode
// (reference §3.3); FIREWALLED and FIREWALLED2 share theirs.
unsigned flood_limit(std::uint8_t opcode)
{
  switch (opcode) {
    case KADEMLIA2_BOOTSTRAP_REQ: return 2;
    case KADEMLIA2_HELLO_REQ: return 3;
    case KADEMLIA2_REQ: return 10;
    case KADEMLIA_FIREWALLED_REQ:
    case KADEMLIA_FIREWALLED2_REQ: return 2;
    case KADEMLIA_FINDBUDDY_REQ: return 2;
    case KADEMLIA_CALLBACK_REQ: return 1;
    case KADEMLIA2_PING: return 2;
    default: return 0;  // not a request: no limit
  }
}

struct Waiter {
  std::function<bool(const Received&)> match;
  std::optional<Received> got;
  asio::steady_timer* timer = nullptr;
};

}  // namespace

constexpr std::size_t kMaxTcpChecksInFlight = 4;
constexpr std::size_t kBanFactor = 5;
constexpr auto kBanTime = std::chrono::hours(2);
constexpr auto kTrackedRequestTime = std::chrono::seconds(180);  // aMule's response tracking
constexpr std::size_t kMaxInboxQueue = 256;
constexpr std::size_t kMaxExchangeLog = 8192;

struct KadInbox::State {
  std::function<bool(const Received&)> match;
  std::deque<Received> queue;
  asio::steady_timer* waiting = nullptr;
  bool closed = false;
  std::function<void()> unregister;
};

struct KadNode::State {
  explicit State(std::unique_ptr<KadUdpPort> p) : port(std::move(p)) {}
  std::unique_ptr<KadUdpPort> port;
  KadNodeOptions options;
  KadNodeCounters counters;
  std::list<Waiter*> waiters;
  std::list<std::weak_ptr<KadInbox::State>> inboxes;
  std::map<std::pair<std::uint32_t, std::uint8_t>, std::vector<Clock::time_point>> requests;  // flood accounting
  std::map<std::uint32_t, Clock::time_point> banned;  // Kad-order IP -> until when
  std::map<std::uint32_t, Clock::time_point> hello_sent;  // Kad-order IP -> when we sent it a HELLO_REQ
  std::map<std::uint32_t, Clock::time_point> udp_exchanges;  // Kad-order IP -> last datagram either way
  std::map<std::uint32_t, Clock::time_point> udp_sent;       // Kad-order IP -> last datagram we sent it
  RoutingTable table{KadId{}};
  std::size_t tcp_checks_in_flight = 0;
  bool stopped = false;
  bool port_closed = false;  // the socket or the proxy's association is gone
};

std::uint32_t ed2k_ip_of(const asio::ip::address_v4& a) { return ed2k::ed2k_order(a.to_bytes()); }

std::uint32_t kad_ip_of(const asio::ip::address_v4& a) { return a.to_uint(); }

namespace {

// aMule's flood protection: over the limit, dropped; over 5x the limit in
// a minute, the address is banned for 2 hours (everything from it dropped).
bool over_flood_limit(KadNode::State& st, std::uint32_t ip, std::uint8_t opcode)
{
  const auto now = Clock::now();
  if (const auto ban = st.banned.find(ip); ban != st.banned.end()) {
    if (now < ban->second) return true;
    st.banned.erase(ban);
  }
  const unsigned limit = flood_limit(opcode == KADEMLIA_FIREWALLED2_REQ ? KADEMLIA_FIREWALLED_REQ : opcode);
  if (limit == 0) return false;
  const auto key = std::pair{ip, opcode == KADEMLIA_FIREWALLED2_REQ ? KADEMLIA_FIREWALLED_REQ : opcode};
  // Bounded memory against address floods (before any reference into the map is taken).
  if (st.requests.size() >= 10000 && !st.requests.contains(key)) st.requests.clear();
  auto& times = st.requests[key];
  std::erase_if(times, [&](const Clock::time_point t) { return now - t > std::chrono::minutes(1); });
  times.push_back(now);  // every attempt counts towards the ban, the dropped ones too
  if (times.size() > kBanFactor * limit) {
    if (st.banned.size() < 10000) st.banned[ip] = now + kBanTime;
    return true;
  }
  return times.size() > limit;
}

Bytes wire_for(const KadNode::State& st, const udp::endpoint& to, const Datagram& d, const SendKey& key)
{
  const Bytes plain = encode_datagram(d);
  if (!key.node_id && key.receiver_verify_key == 0) return plain;
  ObfuscationParams p;
  p.receiver_verify_key = key.receiver_verify_key;
  p.sender_verify_key = to.address().is_v4() ? verify_key(st.options.udp_key, ed2k_ip_of(to.address().to_v4())) : 0;
  std::array<std::uint8_t, 3> random{};
  if (!net::random_bytes(random.data(), random.size())) random = {};  // the obfuscation's filler: zeros decode too
  p.random = {random[0], random[1]};
  p.marker_random = random[2];
  if (key.node_id) return obfuscate(plain, ObfuscationKey{*key.node_id}, p);
  return obfuscate(plain, ObfuscationKey{key.receiver_verify_key}, p);
}

// Every address our port sent to or heard from: a firewall or NAT may keep
// that flow open for minutes, so its datagrams prove nothing about the port
// (the UDP test must come from elsewhere). Bounded: the oldest go first.
void note_in(std::map<std::uint32_t, Clock::time_point>& log, std::uint32_t ip)
{
  if (log.size() >= kMaxExchangeLog && !log.contains(ip)) {
    const auto oldest = std::min_element(log.begin(), log.end(), [](const auto& a, const auto& b) {
      return a.second < b.second;
    });
    log.erase(oldest);
  }
  log[ip] = Clock::now();
}

// Received or answered: an exchange.
void note_exchange(KadNode::State& st, const udp::endpoint& peer)
{
  if (peer.address().is_v4()) note_in(st.udp_exchanges, kad_ip_of(peer.address().to_v4()));
}

// Sent on our own initiative (a request, a UDP test for another node): the
// datagram that opens a flow through a closed port for the peer's answers.
// Kept apart, so that a flood of forged senders never pushes out the
// addresses we talked to first. (An answer needs their datagram to have come
// in first, which a closed port does not let happen without such a flow.)
void note_sent(KadNode::State& st, const udp::endpoint& peer)
{
  if (!peer.address().is_v4()) return;
  note_in(st.udp_sent, kad_ip_of(peer.address().to_v4()));
  note_in(st.udp_exchanges, kad_ip_of(peer.address().to_v4()));
}

asio::awaitable<void> send_raw(KadNode::State& st, udp::endpoint to, Bytes bytes)
{
  note_exchange(st, to);
  co_await st.port->send_to(to, bytes);
}

std::vector<Contact> contacts_of(const std::vector<RoutingEntry>& entries)
{
  std::vector<Contact> out;
  out.reserve(entries.size());
  for (const RoutingEntry& e : entries) out.push_back(e.contact);
  return out;
}

// Another node's TCP check (reference §2.4): connect to its TCP port, say
// Hello, and acknowledge over TCP (OP_KAD_FWTCPCHECK_ACK) when its Hello
// announces Kad version >= 7, else over UDP (KADEMLIA_FIREWALLED_ACK_RES).
asio::awaitable<void> do_tcp_check(std::shared_ptr<KadNode::State> st, udp::endpoint kad_peer, std::uint16_t tcp_port)
{
  using namespace std::chrono_literals;
  auto& o = st->options;
  const proxy::Target target{kad_peer.address().to_v4().to_bytes(), tcp_port};
  proxy::DialResult dial = co_await o.dialer->connect(target, proxy::TrafficKind::client_tcp);
  bool acked = false;
  if (dial.ok()) {
    ed2k::PacketStream stream(std::move(*dial.socket), std::move(dial.early_bytes));
    ed2k::Identity me;
    me.user_hash = o.user_hash;
    me.tcp_port = o.tcp_port;
    me.udp_port = o.udp_port;
    me.kad_running = true;
    const auto theirs = co_await ed2k::exchange_hellos(stream, me, 5s);
    if (theirs && theirs.value->kad_version() >= 7) {
      const ed2k::Packet ack{kProtoEmule, OP_KAD_FWTCPCHECK_ACK, {}};
      acked = (co_await stream.write(ack, 5s)).empty();
    } else if (theirs) {
      const Datagram ack = encode_firewalled_ack_res();
      const SendKey plain = SendKey::plain();
      co_await send_raw(*st, kad_peer, wire_for(*st, kad_peer, ack, plain));
      acked = true;
    }
    // A moment for the ACK to arrive before the connection closes.
    asio::steady_timer linger(stream.socket().get_executor(), 500ms);
    co_await linger.async_wait(use_tuple);
    stream.close();
  }
  ++(acked ? st->counters.tcp_checks_done : st->counters.tcp_checks_failed);
  --st->tcp_checks_in_flight;
}

// The answer we owe to a request, if any.
asio::awaitable<void> answer(std::shared_ptr<KadNode::State> st, Received r)
{
  const auto& d = r.datagram;
  if (d.protocol != kProtoKad || !r.from.address().is_v4()) co_return;
  const auto ip = r.from.address().to_v4();
  // Answers go back with the key the requester gave us; plain if it gave none.
  const SendKey reply{std::nullopt, r.sender_verify_key};
  std::optional<Datagram> out;
  SendKey how = reply;
  switch (d.opcode) {
    case KADEMLIA2_PING: out = encode_pong(r.from.port()); break;
    case KADEMLIA2_BOOTSTRAP_REQ:
      out = encode_bootstrap_res({st->options.id, st->options.tcp_port, kKadVersion,
                                  contacts_of(st->table.bootstrap_contacts(kMaxBootstrapContacts))});
      break;
    case KADEMLIA2_HELLO_REQ: {
      const auto hello = decode_hello(d);
      if (!hello || hello.value->version < 2) break;
      const std::uint16_t port = hello.value->source_udp_port().value_or(r.from.port());
      // As aMule: a node that says its UDP is firewalled is not a routing contact.
      if (!hello.value->udp_firewalled())
        st->table.add(Contact{hello.value->id, kad_ip_of(ip), port, hello.value->tcp_port, hello.value->version},
                      r.sender_verify_key, r.valid_receiver_key, Clock::now());
      out = encode_hello({st->options.id, st->options.tcp_port, kKadVersion, {}}, true);
      // As aMule: a HELLO_RES to a version >= 6 node is obfuscated with its ID.
      if (hello.value->version >= 6) how = SendKey{hello.value->id, r.sender_verify_key};
      break;
    }
    case KADEMLIA2_HELLO_RES: {
      // Our HELLO_REQ's answer. A node that asks for an ACK gets one, keyed
      // with the verify key it gave us: that is what makes it mark us verified.
      // As aMule, an answer to nothing we asked (within 180 s) is ignored.
      const auto asked = st->hello_sent.find(kad_ip_of(ip));
      if (asked == st->hello_sent.end() || Clock::now() - asked->second > kTrackedRequestTime) break;
      const auto hello = decode_hello(d);
      if (!hello) break;
      if (!hello.value->udp_firewalled())
        st->table.add(Contact{hello.value->id, kad_ip_of(ip), r.from.port(), hello.value->tcp_port,
                              hello.value->version},
                      r.sender_verify_key, r.valid_receiver_key, Clock::now());
      if (!hello.value->wants_ack() || r.sender_verify_key == 0) break;
      out = encode_hello_res_ack(st->options.id);
      how = SendKey{std::nullopt, r.sender_verify_key};
      break;
    }
    case KADEMLIA2_REQ: {
      const auto q = decode_kademlia2_req(d);
      if (!q || q.value->receiver != st->options.id) break;
      // As aMule: only contacts whose address is proven and seen alive again.
      out = encode_kademlia2_res(
          {q.value->target, contacts_of(st->table.closest_to(q.value->target, q.value->type & 0x1Fu, true))});
      break;
    }
    case KADEMLIA_FIREWALLED_REQ:
    case KADEMLIA_FIREWALLED2_REQ: {
      // The address we see them at, then (as aMule) their TCP check.
      std::optional<std::uint16_t> tcp_port;
      if (d.opcode == KADEMLIA_FIREWALLED_REQ) {
        if (auto q = decode_firewalled_req(d)) tcp_port = *q.value;
      } else if (auto q2 = decode_firewalled2_req(d)) {
        tcp_port = q2.value->tcp_port;
      }
      if (!tcp_port) break;
      out = encode_firewalled_res(kad_ip_of(ip));
      if (st->options.dialer && *tcp_port != 0 && st->tcp_checks_in_flight < kMaxTcpChecksInFlight) {
        ++st->tcp_checks_in_flight;
        asio::co_spawn(st->port->executor(), do_tcp_check(st, r.from, *tcp_port), asio::detached);
      }
      break;
    }
    case KADEMLIA2_HELLO_RES_ACK: {
      // It gave back our key: its address is proven (aMule ignores a plain ACK).
      if (!r.valid_receiver_key) break;
      if (const auto id = decode_hello_res_ack(d)) st->table.mark_verified(*id.value, kad_ip_of(ip));
      break;
    }
    default: break;
  }
  if (!out) co_return;
  Bytes bytes = wire_for(*st, r.from, *out, how);
  if (!r.valid_receiver_key) {
    // An unproven address: lists are cut to fit, anything else too large is not sent.
    const std::size_t budget = r.wire_size + kUnverifiedAnswerSlack;
    for (int i = 0; i < 64 && bytes.size() > budget; ++i) {
      if (out->opcode == KADEMLIA2_BOOTSTRAP_RES || out->opcode == KADEMLIA2_RES) {
        const bool bootstrap = out->opcode == KADEMLIA2_BOOTSTRAP_RES;
        const std::size_t fixed = bootstrap ? 21 : 17;
        if (out->payload.size() <= fixed) break;
        out->payload.resize(out->payload.size() - kContactSize);
        const std::size_t count = (out->payload.size() - fixed) / kContactSize;
        if (bootstrap) {
          out->payload[19] = static_cast<std::uint8_t>(count & 0xFF);
          out->payload[20] = static_cast<std::uint8_t>(count >> 8);
        } else {
          out->payload[16] = static_cast<std::uint8_t>(count);
        }
        bytes = wire_for(*st, r.from, *out, how);
        ++st->counters.trimmed_unverified;
      } else {
        break;
      }
    }
    if (bytes.size() > budget) {
      ++st->counters.trimmed_unverified;
      co_return;
    }
  }
  ++st->counters.answered;
  co_await send_raw(*st, r.from, std::move(bytes));
}

asio::awaitable<void> receive_loop(std::shared_ptr<KadNode::State> st)
{
  std::vector<std::uint8_t> buffer(kMaxDatagram);
  for (std::uint64_t n = 0; n < 1'000'000'000ULL && !st->stopped; ++n) {
    const KadUdpPort::Incoming in = co_await st->port->receive(buffer);
    if (in.closed || st->stopped) {
      st->port_closed = true;
      co_return;
    }
    const udp::endpoint from = in.from;
    const std::size_t size = in.size;
    ++st->counters.received;
    if (size < 2 || from.port() == 0 || !from.address().is_v4()) continue;
    note_exchange(*st, from);
    const ByteView bytes(buffer.data(), size);
    Received r;
    r.from = from;
    r.wire_size = size;
    Bytes plain;
    if (looks_plain(bytes)) {
      plain.assign(bytes.begin(), bytes.end());
    } else {
      const std::uint32_t ours = verify_key(st->options.udp_key, ed2k_ip_of(from.address().to_v4()));
      auto d = deobfuscate(bytes, st->options.id, ours);
      if (!d) {
        ++st->counters.dropped_malformed;
        continue;
      }
      r.obfuscated = true;
      r.sender_verify_key = d->sender_verify_key;
      r.valid_receiver_key = d->receiver_verify_key == ours;
      plain = std::move(d->plain);
    }
    auto decoded = decode_datagram(plain);
    if (!decoded.datagram) {
      ++st->counters.dropped_malformed;
      continue;
    }
    r.datagram = std::move(*decoded.datagram);
    if (over_flood_limit(*st, kad_ip_of(from.address().to_v4()), r.datagram.opcode)) {
      ++st->counters.dropped_flood;
      continue;
    }
    if (st->stopped) co_return;
    for (auto it = st->inboxes.begin(); it != st->inboxes.end();) {
      const auto inbox = it->lock();
      if (!inbox) {
        it = st->inboxes.erase(it);
        continue;
      }
      if (inbox->match(r)) {
        if (inbox->queue.size() >= kMaxInboxQueue) inbox->queue.pop_front();
        inbox->queue.push_back(r);
        if (inbox->waiting) inbox->waiting->cancel();
      }
      ++it;
    }
    for (Waiter* w : st->waiters) {
      if (!w->got && w->match(r)) {
        w->got = r;
        w->timer->cancel();
        break;
      }
    }
    co_await answer(st, std::move(r));
  }
}

}  // namespace

KadNode::KadNode(std::shared_ptr<State> state) : state_(std::move(state)) {}
KadNode::~KadNode() { stop(); }

std::shared_ptr<KadNode> KadNode::start(asio::any_io_executor executor, KadNodeOptions options, std::string& error)
{
  boost::system::error_code ec;
  const auto address = options.bind_address.empty() ? asio::ip::address(asio::ip::address_v4::any())
                                                     : asio::ip::make_address(options.bind_address, ec);
  if (ec) {
    error = "not an IP address: " + options.bind_address;
    return nullptr;
  }
  std::unique_ptr<KadUdpPort> port = options.udp_link    ? KadUdpPort::through_link(executor, options.udp_link)
                                     : options.udp_relay ? KadUdpPort::through(executor, options.udp_relay)
                                                         : KadUdpPort::bind(executor, address, options.udp_port, error);
  if (!port) return nullptr;
  auto st = std::make_shared<State>(std::move(port));
  st->table = RoutingTable(options.id, options.accept_lan_contacts);
  st->options = std::move(options);
  asio::co_spawn(executor, receive_loop(st), asio::detached);
  return std::make_shared<KadNode>(st);
}

std::map<std::uint32_t, std::chrono::steady_clock::time_point> KadNode::udp_exchanges() const
{
  auto all = state_->udp_exchanges;
  for (const auto& [ip, when] : state_->udp_sent) all[ip] = std::max(all[ip], when);
  return all;
}

std::optional<std::chrono::steady_clock::time_point> KadNode::last_sent_to(std::uint32_t kad_ip) const
{
  const auto it = state_->udp_sent.find(kad_ip);
  if (it == state_->udp_sent.end()) return std::nullopt;
  return it->second;
}

asio::awaitable<std::error_code> KadNode::send(udp::endpoint to, const Datagram& d, SendKey key)
{
  if (d.protocol == kProtoKad && d.opcode == KADEMLIA2_HELLO_REQ && to.address().is_v4()) {
    auto& sent = state_->hello_sent;
    if (sent.size() >= 4096) {
      const auto now = Clock::now();
      std::erase_if(sent, [&](const auto& kv) { return now - kv.second > kTrackedRequestTime; });
      if (sent.size() >= 4096) sent.clear();
    }
    sent[kad_ip_of(to.address().to_v4())] = Clock::now();
  }
  const Bytes bytes = wire_for(*state_, to, d, key);
  note_sent(*state_, to);
  co_return co_await state_->port->send_to(to, bytes);
}

asio::awaitable<std::optional<Received>> KadNode::wait_for(std::function<bool(const Received&)> match,
                                                          std::chrono::milliseconds timeout)
{
  asio::steady_timer timer(state_->port->executor(), timeout);
  Waiter w{std::move(match), std::nullopt, &timer};
  state_->waiters.push_back(&w);
  co_await timer.async_wait(use_tuple);
  state_->waiters.remove(&w);
  co_return std::move(w.got);
}

std::unique_ptr<KadInbox> KadNode::open_inbox(std::function<bool(const Received&)> match)
{
  auto inbox = std::make_shared<KadInbox::State>();
  inbox->match = std::move(match);
  inbox->closed = state_->stopped;
  state_->inboxes.push_back(inbox);
  return std::make_unique<KadInbox>(inbox);
}

KadInbox::KadInbox(std::shared_ptr<State> state) : state_(std::move(state)) {}

KadInbox::~KadInbox()
{
  state_->closed = true;
  if (state_->waiting) state_->waiting->cancel();
}

asio::awaitable<std::optional<Received>> KadInbox::next(std::chrono::milliseconds timeout)
{
  if (state_->queue.empty() && !state_->closed) {
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    state_->waiting = &timer;
    co_await timer.async_wait(use_tuple);
    state_->waiting = nullptr;
  }
  if (state_->queue.empty()) co_return std::nullopt;
  Received r = std::move(state_->queue.front());
  state_->queue.pop_front();
  co_return r;
}

std::uint16_t KadNode::local_port() const
{
  return state_->port->local_port();
}

const KadId& KadNode::id() const { return state_->options.id; }

std::uint32_t KadNode::verify_key_for(const asio::ip::address_v4& peer) const
{
  return verify_key(state_->options.udp_key, ed2k_ip_of(peer));
}

KadNodeCounters KadNode::counters() const { return state_->counters; }

std::string KadNode::udp_path() const { return state_->port->path(); }

bool KadNode::udp_lost() const { return state_->port_closed && !state_->stopped; }

std::uint64_t KadNode::udp_losses() const { return state_->port->losses(); }

std::vector<RoutingEntry> KadNode::contacts() const { return state_->table.all(); }

const RoutingTable& KadNode::table() const { return state_->table; }

std::vector<RoutingEntry> KadNode::table_upkeep(Clock::time_point now, std::size_t& removed)
{
  return state_->table.upkeep(now, removed);
}

AddOutcome KadNode::remember(const Contact& c, std::uint32_t their_key, bool verified)
{
  return state_->table.add(c, their_key, verified, Clock::now());
}

AddOutcome KadNode::learn(const Contact& c) { return state_->table.add_listed(c, Clock::now()); }

AddOutcome KadNode::restore(const Contact& c, std::uint32_t their_key, std::uint32_t key_ip, bool verified)
{
  return state_->table.add_saved(c, their_key, key_ip, verified, Clock::now());
}

void KadNode::answer_udp_check(const asio::ip::address_v4& peer, const FwCheckUdpReq& q)
{
  if (state_->stopped || q.internal_port == 0) return;  // internal port 0: no answer, as aMule
  const bool known = state_->table.knows_ip(kad_ip_of(peer));
  std::vector<std::uint16_t> ports{q.internal_port};
  if (q.external_port != 0 && q.external_port != q.internal_port) ports.push_back(q.external_port);
  auto st = state_;
  auto send_all = [](std::shared_ptr<State> s, asio::ip::address_v4 to, std::vector<std::uint16_t> targets,
                     std::uint32_t key, std::uint8_t error) -> asio::awaitable<void> {
    for (const std::uint16_t port : targets) {
      const udp::endpoint at(to, port);
      const Datagram answer = encode_firewall_udp({error, port});
      const SendKey with_their_key{std::nullopt, key};
      note_sent(*s, at);  // to a port it named, not in answer to a datagram of its own
      co_await send_raw(*s, at, wire_for(*s, at, answer, with_their_key));
    }
  };
  ++state_->counters.udp_checks_answered;
  asio::co_spawn(state_->port->executor(), send_all(st, peer, ports, q.sender_verify_key, known ? 1 : 0),
                 asio::detached);
}

void KadNode::stop()
{
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  state_->port->close();
  for (Waiter* w : state_->waiters) w->timer->cancel();
  for (const auto& weak : state_->inboxes) {
    if (const auto inbox = weak.lock()) {
      inbox->closed = true;
      if (inbox->waiting) inbox->waiting->cancel();
    }
  }
}

}  // namespace mulenet::kad
