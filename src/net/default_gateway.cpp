#include "net/default_gateway.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace mulenet::net {
namespace {

std::optional<std::uint32_t> hex32(std::string_view s)
{
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<DefaultGateway> parse_default_gateway(std::string_view text)
{
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; the
  // addresses are hex of the address in network byte order as read on a
  // little-endian host, i.e. the first octet is the lowest byte.
  std::optional<DefaultGateway> best;
  long best_metric = 0;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int n = 0; n < 10000 && std::getline(lines, line); ++n) {
    std::istringstream fields(line);
    std::string iface, dest, gw, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
    const auto d = hex32(dest), g = hex32(gw), m = hex32(mask), f = hex32(flags);
    if (!d || !g || !m || !f || *d != 0 || *m != 0 || *g == 0) continue;
    if ((*f & 0x1u) == 0) continue;  // RTF_UP
    long met = 0;
    std::from_chars(metric.data(), metric.data() + metric.size(), met);
    if (best && met >= best_metric) continue;
    const std::uint32_t a = *g;
    best = DefaultGateway{iface, fmt::format("{}.{}.{}.{}", a & 0xFFu, (a >> 8) & 0xFFu, (a >> 16) & 0xFFu,
                                             (a >> 24) & 0xFFu)};
    best_metric = met;
  }
  return best;
}

std::optional<DefaultGateway> default_gateway(const std::filesystem::path& proc_root)
{
  std::ifstream in(proc_root / "net" / "route");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_default_gateway(text.str());
}

}  // namespace mulenet::net
