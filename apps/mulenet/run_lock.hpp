#pragma once
// One `mulenet run` per amule.conf: a lock file next to it (flock, so a
// crashed daemon leaves no stale lock) holding the daemon's PID, which the
// second one names when it refuses.
#include <filesystem>
#include <optional>
#include <string>

namespace mulenet::cli {

class RunLock {
 public:
  // nullopt and `error` (naming the PID of the running daemon) when it is held.
  static std::optional<RunLock> take(const std::filesystem::path& config_path, std::string& error);
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();

 private:
  RunLock(int fd, std::filesystem::path path);
  int fd_ = -1;
  std::filesystem::path path_;
};

[[nodiscard]] std::filesystem::path run_lock_path(const std::filesystem::path& config_path);

}  // namespace mulenet::cli
