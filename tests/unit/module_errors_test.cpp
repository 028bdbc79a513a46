// The error categories of the Kad and eD2k modules (the portmap and proxy
// ones have their own tests): every code has a stable kebab-case name, a
// message and a fix; one helper names the codes of all four categories; and
// the use-cases set them where they set their error strings (against fake
// servers and held ports on loopback: error paths only; real servers and
// nodes are in tests/lab/cases/).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "ec/ec_error.hpp"
#include "ed2k/ed2k_error.hpp"
#include "ed2k/ed2k_services.hpp"
#include "ed2k/opcodes.hpp"
#include "ed2k/packet.hpp"
#include "ed2k/server_login.hpp"
#include "engine/error_names.hpp"
#include "kad/kad_error.hpp"
#include "kad/kad_seeds.hpp"
#include "kad/kad_services.hpp"
#include "portmap/portmap_error.hpp"
#include "proxy/proxy_error.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool kebab_case(std::string_view s)
{
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.find("--") == std::string_view::npos;
}

template <typename Errc>
void expect_complete(int first, int last)
{
  std::set<std::string_view> names;
  for (int v = first; v <= last; ++v) {
    const auto e = static_cast<Errc>(v);
    const std::string_view name = code_name(e);
    EXPECT_NE(name, "unknown") << v;
    EXPECT_TRUE(kebab_case(name)) << v << " " << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    EXPECT_FALSE(fix_for(e).empty()) << name;
    const std::error_code code = e;
    EXPECT_FALSE(code.message().empty()) << name;
    EXPECT_EQ(engine::code_name_of(code), std::string(name));
  }
  EXPECT_EQ(code_name(static_cast<Errc>(last + 1)), "unknown");
}

}  // namespace

TEST(ModuleErrors, EveryKadCodeHasANameAMessageAndAFix)
{
  expect_complete<kad::KadErrc>(static_cast<int>(kad::KadErrc::udp_disabled), static_cast<int>(kad::KadErrc::no_answer));
  EXPECT_STREQ(kad::kad_category().name(), "mulenet.kad");
}

TEST(ModuleErrors, EveryEd2kCodeHasANameAMessageAndAFix)
{
  expect_complete<ed2k::Ed2kErrc>(static_cast<int>(ed2k::Ed2kErrc::port_unavailable),
                                  static_cast<int>(ed2k::Ed2kErrc::low_id_despite_forwarding));
  EXPECT_STREQ(ed2k::ed2k_category().name(), "mulenet.ed2k");
}

TEST(ModuleErrors, EveryEcCodeHasANameAMessageAndAFix)
{
  expect_complete<ec::EcErrc>(static_cast<int>(ec::EcErrc::not_enabled), static_cast<int>(ec::EcErrc::request_failed));
  EXPECT_STREQ(ec::ec_category().name(), "mulenet.ec");
  EXPECT_EQ(engine::code_name_of(ec::EcErrc::wrong_password), std::string("wrong-password"));
}

TEST(ModuleErrors, OneHelperNamesTheCodesOfEveryModule)
{
  EXPECT_EQ(engine::code_name_of(portmap::PortmapErrc::conflict), std::string("conflict"));
  EXPECT_EQ(engine::code_name_of(proxy::ProxyErrc::auth_failed), std::string(proxy::code_name(proxy::ProxyErrc::auth_failed)));
  EXPECT_EQ(engine::code_name_of(kad::KadErrc::no_nodes), std::string("no-nodes"));
  EXPECT_EQ(engine::code_name_of(ed2k::Ed2kErrc::rejected), std::string("rejected"));
  EXPECT_FALSE(engine::code_name_of({}));
  EXPECT_FALSE(engine::code_name_of(std::make_error_code(std::errc::connection_refused)));
  // The same value in two categories is two codes.
  EXPECT_NE(engine::code_name_of(kad::KadErrc::udp_disabled), engine::code_name_of(ed2k::Ed2kErrc::port_unavailable));
}

// ---- eD2k login: each way a server fails has its code --------------------

namespace {

// A fake server for one connection: reads the login, then does `act`.
enum class ServerAct { reject, close, garbage, silent };

asio::awaitable<void> serve_once(tcp::acceptor& acceptor, ServerAct act)
{
  auto [aec, s] = co_await acceptor.async_accept(use_tuple);
  if (aec) co_return;
  // The whole login (so that a close is a FIN, not a reset for unread bytes).
  std::array<std::uint8_t, 5> header{};
  co_await asio::async_read(s, asio::buffer(header), use_tuple);
  const std::uint32_t length = std::uint32_t{header[1]} | (std::uint32_t{header[2]} << 8) |
                                (std::uint32_t{header[3]} << 16) | (std::uint32_t{header[4]} << 24);
  std::vector<std::uint8_t> body(std::min<std::uint32_t>(length, 4096));
  co_await asio::async_read(s, asio::buffer(body), use_tuple);
  switch (act) {
    case ServerAct::reject: {
      const ed2k::Bytes bytes = ed2k::encode_packet(ed2k::Packet{ed2k::kProtoEdonkey, ed2k::OP_REJECT, {}});
      co_await asio::async_write(s, asio::buffer(bytes), use_tuple);
      break;
    }
    case ServerAct::close: break;
    case ServerAct::garbage: {
      const std::array<std::uint8_t, 8> junk{0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70};
      co_await asio::async_write(s, asio::buffer(junk), use_tuple);
      break;
    }
    case ServerAct::silent: {
      asio::steady_timer t(s.get_executor(), 3s);
      co_await t.async_wait(use_tuple);
      break;
    }
  }
  asio::steady_timer linger(s.get_executor(), 200ms);  // let the client read before the close
  co_await linger.async_wait(use_tuple);
}

ed2k::LoginResult login_against(std::optional<ServerAct> act)
{
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = acceptor.local_endpoint().port();
  if (!act) acceptor.close();  // nothing listens: refused
  else asio::co_spawn(io, serve_once(acceptor, *act), asio::detached);
  proxy::Dialer dialer(io.get_executor(), std::nullopt, false, proxy::DialTimeouts{2s, 2s});
  ed2k::LoginResult result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // Named, not a temporary in the co_await (GCC 12 frees such temporaries twice).
        const ed2k::LoginRequest request;
        result = co_await ed2k::login_to_server(dialer, proxy::make_target("127.0.0.1", port), request, 800ms);
      },
      asio::detached);
  io.run_for(20s);
  return result;
}

}  // namespace

TEST(ModuleErrors, Ed2kLoginFailuresHaveTheirCodes)
{
  const auto refused = login_against(std::nullopt);
  EXPECT_EQ(refused.code, ed2k::Ed2kErrc::connect_failed) << refused.error;
  const auto rejected = login_against(ServerAct::reject);
  EXPECT_EQ(rejected.code, ed2k::Ed2kErrc::rejected) << rejected.error;
  const auto closed = login_against(ServerAct::close);
  EXPECT_EQ(closed.code, ed2k::Ed2kErrc::closed_before_id) << closed.error;
  const auto garbage = login_against(ServerAct::garbage);
  EXPECT_EQ(garbage.code, ed2k::Ed2kErrc::broken_answer) << garbage.error;
  const auto silent = login_against(ServerAct::silent);
  EXPECT_EQ(silent.code, ed2k::Ed2kErrc::no_id_in_time) << silent.error;
  for (const auto* r : {&refused, &rejected, &closed, &garbage, &silent}) EXPECT_FALSE(r->error.empty());
}

TEST(ModuleErrors, AHeldTcpPortIsPortUnavailable)
{
  asio::io_context io;
  tcp::acceptor holder(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  config::Settings settings;
  settings.bind_address = "127.0.0.1";
  settings.tcp_port = holder.local_endpoint().port();
  ed2k::Ed2kServices s = ed2k::open_ed2k_services(io.get_executor(), settings, ed2k::Identity{}, true);
  EXPECT_FALSE(s.listener);
  EXPECT_EQ(s.listen_code, ed2k::Ed2kErrc::port_unavailable) << s.listen_error;
  ed2k::stop_ed2k_services(s);
}

// ---- Kad: why our node cannot run, where a check cannot start ------------

namespace {

struct KadOpening {
  bool opened = false;
  std::string error;
  std::error_code code;
};

KadOpening open_kad(const config::Settings& settings)
{
  asio::io_context io;
  KadOpening out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        kad::KadServicesOptions o;
        o.settings = settings;
        o.listen = false;
        auto s = co_await kad::open_kad_services(o, out.error, out.code);
        out.opened = s.has_value();
        if (s) kad::stop_kad_services(*s);
      },
      asio::detached);
  io.run_for(20s);
  return out;
}

}  // namespace

TEST(ModuleErrors, KadWithUdpDisabledIsUdpDisabled)
{
  config::Settings settings;
  settings.udp_enabled = false;
  const KadOpening k = open_kad(settings);
  EXPECT_FALSE(k.opened);
  EXPECT_EQ(k.code, kad::KadErrc::udp_disabled) << k.error;
}

TEST(ModuleErrors, AHeldKadUdpPortIsUdpPortUnavailable)
{
  asio::io_context io;
  asio::ip::udp::socket holder(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  config::Settings settings;
  settings.bind_address = "127.0.0.1";
  settings.udp_port = holder.local_endpoint().port();
  const KadOpening k = open_kad(settings);
  EXPECT_FALSE(k.opened);
  EXPECT_EQ(k.code, kad::KadErrc::udp_port_unavailable) << k.error;
}

TEST(ModuleErrors, StrictModeWithAnHttpProxyRefusesKadUdp)
{
  config::Settings settings;
  settings.proxy.enabled = true;
  settings.proxy.type = config::ProxyType::http;
  settings.proxy.host = "127.0.0.1";
  settings.proxy.port = 3128;
  settings.proxy.strict = true;
  const KadOpening k = open_kad(settings);
  EXPECT_FALSE(k.opened);
  EXPECT_EQ(k.code, kad::KadErrc::strict_proxy_refuses_udp) << k.error;
}

TEST(ModuleErrors, KadSeedProblemsHaveTheirCodes)
{
  const auto dir = std::filesystem::temp_directory_path() / ("mulenet-seeds-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto conf = dir / "amule.conf";
  const auto bad = kad::gather_kad_seeds(conf, "", {"not-an-address"});
  EXPECT_EQ(bad.code, kad::KadErrc::bad_bootstrap) << bad.message;
  const auto none = kad::gather_kad_seeds(conf, "", {});
  EXPECT_EQ(none.code, kad::KadErrc::no_nodes) << none.message;
  const auto unreadable = kad::gather_kad_seeds(conf, (dir / "missing-nodes.dat").string(), {});
  EXPECT_EQ(unreadable.code, kad::KadErrc::nodes_dat_unreadable) << unreadable.message;
  const auto fine = kad::gather_kad_seeds(conf, "", {"192.0.2.1:4672"});
  EXPECT_FALSE(fine.code) << fine.message;
  std::filesystem::remove_all(dir);
}

// ---- the server keeper: one session held, the next server after a loss ---

#include "ed2k/server_keeper.hpp"

namespace {

// A fake server that gives ID `id` to one login, then closes after `hold`.
asio::awaitable<void> give_id_then_close(tcp::acceptor& acceptor, std::uint32_t id, std::chrono::milliseconds hold)
{
  auto [aec, s] = co_await acceptor.async_accept(use_tuple);
  if (aec) co_return;
  std::array<std::uint8_t, 5> header{};
  co_await asio::async_read(s, asio::buffer(header), use_tuple);
  const std::uint32_t length = std::uint32_t{header[1]} | (std::uint32_t{header[2]} << 8) |
                                (std::uint32_t{header[3]} << 16) | (std::uint32_t{header[4]} << 24);
  std::vector<std::uint8_t> body(std::min<std::uint32_t>(length, 4096));
  co_await asio::async_read(s, asio::buffer(body), use_tuple);
  ed2k::Bytes payload{static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(id >> 8),
                      static_cast<std::uint8_t>(id >> 16), static_cast<std::uint8_t>(id >> 24)};
  const ed2k::Bytes bytes = ed2k::encode_packet(ed2k::Packet{ed2k::kProtoEdonkey, ed2k::OP_IDCHANGE, payload});
  co_await asio::async_write(s, asio::buffer(bytes), use_tuple);
  asio::steady_timer t(s.get_executor(), hold);
  co_await t.async_wait(use_tuple);
}

}  // namespace

TEST(ServerKeeper, SkipsADeadServerHoldsTheNextAndSaysWhenItIsLost)
{
  asio::io_context io;
  tcp::acceptor dead(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t dead_port = dead.local_endpoint().port();
  dead.close();
  tcp::acceptor good(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(io, give_id_then_close(good, 12345, 2500ms), asio::detached);  // past the login's wait

  ed2k::Ed2kServices services;
  services.dialer = std::make_shared<proxy::Dialer>(io.get_executor(), std::nullopt, false, proxy::DialTimeouts{2s, 2s});
  ed2k::KeeperOptions o;
  o.servers = {proxy::make_target("127.0.0.1", dead_port), proxy::make_target("127.0.0.1", good.local_endpoint().port())};
  o.login_timeout = 2s;
  o.first_pause = std::chrono::seconds(60);  // stop() ends the pause
  ed2k::ServerKeeper keeper(io.get_executor(), services, o);
  std::vector<std::string> seen;
  keeper.on_change([&](const ed2k::ServerConnection& now, const std::string&, std::error_code code) {
    std::string line = now.state == ed2k::ConnectionState::connecting  ? "connecting"
                       : now.state == ed2k::ConnectionState::connected ? "connected " + std::to_string(*now.id)
                                                                       : "disconnected";
    if (code) line += " " + std::string(*engine::code_name_of(code));
    seen.push_back(line);
    if (code == ed2k::Ed2kErrc::connection_lost) keeper.stop();
  });
  bool ended = false;
  asio::co_spawn(io, keeper.run(), [&](std::exception_ptr) { ended = true; });
  io.run_for(20s);
  EXPECT_TRUE(ended);
  const std::vector<std::string> expected{"connecting", "disconnected connect-failed", "connecting",
                                          "connected 12345", "disconnected connection-lost"};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(keeper.connection().state, ed2k::ConnectionState::disconnected);
}

TEST(ServerKeeper, StopEndsALoginAtOnce)
{
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(io, serve_once(silent, ServerAct::silent), asio::detached);
  ed2k::Ed2kServices services;
  services.dialer = std::make_shared<proxy::Dialer>(io.get_executor(), std::nullopt, false);
  ed2k::KeeperOptions o;
  o.servers = {proxy::make_target("127.0.0.1", silent.local_endpoint().port())};
  o.login_timeout = std::chrono::seconds(600);  // only stop() can end it
  ed2k::ServerKeeper keeper(io.get_executor(), services, o);
  int changes = 0;
  keeper.on_change([&](const ed2k::ServerConnection& now, const std::string&, std::error_code) {
    ++changes;
    if (now.state == ed2k::ConnectionState::connecting) {
      asio::steady_timer* t = new asio::steady_timer(io, 200ms);
      t->async_wait([&, t](boost::system::error_code) {
        keeper.stop();
        delete t;
      });
    }
  });
  bool ended = false;
  asio::co_spawn(io, keeper.run(), [&](std::exception_ptr) { ended = true; });
  io.run_for(30s);  // the silent server gives up after 3 s; the login would wait 600 s
  EXPECT_TRUE(ended);
  EXPECT_EQ(changes, 1);  // connecting, and nothing after stop()
}
