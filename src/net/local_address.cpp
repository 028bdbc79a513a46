#include "net/local_address.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace mulenet::net {

std::optional<std::string> local_address_toward(std::string_view remote_ip, std::string& error)
{
  boost::system::error_code ec;
  const auto remote = boost::asio::ip::make_address(std::string(remote_ip), ec);
  if (ec) {
    error = "not an IP address: " + std::string(remote_ip);
    return std::nullopt;
  }
  boost::asio::io_context io;
  boost::asio::ip::udp::socket socket(io);
  socket.open(remote.is_v4() ? boost::asio::ip::udp::v4() : boost::asio::ip::udp::v6(), ec);
  if (!ec) socket.connect({remote, 9}, ec);  // UDP connect only picks a route and a source address
  if (ec) {
    error = "no route to " + std::string(remote_ip) + ": " + ec.message();
    return std::nullopt;
  }
  const auto local = socket.local_endpoint(ec);
  if (ec) {
    error = ec.message();
    return std::nullopt;
  }
  return local.address().to_string();
}

}  // namespace mulenet::net
