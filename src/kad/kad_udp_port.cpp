#include "kad/kad_udp_port.hpp"
#include "net/use_tuple.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace mulenet::kad {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

using net::use_tuple;

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

// A datagram the relay handed us, as one from a Kad peer (false: the relay
// named a host or an IPv6 address, which is no Kad peer).
bool take_relayed(const proxy::Socks5UdpAssociation::Received& got, std::vector<std::uint8_t>& buffer,
                  KadUdpPort::Incoming& in)
{
  const auto* ip = std::get_if<proxy::Ipv4>(&got.source.host);
  if (!ip) return false;
  in.from = udp::endpoint(asio::ip::address_v4(*ip), got.source.port);
  in.size = std::min(got.payload.size(), buffer.size());
  std::copy_n(got.payload.begin(), in.size, buffer.begin());
  return true;
}

// A Kad peer as the relay's destination: IPv4 only (Kad is).
std::optional<proxy::Target> relay_target(const udp::endpoint& to)
{
  if (!to.address().is_v4()) return std::nullopt;
  return proxy::Target{to.address().to_v4().to_bytes(), to.port()};
}

std::string relay_path(const udp::endpoint& relay)
{
  return fmt::format("through the SOCKS5 relay {}:{}", relay.address().to_string(), relay.port());
}

class RelayedPort final : public KadUdpPort {
 public:
  RelayedPort(asio::any_io_executor executor, std::shared_ptr<proxy::Socks5UdpAssociation> a)
      : executor_(std::move(executor)), association_(std::move(a))
  {
  }

  asio::awaitable<std::error_code> send_to(udp::endpoint to, std::span<const std::uint8_t> bytes) override
  {
    const auto target = relay_target(to);
    if (!target) co_return std::make_error_code(std::errc::address_family_not_supported);
    co_return co_await association_->send_to(*target, bytes);
  }

  asio::awaitable<Incoming> receive(std::vector<std::uint8_t>& buffer) override
  {
    Incoming in;
    // Bounded: a quiet network makes each wait end after a minute; the
    // association's loss or our close ends it at once.
    for (int quiet = 0; quiet < 100000 && association_->alive(); ++quiet) {
      auto got = co_await association_->receive(std::chrono::seconds(60));
      if (got && take_relayed(*got, buffer, in)) co_return in;
    }
    in.closed = true;
    co_return in;
  }

  std::uint16_t local_port() const override { return 0; }
  std::string path() const override { return relay_path(association_->relay()); }
  asio::any_io_executor executor() const override { return executor_; }
  void close() override { association_->close(); }

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<proxy::Socks5UdpAssociation> association_;
};

// Through a ProxiedUdpLink (the daemon): when the proxy ends the association
// the link makes a new one; meanwhile datagrams are lost (counted), and the
// port stays open until the link is stopped.
class LinkedPort final : public KadUdpPort {
 public:
  LinkedPort(asio::any_io_executor executor, std::shared_ptr<proxy::ProxiedUdpLink> link)
      : executor_(std::move(executor)), link_(std::move(link)), pause_(executor_)
  {
  }

  asio::awaitable<std::error_code> send_to(udp::endpoint to, std::span<const std::uint8_t> bytes) override
  {
    const auto target = relay_target(to);
    if (!target) co_return std::make_error_code(std::errc::address_family_not_supported);
    co_return co_await link_->send_to(*target, bytes);
  }

  asio::awaitable<Incoming> receive(std::vector<std::uint8_t>& buffer) override
  {
    using State = proxy::ProxiedUdpLink::State;
    Incoming in;
    // Bounded: each turn waits up to a minute while the link is up, a
    // quarter second while it is being made again (at least 29 days in all).
    for (int turn = 0; turn < 10'000'000 && !closed_ && link_->state() != State::stopped; ++turn) {
      if (link_->state() == State::up) {
        const auto asked = std::chrono::steady_clock::now();
        auto got = co_await link_->receive(std::chrono::seconds(60));
        if (got && take_relayed(*got, buffer, in)) co_return in;
        // A quiet minute: wait again. Nothing at once: the association just
        // went (the link has not said so yet), so pause rather than spin.
        if (got || std::chrono::steady_clock::now() - asked >= std::chrono::seconds(1)) continue;
      }
      pause_.expires_after(std::chrono::milliseconds(250));
      co_await pause_.async_wait(use_tuple);
    }
    in.closed = true;
    co_return in;
  }

  std::uint16_t local_port() const override { return 0; }
  std::string path() const override
  {
    const auto relay = link_->relay();
    return relay ? relay_path(*relay) + " (made again when the proxy ends it)"
                 : "through the SOCKS5 proxy (its UDP association is being made again)";
  }
  asio::any_io_executor executor() const override { return executor_; }
  std::uint64_t losses() const override { return link_->losses(); }
  void close() override
  {
    closed_ = true;
    pause_.cancel();
    link_->stop();
  }

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<proxy::ProxiedUdpLink> link_;
  asio::steady_timer pause_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<KadUdpPort> KadUdpPort::through_link(asio::any_io_executor executor,
                                                     std::shared_ptr<proxy::ProxiedUdpLink> link)
{
  return std::make_unique<LinkedPort>(std::move(executor), std::move(link));
}

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
