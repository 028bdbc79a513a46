#pragma once
// One zlib stream (RFC 1950, with its header), as eD2k packed packets and EC
// frames carry them. Inflating is bounded: a stream that would grow beyond
// `max_size` (a zlib bomb) is refused before more memory is taken.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mulenet::net {

struct Inflated {
  std::vector<std::uint8_t> data;
  std::string error;  // empty on success: "inflates to more than N bytes", "bad or truncated zlib data"
  [[nodiscard]] bool ok() const { return error.empty(); }
};
[[nodiscard]] Inflated inflate_bounded(std::span<const std::uint8_t> stream, std::size_t max_size);

// The stream of `data` at the best compression; nullopt if zlib fails.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> deflate_best(std::span<const std::uint8_t> data);

}  // namespace mulenet::net
