#pragma once
// Owns one POSIX file descriptor so that every early return closes it; used
// by the code that talks to child processes and /proc.
#include <utility>

namespace mulenet::net {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }

  // Closes now. Not retried on EINTR: on Linux the descriptor is released
  // even then, and a retry could close a number another thread just got.
  void reset();

 private:
  int fd_ = -1;
};

}  // namespace mulenet::net
