#include "net/zlib_stream.hpp"

#include <fmt/format.h>
#include <zlib.h>

namespace mulenet::net {

Inflated inflate_bounded(std::span<const std::uint8_t> stream, std::size_t max_size)
{
  Inflated result;
  z_stream z{};
  if (inflateInit(&z) != Z_OK) {
    result.error = "zlib cannot start";
    return result;
  }
  std::vector<std::uint8_t> chunk(16 * 1024);
  z.next_in = const_cast<Bytef*>(stream.data());  // zlib's API is not const-correct
  z.avail_in = static_cast<uInt>(stream.size());
  int rc = Z_OK;
  // Bounded: each round either produces output (at most max_size in all) or ends.
  for (std::size_t round = 0; round <= max_size / chunk.size() + 2; ++round) {
    z.next_out = chunk.data();
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - z.avail_out;
    if (result.data.size() + produced > max_size) {
      inflateEnd(&z);
      result.data.clear();
      result.error = fmt::format("inflates to more than {} bytes", max_size);
      return result;
    }
    result.data.insert(result.data.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK || (produced == 0 && z.avail_in == 0)) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    result.data.clear();
    result.error = "bad or truncated zlib data";
  }
  return result;
}

std::optional<std::vector<std::uint8_t>> deflate_best(std::span<const std::uint8_t> data)
{
  uLongf bound = compressBound(static_cast<uLong>(data.size()));
  std::vector<std::uint8_t> out(bound);
  if (compress2(out.data(), &bound, data.data(), static_cast<uLong>(data.size()), Z_BEST_COMPRESSION) != Z_OK) {
    return std::nullopt;
  }
  out.resize(bound);
  return out;
}

}  // namespace mulenet::net
