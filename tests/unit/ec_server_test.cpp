// mulenet's EC server: the answers as pure functions (read back with the
// same reader that reads real amuled, so both directions agree), the login
// state machine with the test vector verified against amulecmd, and the
// server over real loopback TCP with our own EC client: login, status,
// server list, wrong password, oversized frames before the login, the client
// limit. Against real amulecmd: tests/lab/cases/ec_server.sh.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "config/settings.hpp"
#include "ec/ec_answers.hpp"
#include "ec/ec_error.hpp"
#include "ec/ec_login.hpp"
#include "ec/ec_server.hpp"
#include "ec/ec_server_login.hpp"
#include "ec/read_amule.hpp"
#include "proxy/dialer.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet;
using namespace mulenet::ec;
using namespace std::chrono_literals;

namespace {

AmuleState low_id_kad_firewalled()
{
  AmuleState s;
  s.ed2k = AmuleEd2k::connected;
  s.ed2k_id = 1234567;
  s.server = AmuleServer{{{203, 0, 113, 10}, 4661}, "lab server"};
  s.kad = AmuleKad::running_connected;
  s.kad_tcp_firewalled = true;
  s.kad_udp_firewalled = false;
  s.kad_ip = std::array<std::uint8_t, 4>{198, 51, 100, 7};
  s.kad_lan_mode = false;
  s.buddy = BuddyState::connected;
  s.buddy_address = Ipv4Port{{203, 0, 113, 20}, 4672};
  s.kad_nodes = 42;
  s.ed2k_users = 7;
  return s;
}

AmuleState read_back(const Packet& p)
{
  // Through the wire format too, in both framings amulecmd accepts.
  for (const std::uint32_t flags : {kFlagBase, kFlagBase | kFlagUtf8Numbers, kFlagBase | kFlagZlib}) {
    const Bytes frame = encode_frame(p, flags);
    std::string error;
    const auto header = parse_frame_header(frame, error);
    EXPECT_TRUE(header) << error;
    const Decoded d = decode_body(flags, std::span(frame).subspan(kFrameHeaderSize));
    EXPECT_TRUE(d.packet) << d.error;
  }
  std::string error;
  const auto s = read_stats(p, error);
  EXPECT_TRUE(s) << error;
  return s.value_or(AmuleState{});
}

}  // namespace

TEST(EcAnswers, StatsReadBackAsTheyWereGiven)
{
  const AmuleState given = low_id_kad_firewalled();
  const AmuleState got = read_back(stats_answer(given));
  EXPECT_EQ(got.ed2k, AmuleEd2k::connected);
  EXPECT_EQ(got.ed2k_id, 1234567u);
  ASSERT_TRUE(got.server);
  EXPECT_EQ(got.server->address.str(), "203.0.113.10:4661");
  EXPECT_EQ(got.server->name, "lab server");
  EXPECT_EQ(got.kad, AmuleKad::running_connected);
  EXPECT_EQ(got.kad_tcp_firewalled, true);
  EXPECT_EQ(got.kad_udp_firewalled, false);
  EXPECT_EQ(got.kad_ip, given.kad_ip);
  EXPECT_EQ(got.buddy, BuddyState::connected);
  ASSERT_TRUE(got.buddy_address);
  EXPECT_EQ(got.buddy_address->str(), "203.0.113.20:4672");
  EXPECT_EQ(got.kad_nodes, 42u);
  EXPECT_EQ(got.high_id(), false);
}

TEST(EcAnswers, ConnstateBitsAsAmuleSetsThem)
{
  AmuleState off;  // nothing running: aMule still sets the Kad firewalled bit
  EXPECT_EQ(connstate_tag(off).as_uint(), connstate::kad_firewalled);
  AmuleState connecting;
  connecting.ed2k = AmuleEd2k::connecting;
  connecting.kad = AmuleKad::running_not_connected;
  const Tag t = connstate_tag(connecting);
  EXPECT_EQ(t.as_uint(), connstate::ed2k_connecting | connstate::kad_running | connstate::kad_firewalled);
  ASSERT_NE(t.child(tag::ed2k_id), nullptr);
  EXPECT_EQ(t.child(tag::ed2k_id)->as_uint(), 0xFFFFFFFFu);  // aMule's "connecting" ID
  AmuleState open = low_id_kad_firewalled();
  open.kad_tcp_firewalled = false;
  EXPECT_EQ(connstate_tag(open).as_uint(), connstate::ed2k_connected | connstate::kad_running | connstate::kad_connected);
  // The Kad tags only while Kad is connected, as amuled.
  EXPECT_EQ(find_tag(stats_answer(off).tags, tag::stats_kad_firewalled_udp), nullptr);
  EXPECT_NE(find_tag(stats_answer(open).tags, tag::stats_kad_firewalled_udp), nullptr);
  // amuleweb reads the speed tags without a check: always there.
  for (const auto name : {tag::stats_ul_speed, tag::stats_dl_speed, tag::stats_ul_speed_limit, tag::stats_dl_speed_limit})
    EXPECT_NE(find_tag(stats_answer(off).tags, name), nullptr);
}

TEST(EcAnswers, ClientIdFollowsAmulesGetId)
{
  AmuleState s = low_id_kad_firewalled();
  EXPECT_EQ(client_id(s), 1234567u);  // Kad firewalled: the eD2k ID
  s.kad_tcp_firewalled = false;
  EXPECT_EQ(client_id(s), 198u | 51u << 8 | 100u << 16 | 7u << 24);  // Kad open: the Kad IP, eD2k order
  AmuleState kad_only;
  kad_only.kad = AmuleKad::running_connected;
  kad_only.kad_tcp_firewalled = true;
  EXPECT_EQ(client_id(kad_only), 1u);
  EXPECT_EQ(client_id(AmuleState{}), 0u);
}

TEST(EcAnswers, ServerListAndFailure)
{
  const Packet list = server_list_answer({{{{203, 0, 113, 10}, 4661}, "one"}, {{{203, 0, 113, 11}, 4242}, ""}});
  std::string error;
  const auto servers = read_server_list(list, error);
  ASSERT_TRUE(servers) << error;
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ((*servers)[0].name, "one");
  EXPECT_EQ((*servers)[1].address.str(), "203.0.113.11:4242");
  EXPECT_EQ((*servers)[1].name, "203.0.113.11:4242");  // amulecmd shows no server without a name
  const Packet failed = failed_answer("not served");
  EXPECT_EQ(failed.opcode, Op::failed);
  EXPECT_EQ(find_tag(failed.tags, tag::string)->as_string(), "not served");
}

namespace {

Packet auth_req(std::optional<std::uint16_t> version = kProtocolVersion)
{
  Packet p{Op::auth_req,
           {Tag::string(tag::client_name, "aMulecmd"), Tag::string(tag::client_version, "2.3.3"),
            Tag::empty(tag::can_zlib), Tag::empty(tag::can_utf8_numbers)}};
  if (version) p.tags.push_back(Tag::u16(tag::protocol_version, *version));
  return p;
}

constexpr std::uint64_t kSalt = 0x0ECB0C8A2F1D3E4DULL;
const std::string kSecretMd5 = "5ebe2294ecd0e0f08eab7690d2a6ee69";  // MD5("secret")

}  // namespace

TEST(EcServerLogin, TheVerifiedTestVectorLogsIn)
{
  ServerLogin login(kSecretMd5, kSalt, "mulenet 0.1.0");
  const Packet salt = login.answer(auth_req());
  EXPECT_EQ(salt.opcode, Op::auth_salt);
  EXPECT_EQ(find_tag(salt.tags, tag::passwd_salt)->as_uint(), kSalt);
  EXPECT_TRUE(login.hello().can_zlib);
  EXPECT_EQ(login.hello().name, "aMulecmd");
  // The hash amulecmd sent for "secret" and this salt (next-capabilities.md §1.3).
  const Hash16 sent = login_hash(kSecretMd5, kSalt);
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  const Packet ok = login.answer(Packet{Op::auth_passwd, {Tag::hash16(tag::passwd_hash, sent)}});
  EXPECT_EQ(ok.opcode, Op::auth_ok);
  EXPECT_EQ(find_tag(ok.tags, tag::server_version)->as_string(), "mulenet 0.1.0");
  EXPECT_EQ(login.step(), LoginStep::logged_in);
}

TEST(EcServerLogin, RefusalsAsAmuleWordsThem)
{
  ServerLogin wrong(kSecretMd5, kSalt, "v");
  (void)wrong.answer(auth_req());
  const Packet fail = wrong.answer(Packet{Op::auth_passwd, {Tag::hash16(tag::passwd_hash, login_hash(md5_hex("x"), kSalt))}});
  EXPECT_EQ(fail.opcode, Op::auth_fail);
  EXPECT_EQ(wrong.refusal(), LoginRefusal::wrong_password);
  EXPECT_EQ(find_tag(fail.tags, tag::string)->as_string(), "Authentication failed.");

  ServerLogin old(kSecretMd5, kSalt, "v");
  EXPECT_EQ(old.answer(auth_req(0x0203)).opcode, Op::auth_fail);
  EXPECT_EQ(old.refusal(), LoginRefusal::protocol_version);
  ServerLogin none(kSecretMd5, kSalt, "v");
  EXPECT_EQ(none.answer(auth_req(std::nullopt)).opcode, Op::auth_fail);

  ServerLogin early(kSecretMd5, kSalt, "v");
  EXPECT_EQ(early.answer(Packet{Op::stat_req, {}}).opcode, Op::auth_fail);
  EXPECT_EQ(early.refusal(), LoginRefusal::not_authenticated);

  ServerLogin no_hash(kSecretMd5, kSalt, "v");
  (void)no_hash.answer(auth_req());
  EXPECT_EQ(no_hash.answer(Packet{Op::auth_passwd, {}}).opcode, Op::auth_fail);

  ServerLogin no_password("", kSalt, "v");  // never a login without an ECPassword
  (void)no_password.answer(auth_req());
  EXPECT_EQ(no_password.answer(Packet{Op::auth_passwd, {Tag::hash16(tag::passwd_hash, login_hash("", kSalt))}}).opcode,
            Op::auth_fail);
}

namespace {

struct Served {
  asio::io_context io;
  std::unique_ptr<EcServer> server;
  std::vector<std::string> log;
  explicit Served(std::size_t max_clients = 8)
  {
    EcServerOptions o;
    o.port = 0;
    o.password_md5 = kSecretMd5;
    o.server_version = "mulenet test";
    o.max_clients = max_clients;
    o.first_fail_delay = 1ms;
    o.log = [this](std::string_view line) { log.emplace_back(line); };
    std::string error;
    server = EcServer::start(io.get_executor(), o, error);
    EXPECT_TRUE(server) << error;
    server->publish(low_id_kad_firewalled(), {{{{203, 0, 113, 10}, 4661}, "lab server"}});
  }
  config::Settings settings(std::string password_md5 = kSecretMd5) const
  {
    config::Settings s;
    s.ec_enabled = true;
    s.ec_address = "127.0.0.1";
    s.ec_port = server->port();
    s.ec_password_md5 = std::move(password_md5);
    return s;
  }
  AmuleReading read(const config::Settings& s)
  {
    AmuleReading r;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          proxy::Dialer dialer(co_await asio::this_coro::executor, std::nullopt, false);
          EcClientOptions options;
          options.timeout = 3s;
          r = co_await read_amule(dialer, s, options);
          server->stop();
        },
        [](std::exception_ptr) {});
    io.run_for(10s);
    return r;
  }
};

}  // namespace

TEST(EcServer, OurClientReadsWhatWasPublished)
{
  Served served;
  const AmuleReading r = served.read(served.settings());
  ASSERT_TRUE(r.state) << r.detail;
  EXPECT_EQ(r.version, "mulenet test");
  EXPECT_EQ(r.state->ed2k_id, 1234567u);
  EXPECT_EQ(r.state->kad_tcp_firewalled, true);
  ASSERT_TRUE(r.servers);
  ASSERT_EQ(r.servers->size(), 1u);
  EXPECT_EQ((*r.servers)[0].name, "lab server");
  ASSERT_FALSE(served.log.empty());
  EXPECT_NE(served.log.back().find("logged in"), std::string::npos) << served.log.back();
}

TEST(EcServer, AWrongPasswordIsRefusedAndNeverLogged)
{
  Served served;
  const std::string wrong = md5_hex("guess");
  const AmuleReading r = served.read(served.settings(wrong));
  EXPECT_EQ(r.code, make_error_code(EcErrc::wrong_password)) << r.detail;
  bool said = false;
  for (const std::string& line : served.log) {
    said = said || line.find("wrong password") != std::string::npos;
    EXPECT_EQ(line.find(wrong), std::string::npos);
    EXPECT_EQ(line.find(kSecretMd5), std::string::npos);
  }
  EXPECT_TRUE(said);
}

TEST(EcServer, NoPasswordNoServer)
{
  asio::io_context io;
  EcServerOptions o;
  o.port = 0;
  std::string error;
  EXPECT_FALSE(EcServer::start(io.get_executor(), o, error));
  EXPECT_NE(error.find("ECPassword"), std::string::npos) << error;
}

namespace {

// Sends raw bytes and reads until the server closes (or 3 s): what came back.
asio::awaitable<std::size_t> raw_exchange(std::uint16_t port, std::vector<std::uint8_t> bytes, bool& closed)
{
  tcp::socket s(co_await asio::this_coro::executor);
  auto [cec] = co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return 0;
  co_await asio::async_write(s, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
  asio::steady_timer deadline(s.get_executor(), 3s);
  deadline.async_wait([&s](boost::system::error_code ec) {
    if (!ec) s.close();
  });
  std::array<std::uint8_t, 512> chunk{};
  std::size_t got = 0;
  for (int i = 0; i < 100; ++i) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    got += n;
    if (ec) {
      closed = ec == asio::error::eof || ec == asio::error::connection_reset;
      break;
    }
  }
  deadline.cancel();
  co_return got;
}

}  // namespace

TEST(EcServer, AFrameOver2KiBBeforeTheLoginClosesTheConnection)
{
  Served served;
  // flags 0x20, length 5000: more than aMule's 2 KiB receive buffer before the login.
  std::vector<std::uint8_t> header{0, 0, 0, 0x20, 0, 0, 0x13, 0x88};
  bool closed = false;
  std::size_t got = 99;
  asio::co_spawn(served.io, raw_exchange(served.server->port(), header, closed),
                 [&](std::exception_ptr, std::size_t n) {
                   got = n;
                   served.server->stop();
                 });
  served.io.run_for(10s);
  EXPECT_TRUE(closed);
  EXPECT_EQ(got, 0u);  // no answer: closed at once
}

TEST(EcServer, ClientsBeyondTheLimitAreTurnedAway)
{
  Served served(1);
  bool first_closed = false, second_closed = false;
  std::size_t second_got = 99;
  // The first holds its connection (an AUTH_REQ header without its body), the second is closed unanswered.
  asio::co_spawn(served.io, raw_exchange(served.server->port(), {0, 0, 0, 0x20, 0, 0, 0, 10}, first_closed),
                 [](std::exception_ptr, std::size_t) {});
  asio::co_spawn(
      served.io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer wait(co_await asio::this_coro::executor, 200ms);
        co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        std::vector<std::uint8_t> flags_only{0, 0, 0, 0x20};
        second_got = co_await raw_exchange(served.server->port(), std::move(flags_only), second_closed);
        served.server->stop();
      },
      [](std::exception_ptr) {});
  served.io.run_for(10s);
  EXPECT_TRUE(second_closed);
  EXPECT_EQ(second_got, 0u);
  bool said = false;
  for (const std::string& line : served.log) said = said || line.find("clients are connected already") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(EcServer, OneSessionManyRequestsEachItsAnswer)
{
  Served served;
  std::vector<Op> got;
  std::string failed_words;
  asio::co_spawn(
      served.io,
      [&]() -> asio::awaitable<void> {
        proxy::Dialer dialer(co_await asio::this_coro::executor, std::nullopt, false);
        const auto target = *proxy::parse_target("127.0.0.1:" + std::to_string(served.server->port()));
        const EcClientOptions options;  // named: GCC 12 mishandles braced temporaries in co_await
        EcLogin login = co_await EcSession::open(dialer, target, kSecretMd5, options);
        // amuleweb's page requests: empty lists (we share nothing), then the state, then one we do not serve.
        const std::vector<Op> ops{Op::get_dload_queue, Op::get_uload_queue, Op::get_wait_queue, Op::get_shared_files,
                                  Op::get_connstate, Op::noop, Op::kad_start};
        if (login.session) {
          for (const Op op : ops) {
            Packet request{op, {}};
            EcAnswer a = co_await login.session->ask(std::move(request));
            if (a.packet) got.push_back(a.packet->opcode);
            else if (a.code == make_error_code(EcErrc::request_failed)) failed_words = a.detail;
          }
        }
        served.server->stop();
      },
      [](std::exception_ptr) {});
  served.io.run_for(10s);
  const std::vector<Op> expected{Op::dload_queue, Op::uload_queue, Op::wait_queue, Op::shared_files, Op::misc_data,
                                 Op::noop};
  EXPECT_EQ(got, expected);
  EXPECT_NE(failed_words.find("does not serve"), std::string::npos) << failed_words;
}
