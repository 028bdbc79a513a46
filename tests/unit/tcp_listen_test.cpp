// The listener every server of ours opens: a busy port is refused with the
// holder named (here this very test process), and config addresses parse as
// the servers document them.
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "net/tcp_listen.hpp"

namespace {

namespace asio = boost::asio;
using mulenet::net::listen_address;
using mulenet::net::listen_failure_text;
using mulenet::net::listen_tcp;

TEST(TcpListen, ABusyPortNamesItsHolder)
{
  asio::io_context io;
  boost::system::error_code ec;
  auto first = listen_tcp(io.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, 4, ec);
  ASSERT_TRUE(first) << ec.message();
  const auto port = first->local_endpoint().port();
  auto second = listen_tcp(io.get_executor(), {asio::ip::make_address("127.0.0.1"), port}, 4, ec);
  EXPECT_FALSE(second);
  EXPECT_EQ(ec, asio::error::address_in_use);
  const std::string text = listen_failure_text(ec, port);
  EXPECT_NE(text.find("held by PID " + std::to_string(::getpid())), std::string::npos) << text;
}

TEST(TcpListen, OtherFailuresAreOnlyTheirMessage)
{
  const boost::system::error_code denied = asio::error::access_denied;
  EXPECT_EQ(listen_failure_text(denied, 80), denied.message());
}

TEST(TcpListen, ConfigAddresses)
{
  EXPECT_EQ(listen_address("")->to_string(), "0.0.0.0");
  EXPECT_EQ(listen_address("localhost")->to_string(), "127.0.0.1");
  EXPECT_EQ(listen_address("::1")->to_string(), "::1");
  EXPECT_FALSE(listen_address("my-host"));
  EXPECT_FALSE(listen_address("127.0.0.1 "));
}

}  // namespace
