#include "net/port_probe.hpp"

#include <cerrno>
#include <exception>
#include <optional>

#include <sys/socket.h>

// GCC 12 at -O2 reports "potential null pointer dereference" inside Asio's
// own scheduler and executor code once it is inlined here; the code is
// Asio's, not ours, so the warning is silenced for these headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/system/error_code.hpp>
#pragma GCC diagnostic pop

#include "net/unique_fd.hpp"

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

// Plain sockets, not Asio ones: a probe binds and closes at once, nothing
// waits, so no io_context is needed. Asio's endpoint gives the sockaddr.
boost::system::error_code last_error() { return {errno, boost::system::system_category()}; }

template <typename Endpoint>
BindProbe probe(const Endpoint& endpoint, int type, bool listen) {
  const int family = endpoint.address().is_v4() ? AF_INET : AF_INET6;
  const UniqueFd fd(::socket(family, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return from_error(last_error());
  const int on = 1;
  if (listen && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return from_error(last_error());
  if (::bind(fd.get(), endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) return from_error(last_error());
  if (listen && ::listen(fd.get(), SOMAXCONN) != 0) return from_error(last_error());
  return from_error({});
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
  // String building can still throw (no memory), and this function promises not to.
  try {
    if (protocol == config::Protocol::tcp) return probe(asio::ip::tcp::endpoint(*address, port), SOCK_STREAM, true);
    return probe(asio::ip::udp::endpoint(*address, port), SOCK_DGRAM, false);
  } catch (const std::exception& e) {
    return {BindStatus::error, e.what()};
  }
}

}  // namespace mulenet::net
