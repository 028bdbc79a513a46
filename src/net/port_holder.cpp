#include "net/port_holder.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <system_error>
#include <vector>

#include "net/proc_net.hpp"
#include "net/read_text_file.hpp"

namespace mulenet::net {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxDescriptorsScanned = 100000;
// /proc has one entry per process plus a few dozen others; pid_max is at
// most 2^22 on Linux.
constexpr std::size_t kMaxProcEntries = std::size_t{1} << 23;
constexpr std::size_t kMaxCmdlineChars = 200;
constexpr std::size_t kMaxCmdlineRead = 4096;
constexpr std::size_t kMaxCommRead = 256;

bool holds_port(const ProcNetSocket& socket, config::Protocol protocol, std::uint16_t port) {
  if (socket.local_port != port) return false;
  return protocol == config::Protocol::udp || socket.state == kTcpStateListen;
}

std::vector<std::uint64_t> inodes_holding(config::Protocol protocol, std::uint16_t port,
                                          const fs::path& proc_root) {
  std::vector<std::uint64_t> inodes;
  for (const auto& socket : read_proc_net(protocol, proc_root)) {
    // Inode 0 belongs to no process, so it can never be matched.
    if (holds_port(socket, protocol, port) && socket.inode != 0) inodes.push_back(socket.inode);
  }
  return inodes;
}

template <typename Number>
std::optional<Number> parse_decimal(std::string_view text) {
  Number value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, 10);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// /proc/PID/fd/N of a socket links to "socket:[INODE]".
std::optional<std::uint64_t> socket_inode(const fs::path& fd_link) {
  std::error_code ec;
  const std::string target = fs::read_symlink(fd_link, ec).native();
  if (ec) return std::nullopt;
  constexpr std::string_view prefix = "socket:[";
  std::string_view view = target;
  if (!view.starts_with(prefix) || !view.ends_with(']')) return std::nullopt;
  view.remove_prefix(prefix.size());
  view.remove_suffix(1);
  return parse_decimal<std::uint64_t>(view);
}

std::string trim_trailing(std::string text, std::string_view junk) {
  const std::size_t keep = text.find_last_not_of(junk);
  text.resize(keep == std::string::npos ? 0 : keep + 1);
  return text;
}

PortHolder describe_process(int pid, const fs::path& process_dir) {
  PortHolder holder;
  holder.pid = pid;
  // The process may be gone by now; then the names stay empty.
  holder.command = trim_trailing(read_text_file(process_dir / "comm", kMaxCommRead).value_or(""), "\n");
  std::string cmdline = read_text_file(process_dir / "cmdline", kMaxCmdlineRead).value_or("");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  cmdline = trim_trailing(std::move(cmdline), " ");
  if (cmdline.size() > kMaxCmdlineChars) cmdline.resize(kMaxCmdlineChars);
  holder.cmdline = std::move(cmdline);
  return holder;
}

// Looks through one process's descriptors; `budget` is shared by the whole
// scan. Unreadable fd directories (other users' processes) are skipped.
bool process_holds_any(const fs::path& process_dir, const std::vector<std::uint64_t>& inodes,
                       std::size_t& budget) {
  std::error_code ec;
  fs::directory_iterator fd_entries(process_dir / "fd", ec);
  if (ec) return false;
  for (; fd_entries != fs::directory_iterator(); fd_entries.increment(ec)) {
    if (ec || budget == 0) return false;
    --budget;
    const auto inode = socket_inode(fd_entries->path());
    if (inode && std::find(inodes.begin(), inodes.end(), *inode) != inodes.end()) return true;
  }
  return false;
}

}  // namespace

std::optional<PortHolder> find_port_holder(config::Protocol protocol, std::uint16_t port,
                                           const fs::path& proc_root) {
  const auto inodes = inodes_holding(protocol, port, proc_root);
  if (inodes.empty()) return std::nullopt;

  std::error_code ec;
  fs::directory_iterator entries(proc_root, ec);
  if (ec) return std::nullopt;
  std::size_t fd_budget = kMaxDescriptorsScanned;
  std::size_t entries_seen = 0;
  for (; entries != fs::directory_iterator(); entries.increment(ec)) {
    if (ec || fd_budget == 0 || ++entries_seen > kMaxProcEntries) break;
    const std::string name = entries->path().filename().native();
    const auto pid = parse_decimal<int>(name);
    if (!pid || *pid <= 0) continue;  // "net", "self", "sys", ...
    if (process_holds_any(entries->path(), inodes, fd_budget)) return describe_process(*pid, entries->path());
  }
  return std::nullopt;
}

bool port_listed_in_proc(config::Protocol protocol, std::uint16_t port, const fs::path& proc_root) {
  const auto sockets = read_proc_net(protocol, proc_root);
  return std::any_of(sockets.begin(), sockets.end(),
                     [&](const ProcNetSocket& socket) { return holds_port(socket, protocol, port); });
}

}  // namespace mulenet::net
