// Netlink: which datagrams mean "the network changed" (pure, with made-up
// messages, truncated and hostile ones), and the watch told when an address
// is added to the loopback interface (root only: it changes the host's lo).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/netlink_message.hpp"
#include "net/netlink_watch.hpp"
#include "net/run_command.hpp"

namespace mulenet::net {
namespace {

std::vector<std::uint8_t> message(std::uint16_t type, std::uint32_t length = NLMSG_LENGTH(8))
{
  std::vector<std::uint8_t> out(NLMSG_ALIGN(std::max<std::uint32_t>(length, sizeof(nlmsghdr))), 0);
  nlmsghdr h{};
  h.nlmsg_len = length;
  h.nlmsg_type = type;
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

TEST(NetlinkWatch, AddressRouteAndLinkMessagesAreChanges)
{
  for (const std::uint16_t type : {RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWLINK, RTM_DELLINK})
    EXPECT_TRUE(is_network_change(message(type))) << type;
  EXPECT_FALSE(is_network_change(message(RTM_NEWNEIGH)));
  EXPECT_FALSE(is_network_change(message(NLMSG_DONE)));
  // The second of two messages counts too.
  auto two = message(RTM_NEWNEIGH);
  const auto addr = message(RTM_NEWADDR);
  two.insert(two.end(), addr.begin(), addr.end());
  EXPECT_TRUE(is_network_change(two));
}

TEST(NetlinkWatch, BrokenDatagramsAreNoChange)
{
  EXPECT_FALSE(is_network_change({}));
  auto cut = message(RTM_NEWADDR);
  cut.resize(8);
  EXPECT_FALSE(is_network_change(cut));
  EXPECT_FALSE(is_network_change(message(RTM_NEWADDR, 4)));      // shorter than its header
  auto claims_more = message(RTM_NEWADDR, 60000);  // says 60000 bytes, brings 32
  claims_more.resize(32);
  EXPECT_FALSE(is_network_change(claims_more));
  std::vector<std::uint8_t> junk(4096, 0xFF);
  EXPECT_FALSE(is_network_change(junk));
}

TEST(NetlinkWatch, ToldWhenAnAddressIsAdded)
{
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (adds an address to lo)";
  boost::asio::io_context io;
  int told = 0;
  std::string error;
  auto watch = NetlinkWatch::start(io.get_executor(), [&] { ++told; }, error);
  ASSERT_TRUE(watch) << error;
  const std::string address = "127.0.0.93/8";
  boost::asio::steady_timer add(io, std::chrono::milliseconds(100));
  add.async_wait([&](boost::system::error_code) {
    (void)run_command({"ip", "addr", "add", address, "dev", "lo"}, std::chrono::seconds(5));
  });
  boost::asio::steady_timer done(io, std::chrono::seconds(2));
  done.async_wait([&](boost::system::error_code) { watch->stop(); });
  io.run_for(std::chrono::seconds(10));
  (void)run_command({"ip", "addr", "del", address, "dev", "lo"}, std::chrono::seconds(5));
  EXPECT_GE(told, 1);
}

}  // namespace
}  // namespace mulenet::net
