#pragma once
// mulenet's own EC server, so that aMule's tools (amulecmd, amulegui,
// amuleweb) read the daemon's state as they read aMule's (issue 15; served
// set next-capabilities.md §1.5): the login as aMule 2.3.3 does it, then
//   STAT_REQ         -> EC_OP_STATS (amulecmd's `status`)
//   GET_CONNSTATE    -> EC_OP_MISC_DATA with CONNSTATE
//   GET_SERVER_LIST  -> EC_OP_SERVER_LIST (`show servers`)
//   NOOP             -> NOOP
//   anything else    -> EC_OP_FAILED with the reason (every request one answer).
// Bounded for hostile peers: a number of clients at once, 2 KiB frames until
// the login, a time for the login and for each request, and failed logins
// from one address answered ever more slowly. Never logs the password.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "ec/amule_state.hpp"

namespace mulenet::ec {

struct EcServerOptions {
  std::string address = "127.0.0.1";  // [ExternalConnect] ECAddress; "" or "0.0.0.0": every interface, as aMule
  std::uint16_t port = 4712;          // [ExternalConnect] ECPort; 0: any free port (tests)
  std::string password_md5;           // [ExternalConnect] ECPassword: required
  std::string server_version;         // shown by amulecmd: "Connection established to aMule <this>"
  std::size_t max_clients = 8;
  std::chrono::milliseconds login_time{10'000};     // from connect to AUTH_OK
  std::chrono::milliseconds idle_time{600'000};     // between requests after the login
  std::chrono::milliseconds first_fail_delay{500};  // doubled per failed login from that address, at most 8 s
  // One line per login, refusal and dropped connection, where the owner wants
  // them (the Engine reports only refused passwords, as events).
  std::function<void(std::string_view)> log;
  // A login refused for a wrong password (the line says from where): worth an event.
  std::function<void(std::string_view)> on_wrong_password;
};

class EcServer {
 public:
  struct State;
  explicit EcServer(std::shared_ptr<State> state);
  ~EcServer();
  EcServer(const EcServer&) = delete;
  EcServer& operator=(const EcServer&) = delete;

  // Listens; nullptr and `error` (no password, a bad address, a busy port
  // with its holder) when it cannot.
  static std::unique_ptr<EcServer> start(boost::asio::any_io_executor executor, EcServerOptions options,
                                         std::string& error);

  // What the clients are shown from now on.
  void publish(AmuleState state, std::vector<AmuleServer> servers);

  [[nodiscard]] std::uint16_t port() const;
  // Closes the listener and every connection.
  void stop();

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mulenet::ec
