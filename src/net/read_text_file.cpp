#include "net/read_text_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "net/unique_fd.hpp"

namespace mulenet::net {

std::optional<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return std::nullopt;

  std::string text;
  std::array<char, 64 * 1024> buffer{};
  // Each pass either adds at least one byte, stops, or is an EINTR retry,
  // and those are counted too.
  int interrupted = 0;
  while (text.size() < max_bytes) {
    const std::size_t want = std::min(buffer.size(), max_bytes - text.size());
    const ssize_t n = ::read(fd.get(), buffer.data(), want);
    if (n > 0) {
      text.append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EINTR && ++interrupted < 100) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;  // a pipe or FIFO with nothing in it: take what we have
    } else {
      return std::nullopt;
    }
  }
  return text;
}

}  // namespace mulenet::net
