#pragma once
// The eD2k side of a running node: one server session kept, as aMule's
// "connect" does. The servers are tried in turn (those of server.met);
// the first that gives an ID is held (ed2k/server_session.hpp) until it
// closes; then the next one, after a pause that grows while none answers.
// Every change is reported through the callback, none after stop().
//
// A Low ID while our TCP port should be open (the owner says: the router
// forwards it) is the server's fault, as the seeds say ("overloaded or
// misconfigured: connect to another server"): that server is left for the
// next one. The last server of a round is held even with a Low ID, and a
// round that left Low IDs and held nothing makes the next keep any ID: a Low
// ID beats no server at all.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ed2k/ed2k_services.hpp"
#include "ed2k/server_login.hpp"
#include "proxy/target.hpp"

namespace mulenet::ed2k {

enum class ConnectionState : std::uint8_t { connecting, connected, disconnected };

struct ServerConnection {
  ConnectionState state = ConnectionState::disconnected;
  std::optional<proxy::Target> server;  // connecting to, or connected to
  std::optional<std::uint32_t> id;      // while connected
  [[nodiscard]] bool high_id() const { return id && !is_low_id(*id); }
};

struct KeeperOptions {
  std::vector<proxy::Target> servers;
  LoginRequest login;
  std::chrono::milliseconds login_timeout = kLoginTimeout;
  std::chrono::seconds first_pause{30};   // after a round of servers that gave no ID, or a lost session
  std::chrono::seconds longest_pause{900};
  unsigned max_rounds = 100'000;          // a bound on the loop
  std::chrono::minutes keep_alive{0};     // ServerKeepAliveTimeout (0: none); see HoldOptions
  // True while our TCP port should be reachable from outside (mapped by the
  // router, or seen open): then a Low ID sends us to the next server.
  std::function<bool()> port_should_be_open;
};

class ServerKeeper {
 public:
  // `problem` set: why a login failed or the session ended (code: Ed2kErrc).
  using ChangeFn = std::function<void(const ServerConnection& now, const std::string& problem, std::error_code code)>;

  ServerKeeper(boost::asio::any_io_executor executor, Ed2kServices& services, KeeperOptions options);
  ServerKeeper(const ServerKeeper&) = delete;
  ServerKeeper& operator=(const ServerKeeper&) = delete;

  void on_change(ChangeFn fn) { on_change_ = std::move(fn); }
  // Keeps a session until stop(). Returns when stopped (or at the round limit).
  boost::asio::awaitable<void> run();
  // Ends the session and the waits; run() returns soon after. No callback after this.
  void stop();
  // Our address changed (the router's external address, our own): the ID
  // the server gave names the old one. Ends the session (or the pause) and
  // logs in again from the first server at once.
  void log_in_again();

  [[nodiscard]] const ServerConnection& connection() const { return now_; }

 private:
  enum class Outcome { no_id, low_id_left, held };
  // `last`: the last server of this round (held even with a Low ID).
  boost::asio::awaitable<Outcome> try_server(const proxy::Target& server, bool last);
  [[nodiscard]] bool leave_low_id(std::uint32_t id, bool last) const;
  boost::asio::awaitable<void> pause(std::chrono::seconds how_long);
  void report(const std::string& problem = {}, std::error_code code = {});

  Ed2kServices& services_;
  KeeperOptions options_;
  ChangeFn on_change_;
  ServerConnection now_;
  PacketStream* stream_ = nullptr;  // the held session's stream, closed by stop()
  boost::asio::steady_timer pause_;
  boost::asio::steady_timer stopped_;  // never expires; cancelled by stop() to end a login at once
  bool stopping_ = false;
  bool hold_any_id_ = false;  // the last round left Low IDs and held nothing: keep any ID now
  bool again_ = false;        // log_in_again(): a new round at once
};

}  // namespace mulenet::ed2k
