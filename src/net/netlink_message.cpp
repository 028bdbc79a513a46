#include "net/netlink_message.hpp"

#include <cstring>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

namespace mulenet::net {

bool is_network_change(std::span<const std::uint8_t> d)
{
  std::size_t at = 0;
  for (int n = 0; n < 1024 && at + sizeof(nlmsghdr) <= d.size(); ++n) {
    nlmsghdr h{};
    std::memcpy(&h, d.data() + at, sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > d.size() - at) return false;
    switch (h.nlmsg_type) {
      case RTM_NEWADDR:
      case RTM_DELADDR:
      case RTM_NEWROUTE:
      case RTM_DELROUTE:
      case RTM_NEWLINK:
      case RTM_DELLINK: return true;
      default: break;
    }
    at += NLMSG_ALIGN(h.nlmsg_len);
  }
  return false;
}

}  // namespace mulenet::net
