#include "ec/ec_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "net/with_timeout.hpp"

namespace mulenet::ec {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

asio::awaitable<std::string> EcStream::read_exactly(std::uint8_t* into, std::size_t size, Clock::time_point deadline,
                                                    bool& timed_out, bool& closed)
{
  auto read_all = [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::size_t>> {
    auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(into, size), asio::as_tuple(asio::use_awaitable));
    co_return std::pair{ec, n};
  };
  const auto left = std::max(deadline - Clock::now(), Clock::duration::zero());
  const auto got = co_await net::with_timeout(read_all(), left);
  if (!got) {
    timed_out = true;
    co_return "no answer in time";
  }
  if (got->first) {
    closed = got->first == asio::error::eof || got->first == asio::error::connection_reset;
    co_return closed ? std::string("the connection was closed") : got->first.message();
  }
  co_return std::string{};
}

asio::awaitable<PacketRead> EcStream::read(std::chrono::milliseconds timeout, std::size_t max_frame,
                                           DecodeLimits limits)
{
  PacketRead r;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::uint8_t header_bytes[kFrameHeaderSize];
  r.error = co_await read_exactly(header_bytes, sizeof header_bytes, deadline, r.timed_out, r.closed);
  if (!r.error.empty()) co_return r;
  const auto header = parse_frame_header(header_bytes, r.error);
  if (!header) co_return r;
  if (header->length > max_frame) {
    r.error = fmt::format("a frame of {} bytes, more than the {} allowed here", header->length, max_frame);
    co_return r;
  }
  Bytes body(header->length);
  r.error = co_await read_exactly(body.data(), body.size(), deadline, r.timed_out, r.closed);
  if (!r.error.empty()) co_return r;
  Decoded decoded = decode_body(header->flags, body, limits);
  r.flags = header->flags;
  r.packet = std::move(decoded.packet);
  r.error = std::move(decoded.error);
  co_return r;
}

asio::awaitable<std::string> EcStream::write(const Packet& packet, std::uint32_t flags,
                                             std::chrono::milliseconds timeout)
{
  const Bytes frame = encode_frame(packet, flags);
  if (frame.empty()) co_return "the packet is too large for an EC frame (more than 65535 tags in one list)";
  auto send = [&]() -> asio::awaitable<boost::system::error_code> {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(frame), asio::as_tuple(asio::use_awaitable));
    co_return ec;
  };
  const auto sent = co_await net::with_timeout(send(), timeout);
  if (!sent) co_return fmt::format("sending took more than {} ms", timeout.count());
  if (*sent) co_return "sending: " + sent->message();
  co_return std::string{};
}

}  // namespace mulenet::ec
