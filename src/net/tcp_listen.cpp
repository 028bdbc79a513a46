#include "net/tcp_listen.hpp"

#include <fmt/format.h>

#include "net/port_holder.hpp"

namespace mulenet::net {

namespace asio = boost::asio;

std::optional<asio::ip::address> listen_address(const std::string& text)
{
  if (text.empty()) return asio::ip::address(asio::ip::address_v4::any());
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(text == "localhost" ? "127.0.0.1" : text, ec);
  if (ec) return std::nullopt;
  return ip;
}

std::optional<asio::ip::tcp::acceptor> listen_tcp(const asio::any_io_executor& executor,
                                                  const asio::ip::tcp::endpoint& endpoint, int backlog,
                                                  boost::system::error_code& ec)
{
  asio::ip::tcp::acceptor acceptor(executor);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(backlog, ec);
  if (ec) return std::nullopt;
  return acceptor;
}

std::string listen_failure_text(const boost::system::error_code& ec, std::uint16_t port)
{
  std::string text = ec.message();
  if (ec != asio::error::address_in_use) return text;
  if (const auto holder = find_port_holder(config::Protocol::tcp, port))
    text += fmt::format("; held by PID {} ({})", holder->pid, holder->command);
  return text;
}

}  // namespace mulenet::net
