#include "net/interface_prefix.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <bit>
#include <cstring>

namespace mulenet::net {

std::optional<unsigned> prefix_length_of(const std::string& local_address)
{
  in_addr wanted{};
  if (inet_pton(AF_INET, local_address.c_str(), &wanted) != 1) return std::nullopt;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<unsigned> out;
  int guard = 0;
  for (const ifaddrs* i = list; i != nullptr && guard < 4096; i = i->ifa_next, ++guard) {
    if (i->ifa_addr == nullptr || i->ifa_netmask == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    sockaddr_in addr{};
    sockaddr_in mask{};
    std::memcpy(&addr, i->ifa_addr, sizeof addr);
    std::memcpy(&mask, i->ifa_netmask, sizeof mask);
    if (addr.sin_addr.s_addr != wanted.s_addr) continue;
    out = static_cast<unsigned>(std::popcount(ntohl(mask.sin_addr.s_addr)));
    break;
  }
  freeifaddrs(list);
  return out;
}

}  // namespace mulenet::net
