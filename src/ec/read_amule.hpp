#pragma once
// One look at a running aMule over EC, as `amulecmd -c status` and
// `amulecmd -c "show servers"` take it: log in, ask the status, ask the
// server list, close. The use-case shared by `mulenet amule status` and the
// doctor; the Dialer is borrowed.
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "ec/amule_state.hpp"
#include "ec/ec_client.hpp"
#include "proxy/dialer.hpp"
#include "proxy/target.hpp"

namespace mulenet::ec {

// Where amule.conf says aMule's EC listens: ECAddress when it names one
// address, else loopback (aMule listens on all interfaces then).
[[nodiscard]] proxy::Target ec_endpoint(const config::Settings& settings);

struct AmuleReading {
  std::error_code code;  // an EcErrc, or empty when aMule answered
  std::string detail;    // what happened, for humans; never the password
  std::string where;     // "127.0.0.1:4712"
  std::string version;   // aMule's own version string, from AUTH_OK
  std::optional<AmuleState> state;
  std::optional<std::vector<AmuleServer>> servers;  // nullopt when the list could not be read
};

// Reads aMule's state. With EC off in amule.conf nothing is sent (not_enabled).
// No default for `options`: GCC 12 miscompiles a braced default argument in a
// co_await expression.
boost::asio::awaitable<AmuleReading> read_amule(proxy::Dialer& dialer, const config::Settings& settings,
                                                EcClientOptions options);

}  // namespace mulenet::ec
