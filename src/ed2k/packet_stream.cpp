#include "ed2k/packet_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "net/with_timeout.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;
using namespace std::chrono_literals;

PacketStream::PacketStream(asio::ip::tcp::socket socket, Bytes early)
    : socket_(std::move(socket)), buffer_(std::move(early))
{
}

void PacketStream::close()
{
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

asio::awaitable<ReadOutcome> PacketStream::read(std::chrono::milliseconds timeout, std::size_t max_size,
                                                std::uint8_t packed_as)
{
  ReadOutcome out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Bytes chunk(16 * 1024);  // on the heap: large arrays in coroutine frames trouble GCC 12
  // Bounded: every round either completes, fails, or adds at least one byte
  // to a buffer that may not exceed max_size + header.
  for (std::size_t round = 0; round < max_size + kHeaderSize + 2; ++round) {
    const Frame f = parse_frame(buffer_);
    if (f.status == FrameStatus::failed) {
      out.error = f.error;
      co_return out;
    }
    // The body size is known from the header: refuse early, before buffering it.
    if (buffer_.size() >= 5) {
      const std::uint32_t length = static_cast<std::uint32_t>(buffer_[1]) | (static_cast<std::uint32_t>(buffer_[2]) << 8) |
                                   (static_cast<std::uint32_t>(buffer_[3]) << 16) |
                                   (static_cast<std::uint32_t>(buffer_[4]) << 24);
      if (length - 1 > max_size) {
        out.error = fmt::format("a packet of {} bytes, over the {} allowed here", length - 1, max_size);
        co_return out;
      }
    }
    if (f.status == FrameStatus::complete) {
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(f.consumed));
      if (f.packet.protocol == kProtoPacked) {
        Unpacked u = unpack(f.packet, packed_as);
        if (!u.ok) {
          out.error = u.error;
          co_return out;
        }
        out.packet = std::move(u.packet);
      } else {
        out.packet = f.packet;
      }
      co_return out;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      out.timed_out = true;
      out.error = fmt::format("no complete packet within {} ms", timeout.count());
      co_return out;
    }
    auto read_some = [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
      co_return std::pair{ec, n};
    };
    const auto got = co_await net::with_timeout(read_some(), left);
    if (!got) {
      out.timed_out = true;
      out.error = fmt::format("no complete packet within {} ms", timeout.count());
      co_return out;
    }
    if (got->first) {
      out.closed = got->first == asio::error::eof;
      out.error = out.closed ? (buffer_.empty() ? "the peer closed the connection"
                                                : "the peer closed the connection in the middle of a packet")
                             : got->first.message();
      co_return out;
    }
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got->second));
  }
  out.error = "read loop bound reached";
  co_return out;
}

asio::awaitable<std::string> PacketStream::write(const Packet& packet, std::chrono::milliseconds timeout)
{
  const Bytes wire = encode_packet(packet);
  auto send = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(wire), asio::as_tuple(asio::use_awaitable));
    co_return ec;
  };
  const auto sent = co_await net::with_timeout(send(), timeout);
  if (!sent) co_return fmt::format("sending took more than {} ms", timeout.count());
  if (*sent) co_return "sending: " + sent->message();
  co_return std::string{};
}

}  // namespace mulenet::ed2k
