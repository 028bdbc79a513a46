// A proxy that cannot carry UDP: Kad and server UDP go around it (Proxy page).
#include <fmt/format.h>

#include "doctor/check.hpp"

namespace mulenet::doctor {

std::vector<Finding> check_proxy_udp_leak(const Evidence& ev)
{
  const config::ProxySettings& proxy = ev.settings.proxy;
  if (!proxy.enabled) return {};
  const std::string where =
      fmt::format("[Proxy] ProxyEnableProxy=1, ProxyType={} ({}), proxy {}:{}", static_cast<int>(proxy.type),
                  config::display_name(proxy.type), proxy.host, proxy.port);
  // Auxiliary HTTP downloads (server.met, nodes.dat, IP filter) use only an HTTP proxy.
  std::vector<Finding> out;
  if (proxy.type != config::ProxyType::http && !proxy.strict) {
    out.push_back({"proxy.http-downloads-direct", Severity::info,
                   fmt::format("Auxiliary HTTP downloads go direct, around the {} proxy", config::display_name(proxy.type)),
                   where + ". Per the Proxy page, server.met, nodes.dat, IP filter and version-check downloads use "
                           "only an HTTP proxy; those servers see your real address.",
                   "Nothing to do if that is acceptable; otherwise download those files by hand, or set "
                   "mulenet config set /mulenet/ProxyStrict 1 to stop them."});
  }
  if (proxy.type == config::ProxyType::socks5) {
    out.push_back({"proxy.udp-carried", Severity::ok, "The SOCKS5 proxy can carry UDP (Kad and server UDP)", where, ""});
    return out;
  }
  std::string udp_users = ev.settings.udp_enabled ? "Kad, extended eMule UDP and eD2k server UDP"
                                                  : "eD2k server UDP";
  if (proxy.strict) {
    out.push_back({"proxy.udp-off-strict", Severity::info,
             fmt::format("Strict proxy mode: {} is off, because an {} proxy cannot carry UDP", udp_users,
                         config::display_name(proxy.type)),
             where + ", [mulenet] ProxyStrict=1",
             "To use Kad through a proxy, switch to SOCKS5: mulenet config set /Proxy/ProxyType 0"});
    return out;
  }
  out.push_back({"proxy.udp-leak", Severity::warning,
           fmt::format("{} goes around the {} proxy and reveals your real IP address", udp_users,
                       config::display_name(proxy.type)),
           where + fmt::format(". Only SOCKS5 can tunnel UDP; with {}, aMule's Proxy page says that UDP goes out "
                               "directly (aMule 2.3.3 itself silently drops it instead, so Kad cannot work at all).",
                               config::display_name(proxy.type)),
           "Use a SOCKS5 proxy (mulenet config set /Proxy/ProxyType 0) or a VPN; or make mulenet refuse every "
           "direct connection: mulenet config set /mulenet/ProxyStrict 1"});
  return out;
}

}  // namespace mulenet::doctor
