// The public Engine's life: start, events, status snapshots, stop; a config
// it cannot use; a router that does not answer. (Mapping on a real router:
// tests/lab/cases/embed_engine.sh.)
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <mulenet/engine.hpp>

namespace mulenet {
namespace {

namespace fs = std::filesystem;

struct TempConfig {
  fs::path dir;
  fs::path file;
  explicit TempConfig(const std::string& text)
  {
    dir = fs::temp_directory_path() / ("mulenet-engine-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter()++));
    fs::create_directories(dir);
    file = dir / "amule.conf";
    std::ofstream(file) << text;
  }
  ~TempConfig() { fs::remove_all(dir); }
  static std::atomic<int>& counter()
  {
    static std::atomic<int> n{0};
    return n;
  }
};

struct Recorder {
  std::mutex mutex;
  std::vector<std::string> names;
  std::thread::id thread;
  void operator()(const Event& e)
  {
    std::lock_guard lock(mutex);
    names.emplace_back(event_name(e));
    thread = std::this_thread::get_id();
  }
  std::vector<std::string> seen()
  {
    std::lock_guard lock(mutex);
    return names;
  }
};

TEST(Engine, InvalidConfigIsRefusedWithTheKeyAndNoThread)
{
  TempConfig conf("[eMule]\nPort=abc\n");
  EngineOptions o;
  o.config_path = conf.file;
  Engine engine(o);
  try {
    engine.start();
    FAIL() << "started on an invalid config";
  } catch (const EngineError& e) {
    EXPECT_NE(std::string(e.what()).find("/eMule/Port"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(engine.running());
  engine.stop();  // harmless
}

TEST(Engine, WithoutMappingItStartsAndStopsWithEvents)
{
  TempConfig conf("[eMule]\nPort=4662\n");
  EngineOptions o;
  o.config_path = conf.file;
  o.map_ports = false;
  Engine engine(o);
  auto recorder = std::make_shared<Recorder>();
  engine.on_event([recorder](const Event& e) { (*recorder)(e); });
  engine.start();
  EXPECT_TRUE(engine.running());
  EXPECT_THROW(engine.start(), EngineError);
  const Status s = engine.status();
  ASSERT_FALSE(s.ports.empty());
  EXPECT_EQ(s.ports.front().state, PortState::unknown);
  EXPECT_NE(s.ports.front().evidence.find("does not map"), std::string::npos);
  EXPECT_FALSE(s.proxy);
  engine.stop();
  EXPECT_FALSE(engine.running());
  const auto seen = recorder->seen();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), "engine-started");
  EXPECT_EQ(seen.back(), "engine-stopped");
  EXPECT_NE(recorder->thread, std::this_thread::get_id());  // delivered on the engine's thread
}

TEST(Engine, EventsCanBePostedToTheCallersLoop)
{
  TempConfig conf("[eMule]\nPort=4662\n[Proxy]\nProxyEnableProxy=1\nProxyName=proxy.lan\nProxyPort=1081\nProxyType=0\n");
  EngineOptions o;
  o.config_path = conf.file;
  o.map_ports = false;
  std::mutex queue_mutex;
  std::vector<std::function<void()>> queue;
  o.post_event = [&](std::function<void()> f) {
    std::lock_guard lock(queue_mutex);
    queue.push_back(std::move(f));
  };
  Engine engine(o);
  auto recorder = std::make_shared<Recorder>();
  engine.on_event([recorder](const Event& e) { (*recorder)(e); });
  engine.start();
  ASSERT_TRUE(engine.status().proxy);
  EXPECT_EQ(engine.status().proxy->host, "proxy.lan");
  engine.stop();
  EXPECT_TRUE(recorder->seen().empty());  // nothing ran on the engine's thread
  std::vector<std::function<void()>> pending;
  {
    std::lock_guard lock(queue_mutex);
    pending.swap(queue);
  }
  ASSERT_GE(pending.size(), 2u);
  for (auto& f : pending) f();  // after stop(): dropped, none arrives late
  EXPECT_TRUE(recorder->seen().empty());
}

TEST(Engine, NoRouterAnsweringIsAProblemNotAHang)
{
  TempConfig conf("[eMule]\nPort=4662\nUPnPEnabled=1\n");
  EngineOptions o;
  o.config_path = conf.file;
  o.gateway = "127.0.0.1";  // nothing answers PCP/NAT-PMP/UPnP there
  o.via = MappingVia::natpmp;
  o.router_timeout = std::chrono::milliseconds(300);
  Engine engine(o);
  std::mutex m;
  std::condition_variable cv;
  bool problem = false;
  engine.on_event([&](const Event& e) {
    if (!std::holds_alternative<RouterProblem>(e)) return;
    std::lock_guard lock(m);
    problem = true;
    cv.notify_all();
  });
  engine.start();
  {
    std::unique_lock lock(m);
    // Bounded: the router timeout is 300 ms; NAT-PMP retries within it.
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return problem; }));
  }
  const Status s = engine.status();
  for (const auto& p : s.ports) {
    EXPECT_NE(p.state, PortState::mapped) << p.name;
    EXPECT_FALSE(p.via) << p.name;
  }
  engine.stop();
}

}  // namespace
}  // namespace mulenet

namespace mulenet {
namespace {

// The Engine runs our Kad node and listener; a check borrows them. Without
// any Kad node to ask, the check says so (a ServiceProblem naming nodes.dat)
// and the verdicts stay unknown: never a made-up "open".
TEST(Engine, KadCheckWithoutNodesSaysWhyAndStaysUnknown)
{
  TempConfig conf("[eMule]\nPort=43117\nUDPPort=43127\n");
  EngineOptions o;
  o.config_path = conf.file;
  o.map_ports = false;
  o.kad = true;
  Engine engine(o);
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> problems;
  int kad_changes = 0;
  engine.on_event([&](const Event& e) {
    std::lock_guard lock(m);
    if (const auto* p = std::get_if<ServiceProblem>(&e)) problems.push_back(p->service + ": " + p->message);
    if (std::holds_alternative<KadStatusChanged>(e)) ++kad_changes;
    cv.notify_all();
  });
  engine.start();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return kad_changes >= 1; }));
  }
  EXPECT_EQ(engine.status().kad.state, std::optional<KadState>(KadState::bootstrapping));
  engine.check_kad_now();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] {
      for (const auto& p : problems)
        if (p.find("nodes.dat") != std::string::npos) return true;
      return false;
    }));
  }
  const Status s = engine.status();
  EXPECT_FALSE(s.kad.tcp);  // never asked: not known
  EXPECT_FALSE(s.kad.udp);
  engine.stop();
  EXPECT_EQ(engine.status().kad.state, std::optional<KadState>(KadState::stopped));
}

}  // namespace
}  // namespace mulenet

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mulenet {
namespace {

// A router that takes NAT-PMP requests and never answers: a UDP socket bound
// to its port on a loopback address of its own (no ICMP "refused" comes back).
struct SilentRouter {
  int fd = -1;
  explicit SilentRouter(const char* address)
  {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(5351);
    ::inet_pton(AF_INET, address, &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~SilentRouter()
  {
    if (fd >= 0) ::close(fd);
  }
};

// stop() is bounded by its limit even while the router is still being asked
// (its own timeout far longer): the thread ends, and the last event is an
// EngineStopped that says the router did not answer in time.
TEST(Engine, StopIsBoundedByItsLimitWhenTheRouterHangs)
{
  const SilentRouter router("127.0.0.77");
  ASSERT_GE(router.fd, 0) << "cannot bind 127.0.0.77:5351/udp";
  TempConfig conf("[eMule]\nPort=4662\nUPnPEnabled=1\n");
  EngineOptions o;
  o.config_path = conf.file;
  o.gateway = "127.0.0.77";
  o.via = MappingVia::natpmp;
  o.router_timeout = std::chrono::seconds(30);  // far beyond the limit of stop()
  Engine engine(o);
  std::mutex m;
  std::vector<Event> events;
  engine.on_event([&](const Event& e) {
    std::lock_guard lock(m);
    events.push_back(e);
  });
  engine.start();
  engine.stop(std::chrono::milliseconds(300));
  EXPECT_FALSE(engine.running());
  std::lock_guard lock(m);
  ASSERT_FALSE(events.empty());
  const auto* stopped = std::get_if<EngineStopped>(&events.back());
  ASSERT_NE(stopped, nullptr) << event_name(events.back());
  EXPECT_NE(stopped->error.find("did not answer within 300 ms"), std::string::npos) << stopped->error;
  for (const Event& e : events) EXPECT_FALSE(std::holds_alternative<PortChanged>(e)) << describe(e);
}

}  // namespace
}  // namespace mulenet

namespace mulenet {
namespace {

// EngineOptions::ed2k without a server.met: said (with its code), the eD2k
// state disconnected, never a made-up ID.
TEST(Engine, Ed2kWithoutServersSaysWhyAndStaysDisconnected)
{
  TempConfig conf("[eMule]\nPort=43137\nUDPPort=43147\n");
  EngineOptions o;
  o.config_path = conf.file;
  o.map_ports = false;
  o.ed2k = true;
  Engine engine(o);
  std::mutex m;
  std::condition_variable cv;
  std::vector<ServiceProblem> problems;
  std::vector<Ed2kStatus> changes;
  engine.on_event([&](const Event& e) {
    std::lock_guard lock(m);
    if (const auto* p = std::get_if<ServiceProblem>(&e)) problems.push_back(*p);
    if (const auto* c = std::get_if<Ed2kIdChanged>(&e)) changes.push_back(c->ed2k);
    cv.notify_all();
  });
  engine.start();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return !changes.empty(); }));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems.front().service, "ed2k");
    EXPECT_EQ(problems.front().code, "no-server") << problems.front().message;
    EXPECT_EQ(changes.back().state, std::optional<Ed2kState>(Ed2kState::disconnected));
  }
  const Status s = engine.status();
  EXPECT_FALSE(s.ed2k.id);
  EXPECT_FALSE(s.ed2k.high_id);
  engine.stop();
}

}  // namespace
}  // namespace mulenet
