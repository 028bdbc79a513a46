#include "net/run_command.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <charconv>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace mulenet::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Generous: these programs finish at once; the limit only keeps a broken
// run_command from hanging the suite.
constexpr milliseconds kPlenty = seconds(20);

std::optional<int> parse_pid(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  int pid = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc{} || ptr != text.data() + text.size() || pid <= 0) return std::nullopt;
  return pid;
}

// A killed process may linger as a zombie until its new parent reaps it;
// either way it no longer runs.
bool stopped_running(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

TEST(NetRunCommand, TrueExitsZero) {
  const auto result = run_command({"true"}, kPlenty);
  EXPECT_TRUE(result.started);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.error, "");
}

TEST(NetRunCommand, FalseExitsOne) {
  const auto result = run_command({"false"}, kPlenty);
  EXPECT_TRUE(result.started);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 1);
}

TEST(NetRunCommand, CapturesStdout) {
  const auto result = run_command({"echo", "hello", "world"}, kPlenty);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "hello world\n");
  EXPECT_EQ(result.err, "");
}

TEST(NetRunCommand, ArgumentsReachTheProgramUnexpanded) {
  const auto result = run_command({"echo", "$HOME", "*", "a;b", "'q'"}, kPlenty);
  EXPECT_EQ(result.out, "$HOME * a;b 'q'\n");
}

TEST(NetRunCommand, CapturesStderrSeparately) {
  const auto result = run_command({"sh", "-c", "echo to-out; echo to-err >&2; exit 3"}, kPlenty);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "to-out\n");
  EXPECT_EQ(result.err, "to-err\n");
}

TEST(NetRunCommand, MissingProgramIsReportedNotStarted) {
  const auto result = run_command({"mulenet-no-such-program-here", "--version"}, kPlenty);
  EXPECT_FALSE(result.started);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.error, "mulenet-no-such-program-here: not found");
}

TEST(NetRunCommand, EmptyCommandIsReportedNotStarted) {
  EXPECT_EQ(run_command({}, kPlenty).error, "empty command");
  EXPECT_FALSE(run_command({""}, kPlenty).started);
}

TEST(NetRunCommand, StdinIsEmpty) {
  // cat would wait forever on a terminal or an inherited pipe.
  const auto result = run_command({"cat"}, kPlenty);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
}

TEST(NetRunCommand, TimeoutKillsTheProgram) {
  const auto result = run_command({"sleep", "5"}, milliseconds(200));
  EXPECT_TRUE(result.started);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
}

TEST(NetRunCommand, TimeoutKillsWhatTheProgramStarted) {
  // It waits for its sleep, so it times out however long the limit; the
  // limit only has to leave sh time to print the pid.
  const auto result = run_command({"sh", "-c", "sleep 30 & echo $!; wait"}, milliseconds(2000));
  ASSERT_TRUE(result.timed_out);
  const auto grandchild = parse_pid(result.out);
  ASSERT_TRUE(grandchild.has_value()) << "out: " << result.out;
  bool gone = stopped_running(*grandchild);
  for (int i = 0; i < 500 && !gone; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    gone = stopped_running(*grandchild);
  }
  EXPECT_TRUE(gone);
  if (!gone) ::kill(*grandchild, SIGKILL);
}

TEST(NetRunCommand, BackgroundGrandchildHoldingStdoutDoesNotCountAsTimeout) {
  // sh exits at once, but the sleep it leaves behind keeps stdout open.
  const auto result = run_command({"sh", "-c", "sleep 30 & echo $!"}, kPlenty);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  if (const auto grandchild = parse_pid(result.out)) ::kill(*grandchild, SIGKILL);
}

TEST(NetRunCommand, HugeTimeoutDoesNotOverflow) {
  const auto result = run_command({"true"}, milliseconds::max());
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
}

TEST(NetRunCommand, NegativeTimeoutStillReapsTheChild) {
  const auto result = run_command({"sleep", "5"}, milliseconds(-1));
  EXPECT_TRUE(result.started);
  EXPECT_TRUE(result.timed_out);
}

TEST(NetRunCommand, DeathBySignalIsReportedShellStyle) {
  const auto result = run_command({"sh", "-c", "kill -TERM $$"}, kPlenty);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 128 + SIGTERM);
}

TEST(NetRunCommand, OutputIsCappedAndTheRestDrained) {
  constexpr std::size_t cap = std::size_t{1} << 20;
  const auto result = run_command({"head", "-c", "10000000", "/dev/zero"}, kPlenty, cap);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);  // it could write everything: nothing blocked
  ASSERT_EQ(result.out.size(), cap);
  EXPECT_EQ(result.out.find_first_not_of('\0'), std::string::npos);
}

}  // namespace
}  // namespace mulenet::net
