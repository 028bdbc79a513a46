#include "net/port_probe.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <thread>

#include "net/proc_net.hpp"

// GCC 12 -O2 warns inside Asio's own inlined code; see src/net/port_probe.cpp.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#pragma GCC diagnostic pop

namespace mulenet::net {
namespace {

namespace asio = boost::asio;
using config::Protocol;

const auto kLoopback = asio::ip::make_address_v4("127.0.0.1");

// A port nobody held a moment ago: the kernel picks it, we let it go.
std::uint16_t unused_tcp_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {kLoopback, 0});
  return acceptor.local_endpoint().port();
}

bool ipv6_available() { return std::filesystem::exists("/proc/net/if_inet6"); }

TEST(NetPortProbe, InvalidAddressIsAnErrorNotAThrow) {
  for (const char* address : {"not-an-address", "300.1.1.1", "127.0.0.1:80", " 127.0.0.1", "::g"}) {
    const auto probe = probe_bind(Protocol::tcp, 4662, address);
    EXPECT_EQ(probe.status, BindStatus::error) << address;
    EXPECT_NE(probe.detail.find("invalid bind address"), std::string::npos) << probe.detail;
    EXPECT_NE(probe.detail.find(address), std::string::npos) << probe.detail;
  }
  EXPECT_EQ(probe_bind(Protocol::udp, 4672, "localhost").status, BindStatus::error);
}

TEST(NetPortProbe, FreeTcpPortOnAllAddresses) {
  const auto probe = probe_bind(Protocol::tcp, unused_tcp_port(), "");
  EXPECT_EQ(probe.status, BindStatus::free) << probe.detail;
  EXPECT_EQ(probe.detail, "");
}

TEST(NetPortProbe, TcpListenerMakesThePortInUse) {
  asio::io_context io;
  asio::ip::tcp::acceptor listener(io, {kLoopback, 0});
  const auto port = listener.local_endpoint().port();
  EXPECT_EQ(probe_bind(Protocol::tcp, port, "127.0.0.1").status, BindStatus::in_use);
  const auto wildcard = probe_bind(Protocol::tcp, port, "");
  EXPECT_EQ(wildcard.status, BindStatus::in_use);
  EXPECT_FALSE(wildcard.detail.empty());
}

TEST(NetPortProbe, UdpSocketMakesThePortInUse) {
  asio::io_context io;
  asio::ip::udp::socket socket(io, {kLoopback, 0});
  const auto port = socket.local_endpoint().port();
  EXPECT_EQ(probe_bind(Protocol::udp, port, "127.0.0.1").status, BindStatus::in_use);
  EXPECT_EQ(probe_bind(Protocol::udp, port, "").status, BindStatus::in_use);
}

TEST(NetPortProbe, AddressNotOnThisHostIsUnavailable) {
  // 192.0.2.0/24 is TEST-NET-1, documentation only: never a local address.
  EXPECT_EQ(probe_bind(Protocol::tcp, 4662, "192.0.2.1").status, BindStatus::address_unavailable);
  EXPECT_EQ(probe_bind(Protocol::udp, 4672, "192.0.2.1").status, BindStatus::address_unavailable);
}

TEST(NetPortProbe, Ipv6LiteralsAreAccepted) {
  if (!ipv6_available()) GTEST_SKIP() << "no IPv6 on this host";
  EXPECT_EQ(probe_bind(Protocol::tcp, unused_tcp_port(), "::1").status, BindStatus::free);
  EXPECT_EQ(probe_bind(Protocol::udp, 0, "::").status, BindStatus::free);
  EXPECT_EQ(probe_bind(Protocol::tcp, 4662, "2001:db8::1").status, BindStatus::address_unavailable);
}

bool time_wait_on(std::uint16_t port) {
  for (const auto& socket : read_proc_net(Protocol::tcp, "/proc")) {
    if (socket.local_port == port && socket.state == 0x06) return true;
  }
  return false;
}

TEST(NetPortProbe, TcpPortInTimeWaitCountsAsFree) {
  asio::io_context io;
  asio::ip::tcp::acceptor listener(io, {kLoopback, 0});  // SO_REUSEADDR, like aMule
  const auto port = listener.local_endpoint().port();
  asio::ip::tcp::socket client(io);
  client.connect({kLoopback, port});
  listener.non_blocking(true);
  asio::ip::tcp::socket served(io);
  boost::system::error_code ec = asio::error::would_block;
  for (int i = 0; i < 500 && ec; ++i) {
    listener.accept(served, ec);
    if (ec) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(ec) << ec.message();
  // The side that closes first keeps the TIME_WAIT, here on the server port.
  served.close();
  client.close();
  listener.close();
  bool waiting = time_wait_on(port);
  for (int i = 0; i < 500 && !waiting; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    waiting = time_wait_on(port);
  }
  ASSERT_TRUE(waiting) << "no TIME_WAIT socket appeared on port " << port;
  const auto probe = probe_bind(Protocol::tcp, port, "127.0.0.1");
  EXPECT_EQ(probe.status, BindStatus::free) << probe.detail;
}

TEST(NetPortProbe, StatusNames) {
  EXPECT_STREQ(to_string(BindStatus::free), "free");
  EXPECT_STREQ(to_string(BindStatus::in_use), "in use");
  EXPECT_STREQ(to_string(BindStatus::permission_denied), "permission denied");
  EXPECT_STREQ(to_string(BindStatus::address_unavailable), "address unavailable");
  EXPECT_STREQ(to_string(BindStatus::error), "error");
}

}  // namespace
}  // namespace mulenet::net
