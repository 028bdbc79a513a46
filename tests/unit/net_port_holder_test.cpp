#include "net/port_holder.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "net/port_probe.hpp"

// GCC 12 -O2 warns inside Asio's own inlined code; see src/net/port_probe.cpp.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#pragma GCC diagnostic pop

namespace mulenet::net {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using config::Protocol;

// A throw-away directory laid out like /proc, removed again at the end.
class FakeProc {
 public:
  FakeProc() {
    std::string pattern = (fs::temp_directory_path() / "mulenet-fake-proc-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) root_ = pattern;
  }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;
  ~FakeProc() {
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }

  [[nodiscard]] const fs::path& root() const { return root_; }

  void write(const fs::path& relative, const std::string& content) const {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative, std::ios::binary) << content;
  }
  void link(const fs::path& relative, const std::string& target) const {
    fs::create_directories((root_ / relative).parent_path());
    fs::create_symlink(target, root_ / relative);
  }

 private:
  fs::path root_;
};

std::string tcp_line(const char* slot_local_state, const char* inode) {
  return std::string("   ") + slot_local_state + " 00000000:00000000 00:00000000 00000000  1000 0 " + inode +
         " 1 0000000000000000 100 0 0 10 0\n";
}

constexpr const char* kHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

// Port 0x1236 (4662) listens with inode 4242 owned by pid 200 ("amuled");
// an established connection on the same port belongs to pid 100; UDP port
// 0x1240 (4672) is bound with inode 777 that no visible process owns.
void populate(const FakeProc& proc) {
  proc.write("net/tcp", std::string(kHeader) +
                            tcp_line("0: 00000000:1236 00000000:0000 0A", "4242") +
                            tcp_line("1: 0100007F:1236 0100007F:D431 06", "0") +  // TIME_WAIT
                            tcp_line("2: 0100007F:1236 0100007F:D432 01", "5555") +
                            tcp_line("3: 0100007F:1F90 0100007F:D433 01", "6666"));  // 8080, connected only
  proc.write("net/udp", std::string(kHeader) + tcp_line("9: 00000000:1240 00000000:0000 07", "777"));
  proc.link("100/fd/0", "/dev/null");
  proc.link("100/fd/3", "socket:[5555]");
  proc.link("100/fd/4", "socket:[6666]");
  proc.write("100/comm", "sshd\n");
  proc.link("200/fd/0", "/dev/null");
  proc.link("200/fd/1", "pipe:[4242]");
  proc.link("200/fd/7", "socket:[4242]");
  proc.write("200/comm", "amuled\n");
  proc.write("200/cmdline", std::string("amuled\0-f\0--config-dir=/home/mule/.aMule\0", 42));
  proc.write("50/status", "no fd directory here, as if unreadable\n");
  proc.link("12ab/fd/7", "socket:[4242]");  // not a pid: never scanned
}

TEST(NetPortHolder, FindsTheListenerInAFakeProc) {
  FakeProc proc;
  ASSERT_FALSE(proc.root().empty());
  populate(proc);
  const auto holder = find_port_holder(Protocol::tcp, 4662, proc.root());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, 200);
  EXPECT_EQ(holder->command, "amuled");
  EXPECT_EQ(holder->cmdline, "amuled -f --config-dir=/home/mule/.aMule");
  EXPECT_TRUE(port_listed_in_proc(Protocol::tcp, 4662, proc.root()));
}

TEST(NetPortHolder, ConnectedTcpSocketsDoNotHoldAPort) {
  FakeProc proc;
  populate(proc);
  EXPECT_FALSE(find_port_holder(Protocol::tcp, 8080, proc.root()).has_value());
  EXPECT_FALSE(port_listed_in_proc(Protocol::tcp, 8080, proc.root()));
}

TEST(NetPortHolder, ListedButOwnerInvisible) {
  FakeProc proc;
  populate(proc);
  EXPECT_FALSE(find_port_holder(Protocol::udp, 4672, proc.root()).has_value());
  EXPECT_TRUE(port_listed_in_proc(Protocol::udp, 4672, proc.root()));
}

TEST(NetPortHolder, ProtocolsAreKeptApart) {
  FakeProc proc;
  populate(proc);
  EXPECT_FALSE(port_listed_in_proc(Protocol::udp, 4662, proc.root()));
  EXPECT_FALSE(port_listed_in_proc(Protocol::tcp, 4672, proc.root()));
}

TEST(NetPortHolder, Ipv6TableIsSearchedToo) {
  FakeProc proc;
  proc.write("net/tcp6", std::string(kHeader) +
                             tcp_line("0: 00000000000000000000000001000000:1236 "
                                      "00000000000000000000000000000000:0000 0A",
                                      "9000"));
  proc.link("321/fd/5", "socket:[9000]");
  proc.write("321/comm", "amuled\n");
  const auto holder = find_port_holder(Protocol::tcp, 4662, proc.root());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, 321);
  EXPECT_EQ(holder->cmdline, "");  // no cmdline file: empty, not a failure
}

TEST(NetPortHolder, LongCmdlineIsCapped) {
  FakeProc proc;
  populate(proc);
  proc.write("200/cmdline", "amuled" + std::string(1, '\0') + std::string(5000, 'x') + std::string(1, '\0'));
  const auto holder = find_port_holder(Protocol::tcp, 4662, proc.root());
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->cmdline.size(), 200u);
  EXPECT_EQ(holder->cmdline.substr(0, 8), "amuled x");
}

TEST(NetPortHolder, MissingProcIsNotAnError) {
  EXPECT_FALSE(find_port_holder(Protocol::tcp, 4662, "/nonexistent-mulenet-proc").has_value());
  EXPECT_FALSE(port_listed_in_proc(Protocol::tcp, 4662, "/nonexistent-mulenet-proc"));
}

// --- against the real kernel ----------------------------------------------

const auto kLoopback = asio::ip::make_address_v4("127.0.0.1");

TEST(NetPortHolder, OurOwnTcpListenerIsFoundAndInUse) {
  asio::io_context io;
  asio::ip::tcp::acceptor listener(io, {kLoopback, 0});
  const auto port = listener.local_endpoint().port();

  EXPECT_TRUE(port_listed_in_proc(Protocol::tcp, port));
  const auto holder = find_port_holder(Protocol::tcp, port);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, ::getpid());
  EXPECT_FALSE(holder->command.empty());
  EXPECT_EQ(probe_bind(Protocol::tcp, port, "").status, BindStatus::in_use);
}

TEST(NetPortHolder, OurOwnUdpSocketIsFoundAndInUse) {
  asio::io_context io;
  asio::ip::udp::socket socket(io, {kLoopback, 0});
  const auto port = socket.local_endpoint().port();

  EXPECT_TRUE(port_listed_in_proc(Protocol::udp, port));
  const auto holder = find_port_holder(Protocol::udp, port);
  ASSERT_TRUE(holder.has_value());
  EXPECT_EQ(holder->pid, ::getpid());
  EXPECT_EQ(probe_bind(Protocol::udp, port, "").status, BindStatus::in_use);
}

TEST(NetPortHolder, ReleasedPortIsFreeAndHasNoHolder) {
  std::uint16_t tcp_port = 0;
  std::uint16_t udp_port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor listener(io, {kLoopback, 0});
    asio::ip::udp::socket socket(io, {kLoopback, 0});
    tcp_port = listener.local_endpoint().port();
    udp_port = socket.local_endpoint().port();
  }
  EXPECT_EQ(probe_bind(Protocol::tcp, tcp_port, "").status, BindStatus::free);
  EXPECT_EQ(probe_bind(Protocol::udp, udp_port, "").status, BindStatus::free);
  EXPECT_FALSE(find_port_holder(Protocol::tcp, tcp_port).has_value());
  EXPECT_FALSE(port_listed_in_proc(Protocol::udp, udp_port));
}

}  // namespace
}  // namespace mulenet::net
