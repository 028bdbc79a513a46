#pragma once
// Tells when this host's IPv4 addresses, routes or links change (Linux
// rtnetlink, the groups RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE):
// a new LAN address, another gateway or default route, an interface going
// down. The owner then looks again (the Mapper re-discovers the router).
// Nothing is parsed beyond the message types: what changed is read afresh
// from the kernel by whoever is told.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

namespace mulenet::net {

class NetlinkWatch {
 public:
  struct State;
  explicit NetlinkWatch(std::shared_ptr<State> state);
  ~NetlinkWatch();
  NetlinkWatch(const NetlinkWatch&) = delete;
  NetlinkWatch& operator=(const NetlinkWatch&) = delete;

  // nullptr and `error` when no netlink socket can be opened (then only the
  // periodic checks notice changes).
  static std::unique_ptr<NetlinkWatch> start(boost::asio::any_io_executor executor, std::function<void()> on_change,
                                             std::string& error);
  void stop();  // no callback after it

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mulenet::net
