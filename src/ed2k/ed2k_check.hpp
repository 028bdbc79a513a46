#pragma once
// The eD2k status check: listen on our TCP port (so the servers' connect-back
// is answered), log in to the given servers, at most two at a time as aMule
// does, then ping each over UDP. The result per server is the evidence the
// Network Connectivity page reasons with: High ID (and the public address it
// implies) or Low ID with the server's own words, whether the server's
// connect-back reached us at all, and whether UDP to the server works.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/settings.hpp"
#include "ed2k/client_listener.hpp"
#include "ed2k/ed2k_services.hpp"
#include "ed2k/server_login.hpp"
#include "ed2k/server_status_ping.hpp"

namespace mulenet::ed2k {

struct Ed2kCheckOptions {
  std::vector<proxy::Target> servers;
  config::Settings settings;  // ports, bind address, proxy
  Hash16 user_hash{};
  std::string nick = "mulenet";
  std::chrono::milliseconds login_timeout = kLoginTimeout;
  std::size_t parallel = 2;  // aMule tries 2 servers at once
  bool listen = true;        // false: someone else (aMule) answers on our port
  bool udp_ping = true;
  std::function<void(std::string_view)> progress;
};

struct ServerCheck {
  LoginResult login;
  std::optional<UdpPingResult> udp;   // when logged in and pinged
  bool connect_back_seen = false;     // a Hello from the server's address reached our listener
};

struct Ed2kCheckReport {
  std::vector<ServerCheck> servers;
  bool listening = false;
  std::string listen_error;  // why we could not listen (e.g. aMule holds the port)
  std::error_code listen_code;
  ListenerCounters listener;
  std::vector<std::string> hellos_from;  // peer addresses whose Hello we answered
};

// The check on services borrowed from their owner (`options.listen` is then
// the owner's business: the services say whether we listen).
boost::asio::awaitable<Ed2kCheckReport> check_ed2k(Ed2kServices& services, Ed2kCheckOptions options);
// The same on services of its own, opened for it and stopped after it.
boost::asio::awaitable<Ed2kCheckReport> check_ed2k(Ed2kCheckOptions options);

}  // namespace mulenet::ed2k
