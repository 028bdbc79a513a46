#include "kad/kad_services.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/this_coro.hpp>

#include "kad/kad_messages.hpp"
#include "kad/kad_udp_route.hpp"
#include "proxy/proxy_spec.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;

namespace {

KadNodeOptions node_options(const KadServicesOptions& o, const KadServices& s)
{
  KadNodeOptions no;
  no.id = o.id;
  no.udp_key = o.udp_key;
  no.bind_address = o.settings.bind_address;
  no.udp_port = o.settings.udp_port;
  no.tcp_port = o.settings.tcp_port;
  no.user_hash = o.user_hash;
  no.udp_relay = s.relay;
  no.dialer = s.dialer;  // nodes that ask us to check their TCP port get it done, as aMule does
  return no;
}

// The listener on our TCP port; another program holding it is a note, not an
// error: whatever holds it answers the TCP checks.
void open_listener(asio::any_io_executor executor, const KadServicesOptions& o, KadServices& s)
{
  std::string error;
  s.listener = ed2k::ClientListener::start(executor, o.settings.bind_address, o.settings.tcp_port, s.me, {}, error);
  if (!s.listener) {
    s.notes.push_back("not listening on TCP " + std::to_string(o.settings.tcp_port) + ": " + error +
                      " (whatever holds it answers the TCP checks)");
    return;
  }
  std::weak_ptr<KadNode> node = s.node;
  s.udp_tests = s.listener->subscribe_packets([node](const std::string& peer_ip, const ed2k::Packet& p) {
    if (p.protocol != kProtoEmule || p.opcode != OP_FWCHECKUDPREQ) return;
    boost::system::error_code ec;
    const auto from = asio::ip::make_address_v4(peer_ip, ec);
    const auto alive = node.lock();
    if (ec || !alive) return;
    if (const auto q = decode_fwcheck_udp_req_payload(p.payload)) alive->answer_udp_check(from, *q.value);
  });
}

}  // namespace

asio::awaitable<std::optional<KadServices>> open_kad_services(KadServicesOptions o, std::string& error)
{
  const config::Settings& settings = o.settings;
  if (!settings.udp_enabled) {
    error = "the Kad/extended UDP port is disabled (/eMule/UDPEnable=0): Kad cannot run";
    co_return std::nullopt;
  }
  const auto executor = co_await asio::this_coro::executor;
  KadServices s;
  const KadUdpRoute route = co_await open_kad_udp_route(settings);
  if (!route.error.empty()) {
    error = route.error;
    co_return std::nullopt;
  }
  if (!route.note.empty()) s.notes.push_back(route.note);
  s.relay = route.relay;
  s.dialer = std::make_shared<proxy::Dialer>(executor, proxy::proxy_from_settings(settings.proxy), settings.proxy.strict);
  s.node = KadNode::start(executor, node_options(o, s), error);
  if (!s.node) {
    error += " (is aMule running? its Kad uses that port)";
    co_return std::nullopt;
  }
  if (s.relay)
    s.notes.push_back("Kad UDP goes " + s.node->udp_path() +
                      ": the nodes see the proxy's address and the relay's port, and connect back to the proxy, not to us");
  s.me.user_hash = o.user_hash;
  s.me.tcp_port = settings.tcp_port;
  s.me.udp_port = settings.udp_port;
  s.me.kad_running = true;
  if (o.listen) open_listener(executor, o, s);
  co_return s;
}

void stop_kad_services(KadServices& s)
{
  s.udp_tests.reset();
  if (s.node) s.node->stop();
  if (s.listener) s.listener->stop();
}

}  // namespace mulenet::kad
