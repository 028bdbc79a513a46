#include "kad/kad_udp_route.hpp"

#include "kad/kad_error.hpp"
#include "proxy/proxy_spec.hpp"
#include "proxy/routing.hpp"

namespace mulenet::kad {

boost::asio::awaitable<KadUdpRoute> open_kad_udp_route(const config::Settings& s)
{
  KadUdpRoute r;
  const proxy::RouteDecision route = proxy::route_for(proxy::TrafficKind::kad_udp, proxy::proxy_mode_from(s.proxy));
  if (route.route == proxy::Route::refused) {
    r.error = std::string("strict proxy mode: Kad UDP cannot go through the ") + config::display_name(s.proxy.type) +
              " proxy (only SOCKS5 carries UDP), and strict mode sends nothing around it; use a SOCKS5 proxy, or "
              "turn strict mode off with `mulenet config set /mulenet/ProxyStrict 0`";
    r.code = KadErrc::strict_proxy_refuses_udp;
    co_return r;
  }
  if (route.route == proxy::Route::direct) {
    if (s.proxy.enabled) r.note = "Kad UDP goes out directly (" + route.reason + "): the nodes see our own address";
    co_return r;
  }
  const auto spec = proxy::proxy_from_settings(s.proxy);
  if (!spec) {
    r.error = "the proxy settings are incomplete: Kad UDP cannot go through the proxy";
    r.code = KadErrc::proxy_incomplete;
    co_return r;
  }
  auto [association, dial] = co_await proxy::Socks5UdpAssociation::open(*spec, proxy::DialTimeouts{});
  if (!association) {
    r.error = "the SOCKS5 proxy gave no UDP association (" +
              (dial.detail.empty() ? dial.error.message() : dial.detail) +
              "): Kad cannot work through it (aMule would send no Kad UDP at all); check the proxy's UDP support, "
              "or use another proxy";
    r.code = KadErrc::no_udp_association;
    co_return r;
  }
  r.relay = std::move(association);
  co_return r;
}

}  // namespace mulenet::kad
