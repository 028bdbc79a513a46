#include "net/run_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <system_error>

#include "net/unique_fd.hpp"

extern char** environ;  // the child gets the same environment we have

namespace mulenet::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// While the pipes are open we still wake up this often, to notice a child
// that exited but left a grandchild holding its stdout.
constexpr milliseconds kPollSlice{50};
// Once both pipes are closed we only wait for the exit status, which follows
// within moments; check it more often.
constexpr milliseconds kReapSlice{2};
// After the child exited, how long to keep reading output that is still
// arriving (normally EOF is immediate; only a grandchild can delay it).
constexpr milliseconds kDrainAfterExit{200};
constexpr std::size_t kReadChunk = 64 * 1024;
// Longer timeouts are cut to this, which keeps now() + timeout far from
// overflowing the clock (milliseconds::max() would).
constexpr milliseconds kLongestTimeout = std::chrono::hours(24);

std::string describe_errno(int error_number) {
  return std::system_category().message(error_number);
}

// pipe2 hands out the lowest free numbers. If our own stdin/stdout/stderr
// are closed, an end could land on 0..2 and be clobbered by the dup2 onto
// 0..2 in the child, so such ends are moved to 3 or above.
bool lift_above_stdio(UniqueFd& fd) {
  if (fd.get() > STDERR_FILENO) return true;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return false;
  fd = UniqueFd(moved);
  return true;
}

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

// Both ends close-on-exec: the child only keeps the copies that the spawn
// file actions dup2 onto 1 and 2. The read end is non-blocking so that a
// spurious wake-up can never stall us in read().
std::optional<Pipe> make_pipe(int& error_number) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
    error_number = errno;
    return std::nullopt;
  }
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  // The write end must block in the child like any ordinary stdout would.
  const int flags = ::fcntl(pipe.write_end.get(), F_GETFL);
  if (flags < 0 || ::fcntl(pipe.write_end.get(), F_SETFL, flags & ~O_NONBLOCK) != 0 ||
      !lift_above_stdio(pipe.read_end) || !lift_above_stdio(pipe.write_end)) {
    error_number = errno;
    return std::nullopt;
  }
  return pipe;
}

class SpawnFileActions {
 public:
  SpawnFileActions() { ok_ = ::posix_spawn_file_actions_init(&actions_) == 0; }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  ~SpawnFileActions() {
    if (ok_) ::posix_spawn_file_actions_destroy(&actions_);
  }
  [[nodiscard]] bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { ok_ = ::posix_spawnattr_init(&attributes_) == 0; }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  ~SpawnAttributes() {
    if (ok_) ::posix_spawnattr_destroy(&attributes_);
  }
  [[nodiscard]] bool ok() const { return ok_; }
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_{};
  bool ok_ = false;
};

// stdin from /dev/null so the program can never wait for a terminal;
// stdout/stderr into our pipes; every other descriptor of ours closed, so a
// listening socket we hold does not leak into e.g. nft and keep a port busy.
bool set_up_descriptors(SpawnFileActions& actions, const Pipe& out, const Pipe& err) {
  posix_spawn_file_actions_t* a = actions.get();
  if (::posix_spawn_file_actions_addopen(a, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0) return false;
  if (::posix_spawn_file_actions_adddup2(a, out.write_end.get(), STDOUT_FILENO) != 0) return false;
  if (::posix_spawn_file_actions_adddup2(a, err.write_end.get(), STDERR_FILENO) != 0) return false;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  if (::posix_spawn_file_actions_addclosefrom_np(a, STDERR_FILENO + 1) != 0) return false;
#endif
  return true;
}

// Its own process group, so that a timeout can kill everything it started;
// default signal handling and an empty mask, whatever we ignore or block.
bool set_up_attributes(SpawnAttributes& attributes) {
  posix_spawnattr_t* a = attributes.get();
  sigset_t all_signals;
  sigset_t no_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  sigemptyset(&no_signals);
  const short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  return ::posix_spawnattr_setflags(a, flags) == 0 && ::posix_spawnattr_setpgroup(a, 0) == 0 &&
         ::posix_spawnattr_setsigmask(a, &no_signals) == 0 &&
         ::posix_spawnattr_setsigdefault(a, &all_signals) == 0;
}

enum class ChildState { running, exited, lost };

// Non-blocking look at the child. `lost` means its status can no longer be
// had (e.g. SIGCHLD is ignored and the kernel reaped it already).
ChildState try_reap(pid_t pid, int& status) {
  for (int attempt = 0; attempt < 100; ++attempt) {  // EINTR retries, bounded
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return ChildState::exited;
    if (r == 0) return ChildState::running;
    if (errno != EINTR) return ChildState::lost;
  }
  return ChildState::running;
}

// After SIGKILL. This wait has no timeout of its own: SIGKILL cannot be
// caught or ignored, so the child dies as soon as the kernel lets it, and not
// waiting would leave a zombie behind, which is the one thing we promise not to.
void reap_after_kill(pid_t pid) {
  int status = 0;
  for (int attempt = 0; attempt < 1000; ++attempt) {  // EINTR retries, bounded
    if (::waitpid(pid, &status, 0) >= 0 || errno != EINTR) return;
  }
}

// Reads once from a readable pipe. Keeps at most `cap` bytes in `sink`,
// reading and dropping the rest. Returns false when the stream is finished.
bool read_some(int fd, std::string& sink, std::size_t cap) {
  std::array<char, kReadChunk> buffer{};
  const ssize_t n = ::read(fd, buffer.data(), buffer.size());
  if (n > 0) {
    const auto got = static_cast<std::size_t>(n);
    const std::size_t room = cap - std::min(cap, sink.size());
    sink.append(buffer.data(), std::min(got, room));
    return true;
  }
  if (n == 0) return false;
  return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
}

int poll_timeout_ms(Clock::time_point now, Clock::time_point limit, milliseconds slice) {
  const auto remaining = std::chrono::ceil<milliseconds>(limit - now);
  return static_cast<int>(std::clamp(remaining, milliseconds{0}, slice).count());
}

int decode_exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);  // the shell's convention
  return -1;
}

struct OutputStream {
  UniqueFd fd;
  std::string* sink;
};

// Collects output until the child exited and both pipes are closed, or the
// deadline passed. Returns the child's state at that point.
ChildState collect(pid_t pid, std::array<OutputStream, 2>& streams, Clock::time_point deadline,
                   std::size_t max_output, int& status, CommandResult& result) {
  ChildState child = ChildState::running;
  std::optional<Clock::time_point> drain_deadline;
  // Bounded by time: every pass either ends the loop or waits in poll()
  // until data arrives or a slice passes, and the limits below are fixed.
  for (;;) {
    if (child == ChildState::running) child = try_reap(pid, status);
    const auto now = Clock::now();
    if (child != ChildState::running && !drain_deadline) drain_deadline = now + kDrainAfterExit;

    const bool any_open = streams[0].fd.valid() || streams[1].fd.valid();
    if (child != ChildState::running && !any_open) return child;
    const auto limit = drain_deadline ? *drain_deadline : deadline;
    if (now >= limit) {
      if (child == ChildState::running) result.timed_out = true;
      return child;
    }

    std::array<pollfd, 2> fds{};
    nfds_t count = 0;
    for (const auto& stream : streams) {
      if (stream.fd.valid()) fds[count++] = pollfd{stream.fd.get(), POLLIN, 0};
    }
    const int wait_ms = poll_timeout_ms(now, limit, any_open ? kPollSlice : kReapSlice);
    const int ready = ::poll(fds.data(), count, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      result.error = "poll failed: " + describe_errno(errno);
      return child;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      for (auto& stream : streams) {
        if (stream.fd.get() != fds[i].fd) continue;
        // POLLHUP/POLLERR: read() then reports EOF or the error.
        const bool readable = (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
        if (!readable || !read_some(stream.fd.get(), *stream.sink, max_output)) stream.fd.reset();
      }
    }
  }
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          std::size_t max_output) {
  CommandResult result;
  if (argv.empty() || argv.front().empty()) {
    result.error = "empty command";
    return result;
  }
  const std::string& program = argv.front();
  const auto deadline = Clock::now() + std::clamp(timeout, milliseconds{0}, kLongestTimeout);

  int pipe_error = 0;
  auto out_pipe = make_pipe(pipe_error);
  auto err_pipe = out_pipe ? make_pipe(pipe_error) : std::nullopt;
  if (!out_pipe || !err_pipe) {
    result.error = program + ": cannot create pipe: " + describe_errno(pipe_error);
    return result;
  }
  SpawnFileActions actions;
  SpawnAttributes attributes;
  if (!actions.ok() || !attributes.ok() || !set_up_descriptors(actions, *out_pipe, *err_pipe) ||
      !set_up_attributes(attributes)) {
    result.error = program + ": cannot prepare to start it";
    return result;
  }

  // posix_spawnp wants mutable C strings; these copies live until it returns.
  std::vector<std::string> arguments = argv;
  std::vector<char*> c_argv;
  c_argv.reserve(arguments.size() + 1);
  for (auto& argument : arguments) c_argv.push_back(argument.data());
  c_argv.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_error =
      ::posix_spawnp(&pid, program.c_str(), actions.get(), attributes.get(), c_argv.data(), environ);
  // Our copies of the write ends must go, or we would never see EOF.
  out_pipe->write_end.reset();
  err_pipe->write_end.reset();
  if (spawn_error != 0) {
    result.error = spawn_error == ENOENT ? program + ": not found"
                                         : program + ": " + describe_errno(spawn_error);
    return result;
  }
  result.started = true;

  std::array<OutputStream, 2> streams{OutputStream{std::move(out_pipe->read_end), &result.out},
                                      OutputStream{std::move(err_pipe->read_end), &result.err}};
  int status = 0;
  const ChildState child = collect(pid, streams, deadline, max_output, status, result);
  switch (child) {
    case ChildState::exited:
      result.exit_code = decode_exit_status(status);
      break;
    case ChildState::lost:
      if (result.error.empty()) result.error = program + ": exit status unavailable";
      break;
    case ChildState::running:
      // Still the leader of its live group, so the group id cannot have been
      // reused: killing the group reaches whatever the program started too.
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      reap_after_kill(pid);
      break;
  }
  return result;
}

}  // namespace mulenet::net
