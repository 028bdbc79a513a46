#include "kad/kad_udp_port.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

class DirectPort final : public KadUdpPort {
 public:
  explicit DirectPort(udp::socket s) : executor_(s.get_executor()), socket_(std::move(s)) {}

  asio::awaitable<std::error_code> send_to(udp::endpoint to, std::span<const std::uint8_t> bytes) override
  {
    auto [ec, n] = co_await socket_.async_send_to(asio::buffer(bytes.data(), bytes.size()), to, use_tuple);
    co_return std::error_code(ec.value(), std::system_category());
  }

  asio::awaitable<Incoming> receive(std::vector<std::uint8_t>& buffer) override
  {
    Incoming in;
    for (int transient = 0; transient < 1000; ++transient) {
      auto [ec, size] = co_await socket_.async_receive_from(asio::buffer(buffer), in.from, use_tuple);
      if (!ec) {
        in.size = size;
        co_return in;
      }
      if (ec == asio::error::operation_aborted || !socket_.is_open()) break;
      // Otherwise e.g. ICMP port unreachable reported on the socket: go on.
    }
    in.closed = true;
    co_return in;
  }

  std::uint16_t local_port() const override
  {
    boost::system::error_code ec;
    return socket_.local_endpoint(ec).port();
  }
  std::string path() const override { return "direct"; }
  asio::any_io_executor executor() const override { return executor_; }
  void close() override
  {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  asio::any_io_executor executor_;
  udp::socket socket_;
};

class RelayedPort final : public KadUdpPort {
 public:
  RelayedPort(asio::any_io_executor executor, std::shared_ptr<proxy::Socks5UdpAssociation> a)
      : executor_(std::move(executor)), association_(std::move(a))
  {
  }

  asio::awaitable<std::error_code> send_to(udp::endpoint to, std::span<const std::uint8_t> bytes) override
  {
    if (!to.address().is_v4()) co_return std::make_error_code(std::errc::address_family_not_supported);
    const proxy::Target target{to.address().to_v4().to_bytes(), to.port()};
    co_return co_await association_->send_to(target, bytes);
  }

  asio::awaitable<Incoming> receive(std::vector<std::uint8_t>& buffer) override
  {
    Incoming in;
    // Bounded: a quiet network makes each wait end after a minute; the
    // association's loss or our close ends it at once.
    for (int quiet = 0; quiet < 100000 && association_->alive(); ++quiet) {
      auto got = co_await association_->receive(std::chrono::seconds(60));
      if (!got) continue;
      const auto* ip = std::get_if<proxy::Ipv4>(&got->source.host);
      if (!ip) continue;  // a relay reporting a name or IPv6: not a Kad peer
      in.from = udp::endpoint(asio::ip::address_v4(*ip), got->source.port);
      in.size = std::min(got->payload.size(), buffer.size());
      std::copy_n(got->payload.begin(), in.size, buffer.begin());
      co_return in;
    }
    in.closed = true;
    co_return in;
  }

  std::uint16_t local_port() const override { return 0; }
  std::string path() const override
  {
    const auto relay = association_->relay();
    return fmt::format("through the SOCKS5 relay {}:{}", relay.address().to_string(), relay.port());
  }
  asio::any_io_executor executor() const override { return executor_; }
  void close() override { association_->close(); }

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<proxy::Socks5UdpAssociation> association_;
};

}  // namespace

std::unique_ptr<KadUdpPort> KadUdpPort::bind(asio::any_io_executor executor, const asio::ip::address& address,
                                             std::uint16_t port, std::string& error)
{
  boost::system::error_code ec;
  udp::socket socket(executor);
  socket.open(udp::v4(), ec);
  if (!ec) socket.bind(udp::endpoint(address, port), ec);
  if (ec) {
    error = "cannot bind the Kad UDP port " + std::to_string(port) + ": " + ec.message();
    return nullptr;
  }
  return std::make_unique<DirectPort>(std::move(socket));
}

std::unique_ptr<KadUdpPort> KadUdpPort::through(asio::any_io_executor executor,
                                                std::shared_ptr<proxy::Socks5UdpAssociation> association)
{
  return std::make_unique<RelayedPort>(std::move(executor), std::move(association));
}

}  // namespace mulenet::kad
