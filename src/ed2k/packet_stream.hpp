#pragma once
// eD2k packets over one TCP connection: reads whole packets whatever the
// segmentation (bytes after a packet are kept for the next), with a time
// limit per packet and a size limit checked from the header before the body
// is buffered; inflates 0xD4 packets within kMaxInflatedSize. Writes whole
// packets with a time limit.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "ed2k/packet.hpp"

namespace mulenet::ed2k {

struct ReadOutcome {
  std::optional<Packet> packet;
  std::string error;    // when no packet: timeout, closed, not eD2k, too large
  bool closed = false;  // the peer closed the connection cleanly
  bool timed_out = false;
};

class PacketStream {
 public:
  // `early` are bytes already read from the socket (e.g. after a proxy reply).
  explicit PacketStream(boost::asio::ip::tcp::socket socket, Bytes early = {});

  // The next packet. `max_size`: a body larger than this fails at once (the
  // protocol allows 2,000,000; a peer that must send a Hello first gets far
  // less). 0xD4 packets come back inflated, as `packed_as` (0xE3 from a
  // server, 0xC5 from a client, as aMule does).
  boost::asio::awaitable<ReadOutcome> read(std::chrono::milliseconds timeout, std::size_t max_size = kMaxPacketSize,
                                           std::uint8_t packed_as = kProtoEdonkey);
  // Empty on success, else why not.
  boost::asio::awaitable<std::string> write(const Packet& packet, std::chrono::milliseconds timeout);

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  void close();

 private:
  boost::asio::ip::tcp::socket socket_;
  Bytes buffer_;
};

}  // namespace mulenet::ed2k
