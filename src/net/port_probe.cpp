#include "net/port_probe.hpp"

#include <exception>
#include <optional>

// GCC 12 at -O2 reports "potential null pointer dereference" inside Asio's
// own scheduler and executor code once it is inlined here; the code is
// Asio's, not ours, so the warning is silenced for these headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/system/error_code.hpp>
#pragma GCC diagnostic pop

namespace mulenet::net {
namespace {

namespace asio = boost::asio;
namespace errc = boost::system::errc;

BindProbe from_error(const boost::system::error_code& ec) {
  if (!ec) return {BindStatus::free, {}};
  BindStatus status = BindStatus::error;
  if (ec == errc::address_in_use) {
    status = BindStatus::in_use;
  } else if (ec == errc::permission_denied || ec == errc::operation_not_permitted) {
    status = BindStatus::permission_denied;
  } else if (ec == errc::address_not_available) {
    status = BindStatus::address_unavailable;
  }
  return {status, ec.message()};
}

std::optional<asio::ip::address> parse_bind_address(std::string_view text, std::string& why) {
  if (text.empty()) return asio::ip::address_v4::any();
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(text), ec);
  if (ec) {
    why = "invalid bind address '" + std::string(text) + "': not an IPv4 or IPv6 literal";
    return std::nullopt;
  }
  return address;
}

BindProbe probe_tcp(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint) {
  asio::ip::tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  boost::system::error_code ignored;
  acceptor.close(ignored);
  return from_error(ec);
}

BindProbe probe_udp(asio::io_context& io, const asio::ip::udp::endpoint& endpoint) {
  asio::ip::udp::socket socket(io);
  boost::system::error_code ec;
  socket.open(endpoint.protocol(), ec);
  if (!ec) socket.bind(endpoint, ec);
  boost::system::error_code ignored;
  socket.close(ignored);
  return from_error(ec);
}

}  // namespace

const char* to_string(BindStatus status) {
  switch (status) {
    case BindStatus::free: return "free";
    case BindStatus::in_use: return "in use";
    case BindStatus::permission_denied: return "permission denied";
    case BindStatus::address_unavailable: return "address unavailable";
    case BindStatus::error: return "error";
  }
  return "error";
}

BindProbe probe_bind(config::Protocol protocol, std::uint16_t port, std::string_view bind_address) {
  std::string why;
  const auto address = parse_bind_address(bind_address, why);
  if (!address) return {BindStatus::error, why};
  // The io_context only lends the sockets an executor; nothing runs on it.
  // Its constructor and string building can still throw (no fds left, no
  // memory), and this function promises not to.
  try {
    asio::io_context io;
    if (protocol == config::Protocol::tcp) return probe_tcp(io, {*address, port});
    return probe_udp(io, {*address, port});
  } catch (const std::exception& e) {
    return {BindStatus::error, e.what()};
  }
}

}  // namespace mulenet::net
