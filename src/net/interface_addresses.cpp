#include "net/interface_addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstring>

namespace mulenet::net {

std::vector<std::uint32_t> interface_ipv4_addresses()
{
  std::vector<std::uint32_t> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i != nullptr && out.size() < 4096; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    sockaddr_in in{};
    std::memcpy(&in, i->ifa_addr, sizeof in);
    out.push_back(ntohl(in.sin_addr.s_addr));
  }
  freeifaddrs(list);
  return out;
}

}  // namespace mulenet::net
