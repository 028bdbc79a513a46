#include "net/local_address.hpp"

#include <cerrno>

#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>

#include "net/unique_fd.hpp"

namespace mulenet::net {

// A plain socket, not an Asio one: nothing waits here, so no io_context is
// needed (the program has one, owned by whoever runs the network work).
std::optional<std::string> local_address_toward(std::string_view remote_ip, std::string& error)
{
  boost::system::error_code ec;
  const auto remote = boost::asio::ip::make_address(std::string(remote_ip), ec);
  if (ec) {
    error = "not an IP address: " + std::string(remote_ip);
    return std::nullopt;
  }
  const boost::asio::ip::udp::endpoint to(remote, 9);
  const UniqueFd fd(::socket(remote.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  // UDP connect only picks a route and a source address; nothing is sent.
  if (!fd.valid() || ::connect(fd.get(), to.data(), static_cast<socklen_t>(to.size())) != 0) {
    error = "no route to " + std::string(remote_ip) + ": " +
            boost::system::error_code(errno, boost::system::system_category()).message();
    return std::nullopt;
  }
  boost::asio::ip::udp::endpoint local;
  auto size = static_cast<socklen_t>(local.capacity());
  if (::getsockname(fd.get(), local.data(), &size) != 0) {
    error = boost::system::error_code(errno, boost::system::system_category()).message();
    return std::nullopt;
  }
  local.resize(size);
  return local.address().to_string();
}

}  // namespace mulenet::net
