#include "kad/kad_check.hpp"

#include <map>
#include <memory>
#include <set>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "ed2k/client_listener.hpp"
#include "kad/bootstrap.hpp"
#include "kad/kad_error.hpp"
#include "kad/kad_node.hpp"
#include "kad/kad_udp_route.hpp"
#include "kad/node_lookup.hpp"
#include "kad/udp_check_request.hpp"
#include "net/collect_until.hpp"
#include "net/interface_addresses.hpp"
#include "proxy/proxy_spec.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

udp::endpoint endpoint_of(const Contact& c) { return {asio::ip::address_v4(c.ip), c.udp_port}; }

std::uint32_t ed2k_ip_of_contact(const Contact& c) { return ed2k_ip_of(asio::ip::address_v4(c.ip)); }

// The value two sources agree on, if any.
template <typename T>
std::optional<T> agreed(const std::map<std::uint32_t, T>& by_ip)
{
  std::map<T, int> votes;
  for (const auto& [ip, v] : by_ip)
    if (++votes[v] >= 2) return v;
  return std::nullopt;
}

// One check: the options, what it found, the services it runs and what it
// remembers. Lives in check_kad's frame; the listener's callback borrows it
// until the listener is stopped.
struct Run {
  Run(KadCheckOptions& options, KadCheckReport& out) : o(options), report(out) {}
  KadCheckOptions& o;
  KadCheckReport& report;
  Clock::time_point t0 = Clock::now();
  UnixSeconds started = unix_now();
  CheckerWindows windows;
  CheckerMemory known;    // what decides who is fit: the file, nodes.dat's age, this run
  CheckerMemory learned;  // this run's own notes: what is saved
  bool via_relay = false;           // Kad UDP goes through the SOCKS5 proxy's relay
  std::uint64_t udp_losses_at_start = 0;  // the relay's associations lost before this check
  std::shared_ptr<KadNode> node;                   // borrowed (KadServices)
  std::shared_ptr<ed2k::ClientListener> listener;  // borrowed; null: another program holds our TCP port
  std::shared_ptr<proxy::Dialer> dialer;           // borrowed
  ed2k::ClientListener::Subscription acks;         // our TCP check's ACKs, while the run lives
  ed2k::ClientListener::Subscription hellos;       // the checkers connecting in, while the run lives
  ed2k::Identity me;
  std::set<std::uint32_t> tcp_asked;  // ed2k-order IPs asked to check our TCP port
  std::set<std::uint32_t> acked;      // ed2k-order IPs whose ACK arrived
  // ed2k-order IPs that reached our TCP port: connected in and said Hello, or
  // acknowledged. The connection is the evidence; aMule's ACK follows it by
  // one to two of its once-a-second client ticks, so it is not waited for.
  std::set<std::uint32_t> reached;
  std::vector<Contact> candidates;
  std::set<std::uint32_t> seen_ips;   // Kad order: each candidate once, and never one of ours
  Clock::time_point chosen_at;        // the checkers were fit then; a send to one after that spoils it
  bool save_failed = false;
  // The UDP test runs beside the TCP check, from the moment the TCP
  // checkers' PONGs told our external UDP port (which its request names):
  // this timer expires then, or at the latest when their answers are due.
  std::optional<asio::steady_timer> pongs_in;

  void pongs_done()
  {
    if (pongs_in) pongs_in->expires_at(Clock::time_point::min());
  }

  std::chrono::milliseconds since() const
  {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  }
  UnixSeconds unix_at(Clock::time_point t) const
  {
    return started + std::chrono::duration_cast<std::chrono::seconds>(t - t0).count();
  }
  UnixSeconds now() const { return unix_at(Clock::now()); }
  void note(const std::string& who, std::string said)
  {
    if (report.evidence.size() < 200) report.evidence.push_back({since(), who, std::move(said)});
  }
  void say(const std::string& text) const
  {
    if (o.progress) o.progress(text);
  }
  // What our Kad node sent and received so far, into both memories.
  void take_exchanges()
  {
    if (!node) return;
    for (const auto& [ip, when] : node->udp_exchanges()) {
      known.note_udp_exchange(ip, unix_at(when));
      learned.note_udp_exchange(ip, unix_at(when));
    }
  }
  void take_candidates(const std::vector<Contact>& from)
  {
    for (const Contact& c : from) {
      // Never ourselves: an earlier run's node (behind a NAT its address is not ours here) may be listed.
      if (c.id == o.id || c.version < 6 || c.ip == 0 || c.udp_port == 0 || !seen_ips.insert(c.ip).second) continue;
      candidates.push_back(c);
    }
  }
};

// The memory of earlier runs, and what nodes.dat's age says: aMule writes it
// at its exit, and its flows with those nodes may still be open.
void load_memory(Run& run)
{
  const KadCheckOptions& o = run.o;
  if (!o.memory_path.empty()) {
    ParsedMemory loaded = load_checker_memory(o.memory_path);
    for (const std::string& n : loaded.notes) run.note("", n);
    run.known = std::move(loaded.memory);
    const auto changed = modification_time(o.memory_path);
    if (!loaded.notes.empty() && changed) {
      // Not all of it could be read: any of nodes.dat's nodes may have
      // checked us when a run last wrote the file.
      for (const NodesDatEntry& e : o.nodes) {
        run.known.note_udp_exchange(e.contact.ip, *changed);
        run.known.note_tcp_check(e.contact.ip, *changed, TcpCheckOutcome::silent);
      }
      run.note("", "what the memory file lost is taken as nodes.dat's nodes having checked us when it was last written");
    }
    run.report.memory.path = o.memory_path.string();
    run.report.memory.notes = std::move(loaded.notes);
  }
  const auto written = o.nodes_dat_written;
  if (!written || written == run.known.nodes_dat_written || *written + run.windows.udp_flow.count() <= run.started)
    return;
  for (const NodesDatEntry& e : o.nodes) run.known.note_udp_exchange(e.contact.ip, *written);
  run.note("", fmt::format("nodes.dat was written {} s ago, not by mulenet (by aMule at its exit?): its nodes may still "
                           "have UDP flows open to our port, so none of them is asked for the UDP test",
                           std::max<UnixSeconds>(0, run.started - *written)));
}

// Writes this run's notes so far (merged with what another run wrote
// meanwhile): before each request goes out, so that an interrupted run
// (Ctrl-C) leaves them for the next one, and at the end. Never fatal: after a
// failure it says so once and stops trying.
void persist(Run& run)
{
  if (run.o.memory_path.empty() || run.save_failed) return;
  run.take_exchanges();
  std::string error;
  KadMemoryReport& m = run.report.memory;
  m.written = save_checker_memory(run.o.memory_path, run.learned, run.now(), error, &m.nodes);
  if (m.written) return;
  run.save_failed = true;
  m.notes.push_back("not written: " + error);
  run.note("", "could not remember this check's nodes for the next one: " + error);
}

// The borrowed services into the run: their notes into the evidence, and a
// subscription to the listener for the ACKs of our TCP check (dropped with the run).
void borrow_services(Run& run, KadServices& services)
{
  run.via_relay = services.relay || services.link;
  run.node = services.node;
  run.listener = services.listener;
  run.dialer = services.dialer;
  run.me = services.me;
  run.report.udp_via_proxy = run.via_relay;
  run.report.udp_path = run.node->udp_path();
  run.udp_losses_at_start = run.node->udp_losses();
  for (const std::string& n : services.notes) run.note("", n);
  if (!run.listener) return;
  run.acks = run.listener->subscribe_packets([&run](const std::string& peer_ip, const ed2k::Packet& p) {
    boost::system::error_code ec;
    const auto from = asio::ip::make_address_v4(peer_ip, ec);
    if (ec || p.protocol != kProtoEmule || p.opcode != OP_KAD_FWTCPCHECK_ACK) return;
    if (!run.tcp_asked.contains(ed2k_ip_of(from))) return;
    run.reached.insert(ed2k_ip_of(from));
    if (run.acked.insert(ed2k_ip_of(from)).second)
      run.note(peer_ip, "OP_KAD_FWTCPCHECK_ACK over TCP: it reached our TCP port");
  });
  run.hellos = run.listener->subscribe_hellos([&run](const ed2k::IncomingHello& in) {
    boost::system::error_code ec;
    const auto from = asio::ip::make_address_v4(in.peer_ip, ec);
    if (ec || !run.tcp_asked.contains(ed2k_ip_of(from))) return;
    if (run.reached.insert(ed2k_ip_of(from)).second)
      run.note(in.peer_ip, "connected to our TCP port and said Hello: its check got through");
  });
}

// Contacts: nodes.dat and the bootstrap nodes' answers, one per IP.
asio::awaitable<void> gather_candidates(Run& run)
{
  std::vector<Contact> all;
  for (const NodesDatEntry& e : run.o.nodes) {
    run.node->restore(e.contact, e.udp_key, e.key_ip, e.verified);
    all.push_back(e.contact);
  }
  const BootstrapResult b = co_await bootstrap_from(
      *run.node, run.o.bootstrap, run.o.answer_wait,
      [&run](const std::string& who, const std::string& said) { run.note(who, said); });
  all.insert(all.end(), b.contacts.begin(), b.contacts.end());
  if (!run.o.bootstrap.empty()) run.say(fmt::format("{} Kad contacts from the bootstrap nodes", b.contacts.size()));
  // Our own addresses: a list that names one of them names us (an earlier run).
  for (const std::uint32_t own : net::interface_ipv4_addresses()) run.seen_ips.insert(own);
  run.take_candidates(all);
}

// The checkers, fit by what we remember; too few: a small lookup of our own
// ID finds more (as aMule does to fill its routing table). The lookup asks
// nodes already unfit for the UDP test where it can, so the fit ones stay fit.
asio::awaitable<CheckerChoice> choose(Run& run)
{
  run.take_exchanges();
  CheckerChoice choice =
      choose_checkers(run.candidates, run.known, run.now(), run.windows, run.o.tcp_checkers, run.o.udp_checkers);
  if (!run.o.lookup || run.candidates.empty() ||
      (choice.tcp.size() >= run.o.tcp_checkers && choice.udp.size() >= run.o.udp_checkers))
    co_return choice;
  run.say(fmt::format("{} Kad node(s) known, {} fit to check us: looking up more", run.candidates.size(),
                      std::max(choice.tcp_fit, choice.udp_fit)));
  NodeLookupOptions lo;
  lo.target = run.o.id;
  lo.seeds = run.candidates;
  for (const Contact& c : run.candidates)
    if (udp_fit_at(run.known.find(c.ip), run.windows) <= run.now())
      lo.avoid_ips.insert(c.ip);
  if (lo.avoid_ips.size() == run.candidates.size()) {  // every one is fit: keep only the chosen ones
    lo.avoid_ips.clear();
    for (const Contact& c : choice.udp) lo.avoid_ips.insert(c.ip);
  }
  lo.answer_wait = std::min<std::chrono::milliseconds>(run.o.answer_wait, 3000ms);
  lo.lifetime = 3 * run.o.answer_wait;
  lo.max_queries = 2;
  lo.note = [&run](const std::string& who, const std::string& said) { run.note(who, said); };
  const NodeLookupResult found = co_await lookup_nodes(*run.node, lo);
  run.report.lookup_queries += found.queries;
  std::vector<Contact> learned;
  for (const RoutingEntry& e : run.node->contacts()) learned.push_back(e.contact);
  run.take_candidates(learned);
  run.take_exchanges();
  co_return choose_checkers(run.candidates, run.known, run.now(), run.windows, run.o.tcp_checkers, run.o.udp_checkers);
}

// 1. TCP checks and pings, to the same nodes, all at once: FIREWALLED(2)_REQ
// (each answers FIREWALLED_RES and tries our TCP port) and PING (each tells
// the UDP port it saw).

// What the TCP checkers answered (keyed by the node's ed2k-order IP).
struct TcpAnswers {
  std::map<std::uint32_t, std::uint32_t> seen_ip;    // node -> our IP (Kad order) as it sees it
  std::map<std::uint32_t, std::uint16_t> seen_port;  // node -> our UDP port as it sees it
  std::optional<Clock::time_point> last_answer;      // when the last new FIREWALLED_RES came
};

// The checkers are asked from now on (their ACKs count), each noted as silent
// until we know better, and saved before the requests go out.
void mark_tcp_asked(Run& run, const std::vector<Contact>& checkers)
{
  for (const Contact& c : checkers) {
    run.tcp_asked.insert(ed2k_ip_of_contact(c));
    run.learned.note_tcp_check(c.ip, run.now(), TcpCheckOutcome::silent);  // until we know better
    run.learned.note_udp_exchange(c.ip, run.now());
  }
  persist(run);
}

// FIREWALLED(2)_REQ and PING to each checker.
asio::awaitable<void> send_tcp_requests(Run& run, const std::vector<Contact>& checkers)
{
  const config::Settings& s = run.o.settings;
  for (const Contact& c : checkers) {
    const SendKey key{c.id, 0};
    const Firewalled2Req fw2{s.tcp_port, KadId::from_hash(run.o.user_hash), 0};  // connect options 0: plain TCP
    const Datagram request = c.version >= 7 ? encode_firewalled2_req(fw2) : encode_firewalled_req(s.tcp_port);
    co_await run.node->send(endpoint_of(c), request, key);
    co_await run.node->send(endpoint_of(c), encode_ping(), key);
  }
}

// One datagram of a TCP checker: FIREWALLED_RES (our IP as it sees it), PONG
// (our UDP port as it sees it) or FIREWALLED_ACK_RES (it reached our TCP port).
void take_tcp_answer(Run& run, TcpAnswers& a, const Received& got)
{
  const std::uint32_t from = ed2k_ip_of(got.from.address().to_v4());
  const std::string who = fmt::format("{}:{}", got.from.address().to_string(), got.from.port());
  if (got.datagram.opcode == KADEMLIA_FIREWALLED_RES) {
    if (const auto ip = decode_firewalled_res(got.datagram); ip && !a.seen_ip.contains(from)) {
      a.seen_ip[from] = *ip.value;
      a.last_answer = Clock::now();
      run.note(who, "KADEMLIA_FIREWALLED_RES: it sees us at " + kad_ip_text(*ip.value) + ", now tries our TCP port");
    }
  } else if (got.datagram.opcode == KADEMLIA2_PONG) {
    if (const auto port = decode_pong(got.datagram); port && !a.seen_port.contains(from)) {
      a.seen_port[from] = *port.value;
      run.note(who, fmt::format("KADEMLIA2_PONG: it sees our UDP port as {}", *port.value));
    }
  } else if (run.acked.insert(from).second) {
    run.reached.insert(from);
    run.note(who, "KADEMLIA_FIREWALLED_ACK_RES over UDP: it reached our TCP port");
  }
}

// Until every checker answered (or answer_wait passed), then tcp_wait after
// the last answer for the ACKs; without any answer, answer_wait is all. Two
// checkers that reached our port (connected in, or acknowledged) end it at
// once. Those arrive on the listener, not in the inbox: they are looked at
// every 50 ms (a look is a set's size; the verdict should not wait long).
asio::awaitable<TcpAnswers> collect_tcp_answers(Run& run, KadInbox& inbox, std::size_t asked)
{
  TcpAnswers a;
  const auto answers_until = Clock::now() + run.o.answer_wait;
  const auto deadline = [&]() -> Clock::time_point {
    const bool all_answered = a.seen_ip.size() == asked && a.seen_port.size() == asked;
    if (a.last_answer && (all_answered || Clock::now() >= answers_until)) return *a.last_answer + run.o.tcp_wait;
    return answers_until;
  };
  const auto take = [&](const Received& r) {
    take_tcp_answer(run, a, r);
    // Two that agree tell our external UDP port: the UDP test may start.
    if (const auto port = agreed(a.seen_port)) {
      run.report.external_udp_port = *port;
      run.pongs_done();
    }
    if (a.seen_port.size() == asked) run.pongs_done();
    return net::Collect::more;
  };
  const net::CollectWatch acks{[&run] { return run.reached.size() >= 2; }, 50ms};
  co_await net::collect_until(inbox, deadline, 400, take, acks);
  run.pongs_done();
  co_return a;
}

// What came of each check, for the next run.
void note_tcp_outcomes(Run& run, const std::vector<Contact>& checkers, const TcpAnswers& a)
{
  for (const Contact& c : checkers) {
    const std::uint32_t ip = ed2k_ip_of_contact(c);
    const TcpCheckOutcome outcome = run.reached.contains(ip)  ? TcpCheckOutcome::acked
                                    : a.seen_ip.contains(ip) ? TcpCheckOutcome::no_ack
                                                             : TcpCheckOutcome::silent;
    run.learned.note_tcp_check(c.ip, run.now(), outcome);
    run.known.note_tcp_check(c.ip, run.now(), outcome);
  }
}

// Our public address and UDP port as the checkers saw them.
void report_tcp_answers(Run& run, const TcpAnswers& a)
{
  KadCheckReport& report = run.report;
  report.tcp_acks = run.acked.size();
  report.tcp_reached = run.reached.size();
  report.tcp_answers = a.seen_ip.size();
  if (const auto ip = agreed(a.seen_ip)) report.public_ip = kad_ip_text(*ip);
  else if (a.seen_ip.size() == 1) report.public_ip = kad_ip_text(a.seen_ip.begin()->second);
  // Two that agree; or the only one that answered before two checkers had
  // reached our TCP port (which ends the wait), as with our address above.
  std::optional<std::uint16_t> port = agreed(a.seen_port);
  if (!port && a.seen_port.size() == 1) port = a.seen_port.begin()->second;
  if (port) {
    report.external_udp_port = *port;
    // Through the proxy the nodes see the relay's port: the proxy's doing,
    // not a NAT remapping our port (no forwarding rule would change it).
    report.udp_remapped = *port != run.o.settings.udp_port && !run.via_relay;
  } else if (a.seen_port.size() >= 2) {
    report.udp_port_unstable = true;  // they all saw another port: a NAT that changes it per destination
  }
}

asio::awaitable<TcpCheckEvidence> check_tcp(Run& run, const std::vector<Contact>& checkers)
{
  TcpCheckEvidence ev;
  ev.asked = checkers.size();
  if (checkers.empty()) {
    run.pongs_done();
    co_return ev;
  }
  run.say(fmt::format("asking {} Kad nodes to check our TCP port and tell our UDP port", checkers.size()));
  mark_tcp_asked(run, checkers);
  // Opened before the first request: no answer is lost while we send the others.
  const auto inbox = run.node->open_inbox([&run](const Received& r) {
    return r.from.address().is_v4() && run.tcp_asked.contains(ed2k_ip_of(r.from.address().to_v4())) &&
           (r.datagram.opcode == KADEMLIA_FIREWALLED_RES || r.datagram.opcode == KADEMLIA2_PONG ||
            is_firewalled_ack_res(r.datagram));
  });
  co_await send_tcp_requests(run, checkers);
  const TcpAnswers a = co_await collect_tcp_answers(run, *inbox, checkers.size());
  note_tcp_outcomes(run, checkers, a);
  ev.answered = a.seen_ip.size();
  ev.acked = run.reached.size();
  report_tcp_answers(run, a);
  co_return ev;
}

// One node asked to test our UDP port, over TCP (after the Hello exchange);
// noted as silent until its datagram says better.
asio::awaitable<UdpCheckRequest> ask_udp_checker(Run& run, Contact c)
{
  run.learned.note_udp_check(c.ip, run.now(), UdpCheckOutcome::silent);
  persist(run);
  const auto address = asio::ip::address_v4(c.ip);
  const proxy::Target t{address.to_bytes(), c.tcp_port};
  const FwCheckUdpReq q{run.o.settings.udp_port, run.report.external_udp_port.value_or(0),
                        run.node->verify_key_for(address)};
  const std::chrono::milliseconds timeout = 5s;
  UdpCheckRequest r = co_await request_udp_check(*run.dialer, t, run.me, q, timeout);
  run.note(t.str(), r.sent ? std::string("OP_FWCHECKUDPREQ sent over TCP (after the Hello exchange)")
                           : "UDP check not asked: " + r.error);
  co_return r;
}

// The nodes of one round asked at once: each waits about a second for the
// node's Hello, and one after the other that would add up.
asio::awaitable<std::vector<UdpCheckRequest>> ask_udp_checkers_at_once(Run& run, const std::vector<Contact>& batch)
{
  const auto ex = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(ex, ask_udp_checker(run, batch.front()), asio::deferred));
  std::vector<Op> ops;
  for (const Contact& c : batch) ops.push_back(asio::co_spawn(ex, ask_udp_checker(run, c), asio::deferred));
  auto group = asio::experimental::make_parallel_group(std::move(ops));
  auto [order, errors, requests] =
      co_await group.async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (std::size_t i = 0; i < errors.size(); ++i)
    if (errors[i]) std::rethrow_exception(errors[i]);
  co_return std::move(requests);
}

// Asks the UDP checkers at once (then backups, in place of those that did
// not take the request); returns the requests that were sent (their
// connections stay open until the answers came).
asio::awaitable<std::vector<UdpCheckRequest>> ask_udp_checkers(Run& run, const CheckerChoice& choice,
                                                               std::map<std::uint32_t, Contact>& asked)
{
  std::vector<UdpCheckRequest> open_requests;
  std::vector<Contact> order = choice.udp;
  order.insert(order.end(), choice.udp_backups.begin(), choice.udp_backups.end());
  std::size_t next = 0;
  for (std::size_t round = 0; round < order.size() && asked.size() < choice.udp.size(); ++round) {
    std::vector<Contact> batch;
    while (next < order.size() && asked.size() + batch.size() < choice.udp.size()) {
      const Contact& c = order[next++];
      if (const auto sent = run.node->last_sent_to(c.ip); sent && *sent > run.chosen_at) {
        run.note(kad_ip_text(c.ip), "not asked for the UDP test: our node sent to it during this check");
        continue;
      }
      batch.push_back(c);
    }
    if (batch.empty()) break;
    std::vector<UdpCheckRequest> requests = co_await ask_udp_checkers_at_once(run, batch);
    for (std::size_t i = 0; i < batch.size() && i < requests.size(); ++i) {
      if (!requests[i].sent) continue;
      asked[ed2k_ip_of_contact(batch[i])] = batch[i];
      open_requests.push_back(std::move(requests[i]));
    }
  }
  co_return open_requests;
}

// The nodes whose test datagram counts: the chosen ones and the backups (ed2k order).
std::set<std::uint32_t> udp_senders(const CheckerChoice& choice)
{
  std::set<std::uint32_t> may_answer;
  for (const Contact& c : choice.udp) may_answer.insert(ed2k_ip_of_contact(c));
  for (const Contact& c : choice.udp_backups) may_answer.insert(ed2k_ip_of_contact(c));
  return may_answer;
}

// One KADEMLIA2_FIREWALLUDP: declined ("I know you"), spoiled (our node sent
// to it meanwhile) or arrived for our port, which decides: enough.
net::Collect take_udp_arrival(Run& run, const std::map<std::uint32_t, Contact>& asked,
                              std::map<std::uint32_t, UdpCheckOutcome>& outcome, UdpCheckEvidence& ev,
                              const Received& got)
{
  const config::Settings& s = run.o.settings;
  const std::uint32_t from = ed2k_ip_of(got.from.address().to_v4());
  const auto f = decode_firewall_udp(got.datagram);
  if (!asked.contains(from) || !f) return net::Collect::more;  // not asked after all
  const std::string who = got.from.address().to_string();
  if (f.value->error_code != 0) {
    run.note(who, fmt::format("KADEMLIA2_FIREWALLUDP error {}: it already knows us, test cancelled", f.value->error_code));
    outcome.try_emplace(from, UdpCheckOutcome::declined);
    return net::Collect::more;
  }
  const std::uint16_t port = f.value->port_tested;
  const auto sent = run.node->last_sent_to(asked.at(from).ip);
  if (sent && *sent > run.chosen_at) {
    // We answered it something meanwhile: that flow may have let this in.
    run.note(who, "KADEMLIA2_FIREWALLUDP, but our node had sent to it during the check: it proves nothing");
    ev.spoiled = true;
    return net::Collect::more;
  }
  const std::optional<std::uint16_t> external = run.report.external_udp_port;
  if (port == 0 || (port != s.udp_port && (!external || port != *external))) return net::Collect::more;  // not ours
  outcome[from] = UdpCheckOutcome::arrived;
  run.report.udp_working_port = port;
  run.note(who, fmt::format("KADEMLIA2_FIREWALLUDP for port {}: our UDP port is reachable", port));
  return net::Collect::enough;  // one arrival decides: no need to wait for the others
}

// The test datagrams of the nodes asked, until udp_wait passed or the first
// arrival; what came of each request.
asio::awaitable<std::map<std::uint32_t, UdpCheckOutcome>> collect_udp_arrivals(
    Run& run, KadInbox& inbox, const std::map<std::uint32_t, Contact>& asked, UdpCheckEvidence& ev)
{
  std::map<std::uint32_t, UdpCheckOutcome> outcome;
  if (asked.empty()) co_return outcome;
  const auto until = Clock::now() + run.o.udp_wait;
  const auto take = [&](const Received& r) { return take_udp_arrival(run, asked, outcome, ev, r); };
  co_await net::collect_until(inbox, until, 64, take);
  co_return outcome;
}

// What came of each UDP test, for the next run and this one's choices.
void note_udp_outcomes(Run& run, const std::map<std::uint32_t, Contact>& asked,
                       const std::map<std::uint32_t, UdpCheckOutcome>& outcome, UdpCheckEvidence& ev)
{
  for (const auto& [ip, c] : asked) {
    const auto it = outcome.find(ip);
    const UdpCheckOutcome o = it == outcome.end() ? UdpCheckOutcome::silent : it->second;
    if (o == UdpCheckOutcome::arrived) ++ev.arrived;
    if (o == UdpCheckOutcome::declined) ++ev.declined;
    run.learned.note_udp_check(c.ip, run.now(), o);
    run.known.note_udp_check(c.ip, run.now(), o);
  }
}

// 2. The UDP test, by nodes fit for it (no flow with our port, no recent check).
asio::awaitable<UdpCheckEvidence> check_udp(Run& run, const CheckerChoice& choice)
{
  UdpCheckEvidence ev;
  ev.fit = choice.udp_fit;
  ev.chosen = choice.udp.size();
  if (choice.udp.empty()) co_return ev;
  if (run.o.settings.proxy.enabled && !run.via_relay) {
    // The node sends its test datagram to the address the request came from: the proxy's.
    run.note("", "UDP test not asked: the request would go through the proxy, and the answer to the proxy's address");
    ev.request_via_proxy = true;
    co_return ev;
  }
  co_await run.pongs_in->async_wait(asio::as_tuple(asio::use_awaitable));  // bounded: answer_wait
  run.say(fmt::format("asking {} other Kad nodes to send to our UDP port", choice.udp.size()));
  const std::set<std::uint32_t> may_answer = udp_senders(choice);
  // Opened before the first request: a node answers at once, while we still ask the next.
  const auto inbox = run.node->open_inbox([&may_answer](const Received& r) {
    return r.datagram.opcode == KADEMLIA2_FIREWALLUDP && r.from.address().is_v4() &&
           may_answer.contains(ed2k_ip_of(r.from.address().to_v4()));
  });
  std::map<std::uint32_t, Contact> asked;  // ed2k order -> node
  const std::vector<UdpCheckRequest> requests = co_await ask_udp_checkers(run, choice, asked);  // open until the end
  ev.delivered = asked.size();
  const auto outcome = co_await collect_udp_arrivals(run, *inbox, asked, ev);
  note_udp_outcomes(run, asked, outcome, ev);
  co_return ev;
}

// Both at once: the UDP test starts when the TCP checkers told our UDP port.
asio::awaitable<std::tuple<TcpCheckEvidence, UdpCheckEvidence>> check_tcp_and_udp(Run& run,
                                                                                  const CheckerChoice& choice)
{
  using namespace asio::experimental::awaitable_operators;
  run.pongs_in.emplace(co_await asio::this_coro::executor, Clock::now() + run.o.answer_wait);
  auto both = co_await (check_tcp(run, choice.tcp) && check_udp(run, choice));
  co_return both;
}

// 3. Join: HELLO the TCP checkers twice (the ACK handshake verifies us; the
// second HELLO makes us a "seen alive" contact), then ask each whether it
// lists us. Not part of the verdicts' time.

// One round: HELLO to each checker, then their HELLO_RES until all answered
// or answer_wait passed (noted in the first round).
asio::awaitable<void> hello_round(Run& run, const std::vector<Contact>& checkers, int round)
{
  if (checkers.empty()) co_return;
  const config::Settings& s = run.o.settings;
  std::set<std::uint32_t> ips;
  for (const Contact& c : checkers) ips.insert(ed2k_ip_of_contact(c));
  const auto hello_answers = run.node->open_inbox([&ips](const Received& r) {
    return r.datagram.opcode == KADEMLIA2_HELLO_RES && r.from.address().is_v4() &&
           ips.contains(ed2k_ip_of(r.from.address().to_v4()));
  });
  for (const Contact& c : checkers) {
    const Hello me_hello{run.o.id, s.tcp_port, kKadVersion, hello_tags(std::nullopt, 0)};
    co_await run.node->send(endpoint_of(c), encode_hello(me_hello, false), SendKey{c.id, 0});
    run.learned.note_hello(c.ip, run.now());  // it may keep us as a contact: its UDP test would be declined
  }
  std::set<std::uint32_t> answered;
  const auto take = [&](const Received& got) {
    if (answered.insert(ed2k_ip_of(got.from.address().to_v4())).second && round == 0) {
      const auto h = decode_hello(got.datagram);
      run.note(got.from.address().to_string(), h && h.value->wants_ack()
                                                   ? "KADEMLIA2_HELLO_RES asking for our ACK: sent (it verifies us)"
                                                   : "KADEMLIA2_HELLO_RES");
    }
    return answered.size() >= checkers.size() ? net::Collect::enough : net::Collect::more;
  };
  co_await net::collect_until(*hello_answers, Clock::now() + run.o.answer_wait, 32, take);
}

// Does a node list us now? (aMule lists only verified contacts seen alive.)
// One KADEMLIA2_REQ for our own ID to each, one answer awaited.
asio::awaitable<void> ask_whether_listed(Run& run, const std::vector<Contact>& checkers)
{
  for (const Contact& c : checkers) {
    const Kademlia2Req q{kFindNode, run.o.id, c.id};
    const auto to = endpoint_of(c);
    const auto lists =
        run.node->open_inbox([to](const Received& r) { return r.from == to && r.datagram.opcode == KADEMLIA2_RES; });
    co_await run.node->send(to, encode_kademlia2_req(q), SendKey{c.id, 0});
    const auto got = co_await lists->next(run.o.answer_wait);
    if (!got) continue;
    const auto res = decode_kademlia2_res(got->datagram);
    if (!res) continue;
    for (const Contact& listed : res.value->contacts) {
      if (listed.id != run.o.id) continue;
      ++run.report.verified_by;
      run.note(to.address().to_string(), "KADEMLIA2_RES lists us: it keeps us as a verified contact");
      break;
    }
  }
}

asio::awaitable<void> join(Run& run, const std::vector<Contact>& checkers)
{
  run.say("joining: HELLO with the nodes that checked our TCP port");
  for (int round = 0; round < 2; ++round) co_await hello_round(run, checkers, round);
  co_await ask_whether_listed(run, checkers);
}

// As aMule after its start: a lookup of our own ID, so that the nodes
// closest to us learn of us and we of them (our routing table fills).
asio::awaitable<void> look_up_neighbours(Run& run)
{
  run.say("looking up our own ID (our Kad neighbours)");
  NodeLookupOptions lo;
  lo.target = run.o.id;
  lo.answer_wait = std::min<std::chrono::milliseconds>(run.o.answer_wait, 3000ms);
  lo.lifetime = 3 * run.o.answer_wait;
  const NodeLookupResult found = co_await lookup_nodes(*run.node, lo);
  run.report.lookup_queries += found.queries;
  run.note("", fmt::format("lookup of our own ID: {} nodes asked, {} answered, {} closest to us found", found.queries,
                           found.answers, found.closest.size()));
}

std::optional<std::int64_t> seconds_until(const Run& run, std::optional<UnixSeconds> when)
{
  if (!when) return std::nullopt;
  return std::max<std::int64_t>(1, *when - run.now());
}

void give_verdicts(Run& run, TcpCheckEvidence tcp, UdpCheckEvidence udp, const CheckerChoice& choice)
{
  KadCheckReport& report = run.report;
  tcp.checked_recently = choice.checked_recently;
  tcp.recheck_window = run.windows.recheck;
  tcp.enough_fit_in_s = seconds_until(run, choice.tcp_enough_at);
  udp.flow_recent = choice.udp_flow_recent;
  udp.checked_recently = choice.checked_recently;
  udp.flow_window = run.windows.udp_flow;
  udp.recheck_window = run.windows.recheck;
  udp.enough_fit_in_s = seconds_until(run, choice.udp_enough_at);
  // The proxy closed the association (or the socket went): say so, not "firewalled".
  tcp.port_lost = udp.port_lost = run.node->udp_lost() || run.node->udp_losses() != run.udp_losses_at_start;
  tcp.listening = run.listener != nullptr;
  if (tcp.port_lost)
    run.note("", "our Kad UDP port went away during the check (" + report.udp_path +
                     "): answers after that were lost; the verdicts may be wrong");
  const VerdictWithReason t = decide_tcp(tcp);
  const VerdictWithReason u = decide_udp(udp);
  report.tcp = t.verdict;
  report.tcp_reason = t.reason;
  report.udp = u.verdict;
  report.udp_reason = u.reason;
  if (t.retry_after_s || u.retry_after_s)
    report.retry_after_s = std::max(t.retry_after_s.value_or(0), u.retry_after_s.value_or(0));
  report.tcp_checkers = tcp.asked;
  report.udp_checkers = udp.delivered;
}

asio::awaitable<void> run_check(Run& run)
{
  co_await gather_candidates(run);
  const CheckerChoice choice = co_await choose(run);
  run.chosen_at = Clock::now();
  run.report.contacts = run.candidates.size();
  if (run.candidates.size() < kMinTcpCheckers) {
    run.report.error = fmt::format(
        "only {} usable Kad contact(s): give more with --nodes FILE or --bootstrap IP:PORT", run.candidates.size());
    run.report.code = KadErrc::too_few_contacts;
    co_return;
  }
  if (choice.checked_recently > 0 || choice.udp_flow_recent > 0)
    run.note("", fmt::format("{} of {} known node(s) left out: {} checked us within {} s, {} exchanged UDP with our "
                             "port within {} s (their answers could not tell)",
                             run.candidates.size() - std::max(choice.tcp_fit, choice.udp_fit), run.candidates.size(),
                             choice.checked_recently, run.windows.recheck.count(), choice.udp_flow_recent,
                             run.windows.udp_flow.count()));
  if (choice.udp.empty()) run.note("", "no Kad node fit for the UDP check (it needs nodes with no flow to our port)");
  const auto [tcp, udp] = co_await check_tcp_and_udp(run, choice);
  run.report.elapsed = run.since();
  give_verdicts(run, tcp, udp, choice);
  persist(run);  // what came of each check, before joining (which may be interrupted)
  if (run.o.on_verdicts) run.o.on_verdicts(run.report);
  if (run.o.join && !choice.tcp.empty()) co_await join(run, choice.tcp);
  if (run.o.join && run.o.lookup) co_await look_up_neighbours(run);
}

}  // namespace

asio::awaitable<KadCheckReport> check_kad(KadServices& services, KadCheckOptions o)
{
  KadCheckReport report;
  Run run(o, report);
  borrow_services(run, services);
  run.windows.udp_flow = std::chrono::seconds(o.settings.kad_udp_flow_window_s);
  run.windows.recheck = std::chrono::seconds(o.settings.kad_recheck_window_s);
  load_memory(run);
  co_await run_check(run);
  if (report.elapsed.count() == 0) report.elapsed = run.since();
  if (run.node) report.routing = run.node->contacts();
  persist(run);
  run.acks.reset();
  run.hellos.reset();
  co_return report;
}

asio::awaitable<KadCheckReport> check_kad(KadCheckOptions o)
{
  KadServicesOptions so;
  so.settings = o.settings;
  so.id = o.id;
  so.udp_key = o.udp_key;
  so.user_hash = o.user_hash;
  std::string error;
  std::error_code code;
  auto services = co_await open_kad_services(so, error, code);
  if (!services) {
    KadCheckReport report;
    report.error = error;
    report.code = code;
    co_return report;
  }
  KadCheckReport report = co_await check_kad(*services, std::move(o));
  stop_kad_services(*services);
  co_return report;
}

}  // namespace mulenet::kad
