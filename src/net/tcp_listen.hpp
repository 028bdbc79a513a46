#pragma once
// A TCP listener opened as each of our servers opens one (the client
// listener, the status page, EC, the router-event callback): one place for
// the socket options, and for the words of a failure, which name the
// process holding a busy port, so that the user knows what to stop.
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace mulenet::net {

// An address from a config key: "" is every IPv4 address, "localhost" is
// 127.0.0.1; nullopt when the text is no IP address.
[[nodiscard]] std::optional<boost::asio::ip::address> listen_address(const std::string& text);

// Opens, binds (SO_REUSEADDR: a restart is not refused for connections in
// TIME_WAIT) and listens; nullopt with `ec` set when any step fails.
[[nodiscard]] std::optional<boost::asio::ip::tcp::acceptor> listen_tcp(const boost::asio::any_io_executor& executor,
                                                                       const boost::asio::ip::tcp::endpoint& endpoint,
                                                                       int backlog, boost::system::error_code& ec);

// The failure in words: "Address already in use; held by PID 42 (amuled)",
// the holder named when the port was busy and its owner can be seen.
[[nodiscard]] std::string listen_failure_text(const boost::system::error_code& ec, std::uint16_t port);

}  // namespace mulenet::net
