#pragma once
// Asking a running `mulenet run` for its status (GET /api/status), as
// `mulenet status` does: through a Dialer without proxy (the daemon is on
// this host), bounded in time and size.
#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace mulenet::web {

struct StatusFetch {
  bool answered = false;     // the daemon answered 200 with a body
  bool not_running = false;  // nothing listens there (connection refused)
  int http_status = 0;
  std::string body;          // the status JSON
  std::string error;         // why not, in plain words
};

boost::asio::awaitable<StatusFetch> fetch_status(std::string address, std::uint16_t port,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace mulenet::web
