#include "net/random_bytes.hpp"

#include <cerrno>

#include <sys/random.h>

namespace mulenet::net {

bool random_bytes(void* out, std::size_t size)
{
  auto* at = static_cast<unsigned char*>(out);
  // getrandom returns at most 32 MiB per call and may be cut short by a
  // signal: a bounded number of calls covers any size we ask for.
  for (int calls = 0; size > 0 && calls < 64; ++calls) {
    const ssize_t got = getrandom(at, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    at += got;
    size -= static_cast<std::size_t>(got);
  }
  return size == 0;
}

}  // namespace mulenet::net
