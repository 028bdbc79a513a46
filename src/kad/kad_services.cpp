#include "kad/kad_services.hpp"

#include "kad/kad_error.hpp"

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
  no.udp_link = s.link;
  no.dialer = s.dialer;  // nodes that ask us to check their TCP port get it done, as aMule does
  return no;
}

// The listener on our TCP port; another program holding it is a note, not an
// error: whatever holds it answers the TCP checks.
void open_listener(asio::any_io_executor executor, const KadServicesOptions& o, KadServices& s)
{
  std::string error = o.listen_error;
  s.listener = o.listener;
  const bool borrowed = o.listener || !o.listen_error.empty();
  if (!borrowed) {
    s.listener = ed2k::ClientListener::start(executor, o.settings.bind_address, o.settings.tcp_port, s.me, {}, error);
    s.owns_listener = s.listener != nullptr;
  }
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

asio::awaitable<std::optional<KadServices>> open_kad_services(KadServicesOptions o, std::string& error,
                                                             std::error_code& code)
{
  const config::Settings& settings = o.settings;
  if (!settings.udp_enabled) {
    error = "the Kad/extended UDP port is disabled (/eMule/UDPEnable=0): Kad cannot run";
    code = KadErrc::udp_disabled;
    co_return std::nullopt;
  }
  const auto executor = co_await asio::this_coro::executor;
  KadServices s;
  const KadUdpRoute route = co_await open_kad_udp_route(settings);
  if (!route.error.empty()) {
    error = route.error;
    code = route.code;
    co_return std::nullopt;
  }
  if (!route.note.empty()) s.notes.push_back(route.note);
  if (route.relay && o.keep_relay_up) {
    const auto spec = proxy::proxy_from_settings(settings.proxy);  // complete: the route opened it
    s.link = std::make_shared<proxy::ProxiedUdpLink>(executor, *spec, proxy::DialTimeouts{}, o.on_relay_event);
    s.link->start(route.relay);
  } else {
    s.relay = route.relay;
  }
  s.dialer = o.dialer ? o.dialer
                     : std::make_shared<proxy::Dialer>(executor, proxy::proxy_from_settings(settings.proxy),
                                                       settings.proxy.strict);
  s.node = KadNode::start(executor, node_options(o, s), error);
  if (!s.node) {
    error += " (is aMule running? its Kad uses that port)";
    code = KadErrc::udp_port_unavailable;
    co_return std::nullopt;
  }
  if (s.relay || s.link)
    s.notes.push_back("Kad UDP goes " + s.node->udp_path() +
                      ": the nodes see the proxy's address and the relay's port, and connect back to the proxy, not to us");
  s.me.user_hash = o.user_hash;
  s.me.tcp_port = settings.tcp_port;
  s.me.udp_port = settings.udp_port;
  s.me.kad_running = true;
  if (o.listen || o.listener) open_listener(executor, o, s);
  co_return s;
}

void stop_kad_services(KadServices& s)
{
  s.udp_tests.reset();
  if (s.node) s.node->stop();
  if (s.link) s.link->stop();
  if (s.listener && s.owns_listener) s.listener->stop();
}

NodeServicesOptions node_services_options(const config::Settings& settings, const NodeIdentity& identity)
{
  NodeServicesOptions o;
  o.settings = settings;
  o.user_hash = identity.user_hash;
  o.kad_id = identity.kad_id;
  o.udp_key = identity.udp_key;
  return o;
}

asio::awaitable<NodeServices> open_node_services(NodeServicesOptions o)
{
  NodeServices s;
  ed2k::Identity me = ed2k::identity_from(o.settings, o.user_hash, o.nick);
  me.kad_running = o.with_kad && o.settings.udp_enabled;
  s.ed2k = ed2k::open_ed2k_services(co_await asio::this_coro::executor, o.settings, me, o.listen);
  if (!o.with_kad) co_return s;
  KadServicesOptions ko;
  ko.settings = o.settings;
  ko.id = o.kad_id;
  ko.udp_key = o.udp_key;
  ko.user_hash = o.user_hash;
  ko.listen = o.listen;
  ko.listener = s.ed2k.listener;
  ko.listen_error = s.ed2k.listen_error;
  ko.dialer = s.ed2k.dialer;
  ko.keep_relay_up = o.keep_relay_up;
  ko.on_relay_event = o.on_relay_event;
  s.kad = co_await open_kad_services(ko, s.kad_error, s.kad_code);
  co_return s;
}

void stop_node_services(NodeServices& s)
{
  if (s.kad) stop_kad_services(*s.kad);
  ed2k::stop_ed2k_services(s.ed2k);
}

}  // namespace mulenet::kad
