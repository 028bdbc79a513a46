#include "net/unique_fd.hpp"

#include <unistd.h>

namespace mulenet::net {

void UniqueFd::reset() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace mulenet::net
