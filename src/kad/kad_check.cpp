#include "kad/kad_check.hpp"

#include <map>
#include <set>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "ed2k/client_listener.hpp"
#include "kad/bootstrap.hpp"
#include "kad/kad_node.hpp"
#include "kad/node_lookup.hpp"
#include "kad/udp_check_request.hpp"
#include "net/interface_addresses.hpp"
#include "proxy/proxy_spec.hpp"
#include "kad/kad_udp_route.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  KadCheckOptions& o;
  KadCheckReport& report;
  Clock::time_point t0 = Clock::now();

  std::chrono::milliseconds since() const
  {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  }
  void note(const std::string& node, std::string said)
  {
    if (report.evidence.size() < 200) report.evidence.push_back({since(), node, std::move(said)});
  }
  void say(const std::string& text) const
  {
    if (o.progress) o.progress(text);
  }
};

udp::endpoint endpoint_of(const Contact& c)
{
  return {asio::ip::address_v4(c.ip), c.udp_port};
}

// The value two sources agree on, if any.
template <typename T>
std::optional<T> agreed(const std::map<std::uint32_t, T>& by_ip)
{
  std::map<T, int> votes;
  for (const auto& [ip, v] : by_ip)
    if (++votes[v] >= 2) return v;
  return std::nullopt;
}

}  // namespace

asio::awaitable<KadCheckReport> check_kad(KadCheckOptions o)
{
  KadCheckReport report;
  Run run{o, report};
  const auto executor = co_await asio::this_coro::executor;
  const config::Settings& s = o.settings;
  if (!s.udp_enabled) {
    report.error = "the Kad/extended UDP port is disabled (/eMule/UDPEnable=0): Kad cannot run";
    co_return report;
  }
  // Kad UDP follows the Proxy page: through a SOCKS5 proxy's UDP
  // association; direct with another proxy type (said: it leaks our
  // address); refused in strict mode when it cannot go through the proxy.
  if (s.proxy.enabled) run.say("choosing the way for Kad UDP (the proxy settings)");
  KadUdpRoute route = co_await open_kad_udp_route(s);
  if (!route.error.empty()) {
    report.error = route.error;
    co_return report;
  }
  if (!route.note.empty()) run.note("", route.note);
  const std::shared_ptr<proxy::Socks5UdpAssociation> relay = route.relay;
  report.udp_via_proxy = relay != nullptr;
  // Our node on the Kad UDP port, and the TCP listener the TCP checks connect to.
  // Our node on the Kad UDP port, and the TCP listener the TCP checks connect to.
  std::string error;
  KadNodeOptions node_options;
  node_options.id = o.id;
  node_options.udp_key = o.udp_key;
  node_options.bind_address = s.bind_address;
  node_options.udp_port = s.udp_port;
  node_options.tcp_port = s.tcp_port;
  node_options.user_hash = o.user_hash;
  node_options.udp_relay = relay;
  // Nodes that ask us to check their TCP port get it done, as aMule does.
  node_options.dialer = std::make_shared<proxy::Dialer>(executor, proxy::proxy_from_settings(s.proxy), s.proxy.strict);
  auto node = KadNode::start(executor, node_options, error);
  if (!node) {
    report.error = error + " (is aMule running? its Kad uses that port)";
    co_return report;
  }
  report.udp_path = node->udp_path();
  if (relay) {
    run.note("", "Kad UDP goes " + report.udp_path +
                     ": the nodes see the proxy's address and the relay's port, and connect back to the proxy, "
                     "not to us");
  }
  std::set<std::uint32_t> tcp_asked;  // ed2k-order IPs we sent a firewall request to
  std::set<std::uint32_t> acked;
  ed2k::Identity me;
  me.user_hash = o.user_hash;
  me.tcp_port = s.tcp_port;
  me.udp_port = s.udp_port;
  me.kad_running = true;
  std::string listen_error;
  auto listener = ed2k::ClientListener::start(executor, s.bind_address, s.tcp_port, me, {}, listen_error);
  if (listener) {
    listener->on_packet([&](const std::string& peer_ip, const ed2k::Packet& p) {
      boost::system::error_code ec;
      if (p.protocol == kProtoEmule && p.opcode == OP_FWCHECKUDPREQ) {  // another node's UDP test: do it
        const auto from = asio::ip::make_address_v4(peer_ip, ec);
        if (const auto q = decode_fwcheck_udp_req_payload(p.payload); q && !ec) node->answer_udp_check(from, *q.value);
        return;
      }
      if (p.protocol != kProtoEmule || p.opcode != OP_KAD_FWTCPCHECK_ACK) return;
      const auto a = asio::ip::make_address_v4(peer_ip, ec);
      if (ec || !tcp_asked.contains(ed2k_ip_of(a)) || acked.contains(ed2k_ip_of(a))) return;
      acked.insert(ed2k_ip_of(a));
      run.note(peer_ip, "OP_KAD_FWTCPCHECK_ACK over TCP: it reached our TCP port");
    });
  } else {
    run.note("", "not listening on TCP " + std::to_string(s.tcp_port) + ": " + listen_error +
                     " (whatever holds it answers the TCP checks)");
  }

  // Contacts: nodes.dat and bootstrap answers, one per IP. The UDP test
  // needs nodes that never heard from our UDP port (a NAT would let their
  // answer in): those are set aside first; the TCP checkers are the others.
  std::set<std::uint32_t> contacted;  // Kad-order IPs we sent UDP to
  std::vector<Contact> all;
  for (const NodesDatEntry& e : o.nodes) {
    node->restore(e.contact, e.udp_key, e.key_ip, e.verified);
    all.push_back(e.contact);
  }
  {
    const BootstrapResult b = co_await bootstrap_from(
        *node, o.bootstrap, o.answer_wait, [&](const std::string& who, const std::string& said) { run.note(who, said); });
    all.insert(all.end(), b.contacts.begin(), b.contacts.end());
    contacted.insert(b.contacted.begin(), b.contacted.end());
    if (!o.bootstrap.empty()) run.say(fmt::format("{} Kad contacts from the bootstrap nodes", b.contacts.size()));
  }
  std::vector<Contact> candidates;
  std::set<std::uint32_t> seen_ips;
  // Our own addresses: a list that names one of them names us (an earlier run).
  for (const std::uint32_t own : net::interface_ipv4_addresses()) seen_ips.insert(own);
  const auto take_candidates = [&](const std::vector<Contact>& from) {
    for (const Contact& c : from) {
      // Never ourselves: an earlier run's node (behind a NAT its address is not ours here) may be listed.
      if (c.id == o.id || c.version < 6 || c.ip == 0 || c.udp_port == 0 || !seen_ips.insert(c.ip).second) continue;
      candidates.push_back(c);
    }
  };
  take_candidates(all);
  std::vector<Contact> udp_set;
  std::vector<Contact> tcp_set;
  std::set<std::uint32_t> udp_ips;
  const auto choose = [&] {
    // From the end of the list, as the TCP checkers come from its start.
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it)
      if (const Contact& c = *it; udp_set.size() < o.udp_checkers && !contacted.contains(c.ip) && !udp_ips.contains(c.ip) &&
          candidates.size() - udp_set.size() > o.tcp_checkers) {
        udp_set.push_back(c);
        udp_ips.insert(c.ip);
      }
    tcp_set.clear();
    // The TCP checkers: those that heard from us already first, then the others.
    for (int pass = 0; pass < 2; ++pass)
      for (const Contact& c : candidates)
        if (tcp_set.size() < o.tcp_checkers && !udp_ips.contains(c.ip) && contacted.contains(c.ip) == (pass == 0))
          tcp_set.push_back(c);
  };
  choose();
  if (o.lookup && (tcp_set.size() < o.tcp_checkers || udp_set.size() < o.udp_checkers) && !candidates.empty()) {
    // Too few: look up our own ID among the nodes we have (not the ones kept
    // for the UDP test), as aMule does to fill its routing table. Only a few
    // are asked: the nodes they list and we never sent to stay fit for the
    // UDP test.
    run.say(fmt::format("{} Kad node(s) known: looking up more", candidates.size()));
    NodeLookupOptions lo;
    lo.target = o.id;
    lo.seeds = candidates;
    lo.avoid_ips = udp_ips;
    lo.answer_wait = std::min<std::chrono::milliseconds>(o.answer_wait, 3000ms);
    lo.lifetime = 3 * o.answer_wait;
    lo.max_queries = 2;
    lo.note = [&](const std::string& who, const std::string& said) { run.note(who, said); };
    const NodeLookupResult found = co_await lookup_nodes(*node, lo);
    for (const Contact& c : found.asked) contacted.insert(c.ip);
    report.lookup_queries += found.queries;
    std::vector<Contact> learned;
    for (const RoutingEntry& e : node->contacts()) learned.push_back(e.contact);
    take_candidates(learned);
    choose();
  }
  report.contacts = candidates.size();
  if (tcp_set.size() < 2) {
    report.error = fmt::format("only {} usable Kad contact(s): give more with --nodes FILE or --bootstrap IP:PORT",
                               candidates.size());
    node->stop();
    if (listener) listener->stop();
    co_return report;
  }
  // 1. TCP checks and pings, to the same nodes, all at once.
  run.say(fmt::format("asking {} Kad nodes to check our TCP port and tell our UDP port", tcp_set.size()));
  std::map<std::uint32_t, std::uint32_t> seen_ip;     // node -> our IP (Kad order) as it sees it
  std::map<std::uint32_t, std::uint16_t> seen_port;   // node -> our UDP port as it sees it
  auto from_tcp_set = [&](const Received& r) {
    return r.from.address().is_v4() && tcp_asked.contains(ed2k_ip_of(r.from.address().to_v4()));
  };
  // Opened before the first request: no answer is lost while we send the others.
  const auto answers = node->open_inbox([&](const Received& r) {
    return from_tcp_set(r) && (r.datagram.opcode == KADEMLIA_FIREWALLED_RES || r.datagram.opcode == KADEMLIA2_PONG ||
                               is_firewalled_ack_res(r.datagram));
  });
  for (const Contact& c : tcp_set) {
    const auto to = endpoint_of(c);
    tcp_asked.insert(ed2k_ip_of(to.address().to_v4()));
    contacted.insert(c.ip);
    const SendKey key{c.id, 0};
    const Firewalled2Req fw2{s.tcp_port, KadId::from_hash(o.user_hash), 0};  // connect options 0: plain TCP
    const Datagram firewall_request = c.version >= 7 ? encode_firewalled2_req(fw2) : encode_firewalled_req(s.tcp_port);
    const Datagram ping = encode_ping();
    co_await node->send(to, firewall_request, key);
    co_await node->send(to, ping, key);
  }
  const auto answers_until = Clock::now() + o.answer_wait;
  std::optional<Clock::time_point> last_answer;
  for (int i = 0; i < 400; ++i) {
    // Until every node answered (or answer_wait passed), then tcp_wait after
    // the last answer for the ACKs; without any answer, answer_wait is all.
    const bool all_answered = seen_ip.size() == tcp_set.size() && seen_port.size() == tcp_set.size();
    Clock::time_point deadline = answers_until;
    if (last_answer && (all_answered || Clock::now() >= answers_until)) deadline = *last_answer + o.tcp_wait;
    if (acked.size() >= 2 || Clock::now() >= deadline) break;
    const auto slice = std::min<std::chrono::milliseconds>(
        200ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) + 1ms);
    const auto got = co_await answers->next(slice);
    if (!got) continue;
    const std::uint32_t from = ed2k_ip_of(got->from.address().to_v4());
    const std::string who = fmt::format("{}:{}", got->from.address().to_string(), got->from.port());
    if (got->datagram.opcode == KADEMLIA_FIREWALLED_RES) {
      if (const auto ip = decode_firewalled_res(got->datagram); ip && !seen_ip.contains(from)) {
        seen_ip[from] = *ip.value;
        last_answer = Clock::now();
        run.note(who, "KADEMLIA_FIREWALLED_RES: it sees us at " + kad_ip_text(*ip.value) + ", now tries our TCP port");
      }
    } else if (got->datagram.opcode == KADEMLIA2_PONG) {
      if (const auto port = decode_pong(got->datagram); port && !seen_port.contains(from)) {
        seen_port[from] = *port.value;
        run.note(who, fmt::format("KADEMLIA2_PONG: it sees our UDP port as {}", *port.value));
      }
    } else if (!acked.contains(from)) {
      acked.insert(from);
      run.note(who, "KADEMLIA_FIREWALLED_ACK_RES over UDP: it reached our TCP port");
    }
  }
  report.tcp_acks = acked.size();
  report.tcp_answers = seen_ip.size();
  // As aMule: open after 2 ACKs; firewalled when the nodes answered but did not get through.
  if (acked.size() >= 2) report.tcp = "open";
  else if (seen_ip.size() >= 2 || (seen_ip.size() == 1 && tcp_set.size() == 1)) report.tcp = "firewalled";
  if (const auto ip = agreed(seen_ip)) report.public_ip = kad_ip_text(*ip);
  else if (seen_ip.size() == 1) report.public_ip = kad_ip_text(seen_ip.begin()->second);
  if (const auto port = agreed(seen_port)) {
    report.external_udp_port = *port;
    // Through the proxy the nodes see the relay's port: the proxy's doing,
    // not a NAT remapping our port (no forwarding rule would change it).
    report.udp_remapped = *port != s.udp_port && !relay;
  } else if (seen_port.size() >= 2) {
    report.udp_port_unstable = true;  // they all saw another port: a NAT that changes it per destination
  }

  // 2. UDP checks, by nodes that never heard from our UDP port.
  if (udp_set.empty()) {
    run.note("", "no Kad node left for the UDP check (it needs nodes we did not ping)");
  } else {
    run.say(fmt::format("asking {} other Kad nodes to send to our UDP port", udp_set.size()));
    proxy::Dialer dialer(executor, proxy::proxy_from_settings(s.proxy), s.proxy.strict);
    std::set<std::uint32_t> udp_asked;
    std::vector<UdpCheckRequest> open_requests;
    // The chosen nodes, then (should one not take the request: gone, busy)
    // others that never heard from our UDP port either.
    std::vector<Contact> udp_order = udp_set;
    for (const Contact& c : candidates)
      if (!contacted.contains(c.ip) && !udp_ips.contains(c.ip) && udp_order.size() < udp_set.size() + 4)
        udp_order.push_back(c);
    std::set<std::uint32_t> udp_order_ips;
    for (const Contact& c : udp_order) udp_order_ips.insert(ed2k_ip_of(asio::ip::address_v4(c.ip)));
    // Opened before the first request: a node answers at once, while we still ask the next.
    const auto udp_answers = node->open_inbox([&](const Received& r) {
      return r.datagram.opcode == KADEMLIA2_FIREWALLUDP && r.from.address().is_v4() &&
             udp_order_ips.contains(ed2k_ip_of(r.from.address().to_v4()));
    });
    for (const Contact& c : udp_order) {
      if (udp_asked.size() >= udp_set.size()) break;
      const auto address = asio::ip::address_v4(c.ip);
      const proxy::Target t{address.to_bytes(), c.tcp_port};
      const FwCheckUdpReq q{s.udp_port, report.external_udp_port.value_or(0), node->verify_key_for(address)};
      UdpCheckRequest r = co_await request_udp_check(dialer, t, me, q, 5s);
      if (r.sent) {
        udp_asked.insert(ed2k_ip_of(address));
        run.note(t.str(), "OP_FWCHECKUDPREQ sent over TCP (after the Hello exchange)");
        open_requests.push_back(std::move(r));
      } else {
        run.note(t.str(), "UDP check not asked: " + r.error);
      }
    }
    const auto until = Clock::now() + o.udp_wait;
    bool cancelled_only = false;  // set when the only answers were "already knows us"
    for (int i = 0; i < 64 && !udp_asked.empty() && Clock::now() < until && report.udp != "open"; ++i) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()) + 1ms;
      const auto got = co_await udp_answers->next(left);
      if (!got) break;
      if (!udp_asked.contains(ed2k_ip_of(got->from.address().to_v4()))) continue;  // not asked after all
      const auto f = decode_firewall_udp(got->datagram);
      if (!f) continue;
      const std::string who = got->from.address().to_string();
      if (f.value->error_code != 0) {
        run.note(who, fmt::format("KADEMLIA2_FIREWALLUDP error {}: it already knows us, test cancelled", f.value->error_code));
        cancelled_only = true;
        continue;
      }
      const std::uint16_t port = f.value->port_tested;
      if (port != 0 && (port == s.udp_port || (report.external_udp_port && port == *report.external_udp_port))) {
        report.udp = "open";
        report.udp_working_port = port;
        run.note(who, fmt::format("KADEMLIA2_FIREWALLUDP for port {}: our UDP port is reachable", port));
      }
    }
    // Asked, and nothing came in time: firewalled. (Only "already knows us"
    // answers would mean the test could not run: then it stays unknown.)
    if (report.udp != "open" && !udp_asked.empty() && !cancelled_only) report.udp = "firewalled";
  }
  report.elapsed = run.since();
  if (node->udp_lost()) {
    // The proxy closed the association (or the socket went): say so, not "firewalled".
    run.note("", "our Kad UDP port went away during the check (" + report.udp_path +
                     "): answers after that were lost; the verdicts may be wrong");
    if (report.udp != "open") report.udp = "unknown";
    if (report.tcp != "open" && report.tcp_acks == 0) report.tcp = "unknown";
  }

  // 3. Join: HELLO the TCP checkers twice (the ACK handshake verifies us; the
  // second HELLO makes us a "seen alive" contact), then ask one whether it
  // lists us. Not part of the verdicts' time.
  if (o.join) {
    run.say("joining: HELLO with the nodes that checked our TCP port");
    for (int round = 0; round < 2; ++round) {
      std::set<std::uint32_t> answered;
      const auto hello_answers =
          node->open_inbox([&](const Received& r) { return r.datagram.opcode == KADEMLIA2_HELLO_RES && from_tcp_set(r); });
      for (const Contact& c : tcp_set) {
        const Hello me_hello{o.id, s.tcp_port, kKadVersion, hello_tags(std::nullopt, 0)};
        const Datagram hello = encode_hello(me_hello, false);
        const SendKey key{c.id, 0};
        co_await node->send(endpoint_of(c), hello, key);
      }
      const auto until = Clock::now() + o.answer_wait;
      for (int i = 0; i < 32 && answered.size() < tcp_set.size() && Clock::now() < until; ++i) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()) + 1ms;
        const auto got = co_await hello_answers->next(left);
        if (!got) break;
        if (answered.insert(ed2k_ip_of(got->from.address().to_v4())).second && round == 0) {
          const auto h = decode_hello(got->datagram);
          run.note(got->from.address().to_string(),
                   h && h.value->wants_ack() ? "KADEMLIA2_HELLO_RES asking for our ACK: sent (it verifies us)"
                                             : "KADEMLIA2_HELLO_RES");
        }
      }
    }
    // Does a node list us now? (aMule lists only verified contacts seen alive.)
    for (const Contact& c : tcp_set) {
      const Kademlia2Req q{kFindNode, o.id, c.id};
      const Datagram ask = encode_kademlia2_req(q);
      const SendKey key{c.id, 0};
      const auto to = endpoint_of(c);
      const auto lists =
          node->open_inbox([&](const Received& r) { return r.from == to && r.datagram.opcode == KADEMLIA2_RES; });
      co_await node->send(to, ask, key);
      const auto got = co_await lists->next(o.answer_wait);
      if (!got) continue;
      const auto res = decode_kademlia2_res(got->datagram);
      if (!res) continue;
      for (const Contact& listed : res.value->contacts) {
        if (listed.id == o.id) {
          ++report.verified_by;
          run.note(to.address().to_string(), "KADEMLIA2_RES lists us: it keeps us as a verified contact");
          break;
        }
      }
    }
  }
  if (o.join && o.lookup) {
    // As aMule after its start: a lookup of our own ID, so that the nodes
    // closest to us learn of us and we of them (our routing table fills).
    run.say("looking up our own ID (our Kad neighbours)");
    NodeLookupOptions lo;
    lo.target = o.id;
    lo.answer_wait = std::min<std::chrono::milliseconds>(o.answer_wait, 3000ms);
    lo.lifetime = 3 * o.answer_wait;
    const NodeLookupResult found = co_await lookup_nodes(*node, lo);
    report.lookup_queries += found.queries;
    run.note("", fmt::format("lookup of our own ID: {} nodes asked, {} answered, {} closest to us found",
                             found.queries, found.answers, found.closest.size()));
  }
  report.routing = node->contacts();
  node->stop();
  if (listener) listener->stop();
  co_return report;
}

}  // namespace mulenet::kad
