#include "ed2k/server_session.hpp"

#include <algorithm>

#include "ed2k/ed2k_error.hpp"
#include "ed2k/opcodes.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;

namespace {

// One packet of a held session: an update, nothing to say, or the end.
std::optional<SessionEnd> absorb(const Packet& p, SessionUpdate& update)
{
  switch (p.opcode) {
    case OP_IDCHANGE: {
      auto id = decode_id_change(p);
      if (!id) return SessionEnd{"the server's new ID is broken: " + id.error, Ed2kErrc::broken_answer};
      if (id.value->id != 0) update.id = *id.value;
      return std::nullopt;
    }
    case OP_SERVERSTATUS: {
      auto s = decode_server_status(p);
      if (!s) return SessionEnd{"the server's status is broken: " + s.error, Ed2kErrc::broken_answer};
      update.status = *s.value;
      return std::nullopt;
    }
    default: return std::nullopt;  // messages, server lists, search results: not ours to judge
  }
}

}  // namespace

asio::awaitable<SessionEnd> hold_session(PacketStream& stream, std::function<void(const SessionUpdate&)> on_update,
                                         HoldOptions o)
{
  const bool keep_alive = o.keep_alive.count() > 0;
  const std::chrono::milliseconds slice = keep_alive ? std::min(o.read_slice, o.keep_alive) : o.read_slice;
  for (unsigned long n = 0; n < o.max_packets; ++n) {
    ReadOutcome in = co_await stream.read(slice, kMaxPacketSize, kProtoEdonkey);
    if (in.timed_out && keep_alive) {
      const Packet offer = encode_empty_offer_files();
      const std::string trouble = co_await stream.write(offer, o.write_timeout);
      if (!trouble.empty())
        co_return SessionEnd{"the keep-alive to the server failed: " + trouble, Ed2kErrc::connection_lost};
      continue;
    }
    if (in.timed_out) continue;  // a quiet server is still connected
    if (!in.packet) {
      if (in.closed) co_return SessionEnd{"the server closed the connection", Ed2kErrc::connection_lost};
      co_return SessionEnd{"the connection to the server broke: " + in.error, Ed2kErrc::connection_lost};
    }
    SessionUpdate update;
    if (auto end = absorb(*in.packet, update)) co_return *end;
    if ((update.id || update.status) && on_update) on_update(update);
  }
  co_return SessionEnd{"the session reached its packet limit", Ed2kErrc::connection_lost};
}

}  // namespace mulenet::ed2k
