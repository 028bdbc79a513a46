#include "ed2k/ed2k_services.hpp"

#include "ed2k/ed2k_error.hpp"
#include "proxy/proxy_spec.hpp"

namespace mulenet::ed2k {

Identity identity_from(const config::Settings& settings, const Hash16& user_hash, std::string nick)
{
  Identity me;
  me.user_hash = user_hash;
  me.tcp_port = settings.tcp_port;
  me.udp_port = settings.udp_enabled ? settings.udp_port : 0;
  me.nick = std::move(nick);
  return me;
}

Ed2kServices open_ed2k_services(boost::asio::any_io_executor executor, const config::Settings& settings, Identity me,
                                bool listen)
{
  Ed2kServices s;
  s.dialer = std::make_shared<proxy::Dialer>(executor, proxy::proxy_from_settings(settings.proxy), settings.proxy.strict);
  if (listen)
    s.listener = ClientListener::start(executor, settings.bind_address, settings.tcp_port, std::move(me), {},
                                       s.listen_error);
  if (listen && !s.listener) s.listen_code = Ed2kErrc::port_unavailable;
  return s;
}

void stop_ed2k_services(Ed2kServices& s)
{
  if (s.listener) s.listener->stop();
}

}  // namespace mulenet::ed2k
