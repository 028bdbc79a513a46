#pragma once
// Saying Hello to an eD2k client (reference §2.1): connect (through the
// Dialer: "TCP to other clients" goes via every proxy type), send OP_HELLO,
// read OP_HELLOANSWER. Tells whether a client's TCP port is reachable from
// here and who answers there; the lab uses it against real amuled.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "ed2k/hello.hpp"
#include "ed2k/packet_stream.hpp"
#include "proxy/dialer.hpp"

namespace mulenet::ed2k {

struct HelloProbe {
  bool connected = false;
  std::optional<Hello> answer;
  std::string error;
  std::chrono::milliseconds elapsed{0};
};

// On an open connection: send our OP_HELLO and read the peer's
// OP_HELLOANSWER (which may follow a few other packets). The error says
// what failed: sending, no answer, or a broken one.
boost::asio::awaitable<Decoded<Hello>> exchange_hellos(PacketStream& stream, const Identity& me,
                                                       std::chrono::milliseconds timeout);

boost::asio::awaitable<HelloProbe> say_hello(proxy::Dialer& dialer, proxy::Target peer, Identity me,
                                             std::chrono::milliseconds timeout);

}  // namespace mulenet::ed2k
