// The EC client against hostile or broken peers (fakes written here, for the
// error paths only; the real thing is tests/lab/cases/ed2k_amuled.sh): each
// misbehaviour ends in its own code, within the client's timeout, never a
// hang or a crash. A fake accepts one connection and plays a script.
#include <gtest/gtest.h>

#include <functional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "config/settings.hpp"
#include "ec/ec_answers.hpp"
#include "ec/ec_error.hpp"
#include "ec/ec_login.hpp"
#include "ec/read_amule.hpp"
#include "proxy/dialer.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet;
using namespace mulenet::ec;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
const std::string kPasswordMd5 = md5_hex("secret");

// Reads one frame (header and body) and returns its body length, or -1.
asio::awaitable<long> read_frame(tcp::socket& s)
{
  std::array<std::uint8_t, 8> header{};
  auto [ec, n] = co_await asio::async_read(s, asio::buffer(header), use_tuple);
  if (ec) co_return -1;
  const std::size_t length = std::size_t{header[4]} << 24 | std::size_t{header[5]} << 16 | std::size_t{header[6]} << 8 | header[7];
  std::vector<std::uint8_t> body(length);
  auto [ec2, n2] = co_await asio::async_read(s, asio::buffer(body), use_tuple);
  co_return ec2 ? -1 : static_cast<long>(length);
}

asio::awaitable<void> send(tcp::socket& s, const Bytes& bytes)
{
  co_await asio::async_write(s, asio::buffer(bytes), use_tuple);
}

asio::awaitable<void> stall(tcp::socket& s)
{
  asio::steady_timer t(s.get_executor(), 5s);
  co_await t.async_wait(use_tuple);
}

using Script = std::function<asio::awaitable<void>(tcp::socket&)>;

AmuleReading against(Script script)
{
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = acceptor.local_endpoint().port();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (!ec) co_await script(socket);
      },
      [](std::exception_ptr) {});
  config::Settings settings;
  settings.ec_enabled = true;
  settings.ec_address = "127.0.0.1";
  settings.ec_port = port;
  settings.ec_password_md5 = kPasswordMd5;
  AmuleReading r;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        proxy::Dialer dialer(co_await asio::this_coro::executor, std::nullopt, false);
        EcClientOptions options;
        options.timeout = 500ms;
        r = co_await read_amule(dialer, settings, options);
        io.stop();
      },
      [](std::exception_ptr) {});
  io.run_for(20s);
  return r;
}

// A login that succeeds, as a server would do it.
asio::awaitable<bool> good_login(tcp::socket& s)
{
  const long request = co_await read_frame(s);
  if (request < 0) co_return false;
  const Bytes salt = encode_frame(auth_salt_answer(7), kFlagBase);
  co_await send(s, salt);
  const long password = co_await read_frame(s);
  if (password < 0) co_return false;
  const Bytes ok = encode_frame(auth_ok_answer("fake"), kFlagBase);
  co_await send(s, ok);
  co_return true;
}

}  // namespace

TEST(EcClientHostile, ClosedAtOnceIsConnectionLost)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> { s.close(); co_return; });
  EXPECT_EQ(r.code, make_error_code(EcErrc::connection_lost)) << r.detail;
}

TEST(EcClientHostile, SilenceIsNotAnswering)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> { co_await stall(s); });
  EXPECT_EQ(r.code, make_error_code(EcErrc::not_answering)) << r.detail;
}

TEST(EcClientHostile, NotEcAtAllIsABrokenAnswer)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    co_await read_frame(s);
    const std::string http = "HTTP/1.1 400 Bad Request\r\n\r\n";
    co_await send(s, Bytes(http.begin(), http.end()));
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::broken_answer)) << r.detail;
}

TEST(EcClientHostile, AHugeAnnouncedFrameBeforeTheLoginIsRefused)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    co_await read_frame(s);
    const Bytes huge{0, 0, 0, 0x20, 0x7f, 0xff, 0xff, 0xff};
    co_await send(s, huge);
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::broken_answer)) << r.detail;
}

TEST(EcClientHostile, ARefusalBeforeTheSaltIsAnotherVersion)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    co_await read_frame(s);
    co_await send(s, encode_frame(auth_fail_answer("Invalid protocol version."), kFlagBase));
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::version_mismatch)) << r.detail;
  EXPECT_NE(r.detail.find("Invalid protocol version."), std::string::npos) << r.detail;
}

TEST(EcClientHostile, ARefusalAfterTheHashIsAWrongPassword)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    co_await read_frame(s);
    co_await send(s, encode_frame(auth_salt_answer(7), kFlagBase));
    co_await read_frame(s);
    co_await send(s, encode_frame(auth_fail_answer("Authentication failed."), kFlagBase));
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::wrong_password)) << r.detail;
  EXPECT_EQ(r.detail.find(kPasswordMd5), std::string::npos);
}

TEST(EcClientHostile, ASaltWithoutASaltIsABrokenAnswer)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    co_await read_frame(s);
    co_await send(s, encode_frame(Packet{Op::auth_salt, {}}, kFlagBase));
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::broken_answer)) << r.detail;
}

TEST(EcClientHostile, AFailedStatusRequestIsRequestFailed)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    const bool logged_in = co_await good_login(s);
    if (!logged_in) co_return;
    co_await read_frame(s);
    co_await send(s, encode_frame(failed_answer("busy"), kFlagBase));
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::request_failed)) << r.detail;
}

TEST(EcClientHostile, TheWrongAnswerToStatusIsABrokenAnswer)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    const bool logged_in = co_await good_login(s);
    if (!logged_in) co_return;
    co_await read_frame(s);
    const std::vector<AmuleServer> none;
    const Bytes list = encode_frame(server_list_answer(none), kFlagBase);
    co_await send(s, list);
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::broken_answer)) << r.detail;
}

TEST(EcClientHostile, ACorruptZlibBodyIsABrokenAnswer)
{
  const auto r = against([](tcp::socket& s) -> asio::awaitable<void> {
    const bool logged_in = co_await good_login(s);
    if (!logged_in) co_return;
    co_await read_frame(s);
    const Bytes corrupt{0, 0, 0, 0x21, 0, 0, 0, 4, 0x78, 0x9c, 0xff, 0xff};
    co_await send(s, corrupt);
    co_await stall(s);
  });
  EXPECT_EQ(r.code, make_error_code(EcErrc::broken_answer)) << r.detail;
}

TEST(EcClientHostile, NothingListeningIsNotListening)
{
  asio::io_context io;
  std::uint16_t port = 0;
  {
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  config::Settings settings;
  settings.ec_enabled = true;
  settings.ec_port = port;
  settings.ec_password_md5 = kPasswordMd5;
  AmuleReading r;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        proxy::Dialer dialer(co_await asio::this_coro::executor, std::nullopt, false);
        const EcClientOptions defaults;
        r = co_await read_amule(dialer, settings, defaults);
      },
      [](std::exception_ptr) {});
  io.run_for(10s);
  EXPECT_EQ(r.code, make_error_code(EcErrc::not_listening)) << r.detail;
}
