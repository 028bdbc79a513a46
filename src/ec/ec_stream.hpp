#pragma once
// EC packets over one TCP connection, both ways, each wait bounded. Shared
// by the client (mulenet asking aMule) and the server (amulecmd asking us).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "ec/ec_packet.hpp"

namespace mulenet::ec {

struct PacketRead {
  std::optional<Packet> packet;
  std::uint32_t flags = 0;  // how the frame was framed (the server learns the peer's framing)
  bool timed_out = false;
  bool closed = false;      // the peer closed (or reset) the connection
  std::string error;        // empty with a packet; else what went wrong, for humans
};

class EcStream {
 public:
  explicit EcStream(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  // One frame of at most `max_frame` body bytes, decoded with `limits` (also
  // after zlib: a small frame may inflate). No defaults: GCC 12 miscompiles
  // braced default arguments of coroutines used in co_await.
  boost::asio::awaitable<PacketRead> read(std::chrono::milliseconds timeout, std::size_t max_frame,
                                          DecodeLimits limits);
  // Empty on success, else why not.
  boost::asio::awaitable<std::string> write(const Packet& packet, std::uint32_t flags,
                                            std::chrono::milliseconds timeout);

  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::awaitable<std::string> read_exactly(std::uint8_t* into, std::size_t size,
                                                   std::chrono::steady_clock::time_point deadline, bool& timed_out,
                                                   bool& closed);
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace mulenet::ec
