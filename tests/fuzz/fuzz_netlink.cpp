// rtnetlink datagrams (net/netlink_message.hpp). Properties: no read outside
// the datagram (the sanitizers tell); a datagram that is a change stays one
// when more bytes follow it; and cutting a change's datagram in the middle of
// its first message never makes a change of it by itself.
// ctest: -runs=100000 -max_len=4096
#include <vector>

#include <linux/netlink.h>

#include "fuzz_check.hpp"
#include "net/netlink_message.hpp"

using namespace mulenet::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::span<const std::uint8_t> datagram(data, size);
  const bool change = is_network_change(datagram);
  if (!change) return 0;
  std::vector<std::uint8_t> longer(data, data + size);
  longer.resize(size + 64, 0xAB);
  FUZZ_CHECK(is_network_change(longer), "bytes after a change do not undo it");
  if (size >= sizeof(nlmsghdr)) {
    const std::span<const std::uint8_t> header_only(data, sizeof(nlmsghdr) - 1);
    FUZZ_CHECK(!is_network_change(header_only), "less than one header is no change");
  }
  return 0;
}
