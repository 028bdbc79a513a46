#pragma once
// Runs an external program (nft, iptables, ip, ...) directly, without a
// shell, so that no argument is ever re-parsed or expanded. The caller always
// gets a result back: a program that is missing, hangs or floods its output
// is reported, never allowed to block or exhaust mulenet.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace mulenet::net {

struct CommandResult {
  bool started = false;    // the program was found and launched
  int exit_code = -1;      // its exit status; 128+N if killed by signal N; -1 if not started or timed out
  bool timed_out = false;  // it was still running at the deadline and was killed
  std::string out;         // its stdout, at most max_output bytes
  std::string err;         // its stderr, at most max_output bytes
  std::string error;       // why it could not start, e.g. "nft: not found"
};

// argv[0] is looked up in PATH. stdin is /dev/null. The program runs in its
// own process group; at the deadline the whole group gets SIGKILL. Each of
// stdout and stderr keeps its first max_output bytes; the rest is read and
// discarded so the program never blocks on a full pipe. The child is always
// reaped before returning. A timeout above 24 hours is cut to 24 hours.
[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout,
                                        std::size_t max_output = std::size_t{4} << 20);

}  // namespace mulenet::net
