#pragma once
// Holding a server connection after the login, as aMule does while it is
// "connected": the server may send a new ID (OP_IDCHANGE), its user and file
// counts (OP_SERVERSTATUS) and messages at any time; the session ends when
// the server closes, sends something broken (aMule drops it), or the owner
// closes the stream. aMule sends no keep-alive by default
// (ServerKeepAliveTimeout=0), so silence is normal: reads wait in slices.
// With a keep-alive, a silence that long is answered with an empty
// OP_OFFERFILES, as aMule sends (reference §1.2): servers and NATs that drop
// idle connections see traffic.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "ed2k/packet_stream.hpp"
#include "ed2k/server_messages.hpp"

namespace mulenet::ed2k {

struct SessionUpdate {
  std::optional<IdChange> id;          // a new ID
  std::optional<ServerStatus> status;  // new counts
};

struct SessionEnd {
  std::string why;       // in plain words
  std::error_code code;  // Ed2kErrc::connection_lost or broken_answer
};

struct HoldOptions {
  std::chrono::milliseconds read_slice{std::chrono::minutes(10)};  // one wait; silence is not an end
  unsigned long max_packets = 100'000'000;  // a bound on the loop (years of a busy server)
  std::chrono::milliseconds keep_alive{0};   // silence before an empty OP_OFFERFILES; 0: never
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
};

// Reads until the session ends; `on_update` for every new ID or status.
boost::asio::awaitable<SessionEnd> hold_session(PacketStream& stream, std::function<void(const SessionUpdate&)> on_update,
                                                HoldOptions options);

}  // namespace mulenet::ed2k
