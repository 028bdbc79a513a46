// /proc/net/{tcp,udp}[6] tables (net/proc_net.hpp). Properties: addresses are
// 4 or 16 bytes; at most one socket a line; lines are independent, so the
// table cut at any line break parses to the two halves' sockets; and a
// socket printed back the way the kernel prints it parses to itself.
// ctest: -runs=60000 -max_len=2048
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "net/proc_net.hpp"

using namespace mulenet::net;

namespace {

bool same(const ProcNetSocket& a, const ProcNetSocket& b)
{
  return a.local_address == b.local_address && a.local_port == b.local_port && a.state == b.state &&
         a.inode == b.inode;
}

bool same(const std::vector<ProcNetSocket>& a, const std::vector<ProcNetSocket>& b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}

// One line as the kernel prints it (tcp4_seq_show/tcp6_seq_show): each
// 32-bit word of the address as a host-order integer.
std::string kernel_line(const ProcNetSocket& s)
{
  std::string address;
  for (std::size_t offset = 0; offset < s.local_address.size(); offset += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, s.local_address.data() + offset, 4);
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08X", word);
    address += hex;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "   0: %s:%04X %s:0000 %02X 00000000:00000000 00:00000000 00000000  1000        0 %llu 1 0 100 0 0 10 0\n",
                address.c_str(), s.local_port, std::string(address.size(), '0').c_str(), s.state,
                static_cast<unsigned long long>(s.inode));
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = mulenet::fuzz::text(data, size);
  const auto sockets = parse_proc_net(text);

  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  FUZZ_CHECK(sockets.size() <= lines + 1, "at most one socket a line");

  for (const auto& socket : sockets) {
    FUZZ_CHECK(socket.local_address.size() == 4 || socket.local_address.size() == 16, "an address is 4 or 16 bytes");
    const auto again = parse_proc_net(kernel_line(socket));
    FUZZ_CHECK(again.size() == 1 && same(again.front(), socket), "a socket printed like the kernel parses to itself");
  }

  // Cut after a line break near the middle: the halves parse to the whole.
  const std::size_t cut = text.find('\n', text.size() / 2);
  if (cut != std::string_view::npos) {
    auto halves = parse_proc_net(text.substr(0, cut + 1));
    const auto second = parse_proc_net(text.substr(cut + 1));
    halves.insert(halves.end(), second.begin(), second.end());
    FUZZ_CHECK(same(halves, sockets), "lines are parsed independently");
  }
  return 0;
}
