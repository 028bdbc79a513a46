#pragma once
// The services an eD2k use-case borrows: the client listener on our TCP port
// (a server's connect-back says Hello there) and the Dialer for every
// outgoing connection. Opened once by their owner, lent, stopped by the owner.
#include <memory>
#include <string>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>

#include "config/settings.hpp"
#include "ed2k/client_listener.hpp"
#include "proxy/dialer.hpp"

namespace mulenet::ed2k {

struct Ed2kServices {
  std::shared_ptr<ClientListener> listener;  // null: not listening (listen_error says why)
  std::shared_ptr<proxy::Dialer> dialer;
  std::string listen_error;  // e.g. aMule holds the port
  std::error_code listen_code;  // with listen_error: Ed2kErrc::port_unavailable
};

// Who we are in our Hellos, from the settings: the user hash, our ports, the nick.
[[nodiscard]] Identity identity_from(const config::Settings& settings, const Hash16& user_hash, std::string nick);

// `listen` false: someone else (aMule) answers on our TCP port.
[[nodiscard]] Ed2kServices open_ed2k_services(boost::asio::any_io_executor executor, const config::Settings& settings,
                                              Identity me, bool listen);
void stop_ed2k_services(Ed2kServices& services);

}  // namespace mulenet::ed2k
