#include "net/netlink_watch.hpp"

#include "net/netlink_message.hpp"

#include <array>
#include <cerrno>
#include <cstring>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mulenet::net {

namespace asio = boost::asio;

struct NetlinkWatch::State {
  explicit State(asio::posix::stream_descriptor s) : socket(std::move(s)) {}
  asio::posix::stream_descriptor socket;
  std::function<void()> on_change;
  bool stopped = false;
};

namespace {

asio::awaitable<void> read_loop(std::shared_ptr<NetlinkWatch::State> st)
{
  std::array<std::uint8_t, 16 * 1024> buffer{};
  for (std::uint64_t n = 0; n < 1'000'000'000ULL && !st->stopped; ++n) {
    auto [ec, got] = co_await st->socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (st->stopped || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
    if (ec) continue;  // ENOBUFS (the kernel dropped messages): something changed all the same
    if (is_network_change(std::span(buffer.data(), got)) && st->on_change) st->on_change();
  }
}

}  // namespace

NetlinkWatch::NetlinkWatch(std::shared_ptr<State> state) : state_(std::move(state)) {}
NetlinkWatch::~NetlinkWatch() { stop(); }

std::unique_ptr<NetlinkWatch> NetlinkWatch::start(asio::any_io_executor executor, std::function<void()> on_change,
                                                  std::string& error)
{
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) {
    error = std::string("cannot open a netlink socket: ") + std::strerror(errno);
    return nullptr;
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    error = std::string("cannot listen to netlink: ") + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  auto st = std::make_shared<State>(asio::posix::stream_descriptor(executor, fd));
  st->on_change = std::move(on_change);
  asio::co_spawn(executor, read_loop(st), asio::detached);
  return std::make_unique<NetlinkWatch>(st);
}

void NetlinkWatch::stop()
{
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  state_->on_change = nullptr;
  boost::system::error_code ignored;
  state_->socket.close(ignored);
}

}  // namespace mulenet::net
