#include "run_lock.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace mulenet::cli {

std::filesystem::path run_lock_path(const std::filesystem::path& config_path)
{
  return config_path.parent_path() / "mulenet-run.lock";
}

RunLock::RunLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

RunLock::~RunLock()
{
  if (fd_ < 0) return;
  // The file stays (another daemon may already wait on it); emptied, unlocked.
  if (::ftruncate(fd_, 0) != 0) { /* nothing to do: the lock goes with the descriptor */ }
  ::close(fd_);
}

std::optional<RunLock> RunLock::take(const std::filesystem::path& config_path, std::string& error)
{
  const std::filesystem::path path = run_lock_path(config_path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("?");
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    error = "another mulenet run (PID " + pid + ") already runs on " + config_path.string() +
            ": stop it first (kill " + pid + "), or give this one another --config";
    ::close(fd);
    return std::nullopt;
  }
  const std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    error = "cannot write " + path.string() + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  return RunLock(fd, path);
}

}  // namespace mulenet::cli
