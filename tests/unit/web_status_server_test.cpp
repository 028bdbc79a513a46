// The status server over real loopback TCP: the API answers what was
// published, the guard's refusals arrive as HTTP answers, the SSE stream
// starts with the status and carries events, a busy port names its holder.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include "web/status_client.hpp"
#include "web/status_server.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Sends `request` and reads until `enough` is in the answer, the peer closes, or 3 s.
asio::awaitable<std::string> exchange(std::uint16_t port, std::string request, std::string enough = "")
{
  tcp::socket s(co_await asio::this_coro::executor);
  auto [cec] = co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, use_tuple);
  if (cec) co_return "";
  co_await asio::async_write(s, asio::buffer(request), use_tuple);
  std::string got;
  std::array<char, 4096> chunk{};
  asio::steady_timer deadline(s.get_executor(), 3s);
  deadline.async_wait([&s](boost::system::error_code ec) {
    if (!ec) s.close();
  });
  for (int i = 0; i < 200; ++i) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) break;
    got.append(chunk.data(), n);
    if (!enough.empty() && got.find(enough) != std::string::npos) break;
  }
  deadline.cancel();
  co_return got;
}

struct Fixture {
  asio::io_context io;
  std::unique_ptr<web::StatusServer> server;
  Fixture()
  {
    std::string error;
    web::StatusServerOptions o;
    o.port = 0;
    server = web::StatusServer::start(io.get_executor(), o, error);
    EXPECT_TRUE(server) << error;
    server->publish_status(R"({"ports":[],"answer":42})");
  }
  std::string ask(std::string request, std::string enough = "")
  {
    std::string got;
    asio::co_spawn(io, exchange(server->port(), std::move(request), std::move(enough)), [&](std::exception_ptr, std::string r) {
      got = std::move(r);
      server->stop();
    });
    io.run_for(10s);
    return got;
  }
  std::string get(std::string_view target, std::string_view host)
  {
    return ask(fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", target, host));
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(server->port()); }
};

}  // namespace

TEST(StatusServer, TheApiAnswersThePublishedStatus)
{
  Fixture f;
  const std::string got = f.get("/api/status", f.host());
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find(R"({"ports":[],"answer":42})"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Type: application/json"), std::string::npos) << got;
  EXPECT_EQ(got.find("Access-Control"), std::string::npos) << got;  // never CORS
}

TEST(StatusServer, ThePageCarriesItsToken)
{
  Fixture f;
  const std::string got = f.get("/", "localhost:" + std::to_string(f.server->port()));
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(got.find("<title>mulenet"), std::string::npos);
  EXPECT_EQ(got.find("{{TOKEN}}"), std::string::npos);  // replaced
  EXPECT_NE(got.find("X-Frame-Options: DENY"), std::string::npos);
}

TEST(StatusServer, ARebindingRequestIsRefused)
{
  Fixture f;
  const std::string got = f.get("/api/status", "evil.example:" + std::to_string(f.server->port()));
  EXPECT_NE(got.find("HTTP/1.1 403"), std::string::npos) << got;
  EXPECT_EQ(got.find("answer"), std::string::npos) << got;
}

TEST(StatusServer, ACrossOriginRequestIsRefused)
{
  Fixture f;
  const std::string got = f.ask(fmt::format(
      "GET /api/status HTTP/1.1\r\nHost: {}\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n", f.host()));
  EXPECT_NE(got.find("HTTP/1.1 403"), std::string::npos) << got;
  EXPECT_EQ(got.find("answer"), std::string::npos) << got;
}

TEST(StatusServer, AGetThatWouldChangeStateIsRefused)
{
  Fixture f;
  bool asked = false;
  f.server->on_check_kad([&] { asked = true; });
  const std::string got = f.get("/api/check-kad", f.host());
  EXPECT_NE(got.find("HTTP/1.1 405"), std::string::npos) << got;
  EXPECT_FALSE(asked);
}

TEST(StatusServer, APostWithoutTheTokenIsRefused)
{
  Fixture f;
  bool asked = false;
  f.server->on_check_kad([&] { asked = true; });
  const std::string got = f.ask(fmt::format(
      "POST /api/check-kad HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", f.host()));
  EXPECT_NE(got.find("HTTP/1.1 403"), std::string::npos) << got;
  EXPECT_FALSE(asked);
}

TEST(StatusServer, EventsStreamStartsWithTheStatusAndCarriesEvents)
{
  Fixture f;
  asio::steady_timer later(f.io, 300ms);
  later.async_wait([&](boost::system::error_code) { f.server->publish_event("port-changed", R"({"event":"port-changed"})"); });
  const std::string got = f.ask(fmt::format("GET /api/events HTTP/1.1\r\nHost: {}\r\n\r\n", f.host()),
                                "event: port-changed");
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  const auto status_at = got.find("event: status\ndata: {\"ports\":[],\"answer\":42}\n\n");
  const auto event_at = got.find("event: port-changed\ndata: {\"event\":\"port-changed\"}\n\n");
  ASSERT_NE(status_at, std::string::npos) << got;
  ASSERT_NE(event_at, std::string::npos) << got;
  EXPECT_LT(status_at, event_at);
}

TEST(StatusServer, GarbageIsAnsweredOrDroppedNeverServed)
{
  Fixture f;
  const std::string got = f.ask(std::string(20000, 'x') + "\r\n\r\n");
  EXPECT_EQ(got.find("answer"), std::string::npos) << got;
}

TEST(StatusServer, ABusyPortNamesItsHolder)
{
  asio::io_context io;
  tcp::acceptor holder(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string error;
  web::StatusServerOptions o;
  o.port = holder.local_endpoint().port();
  EXPECT_FALSE(web::StatusServer::start(io.get_executor(), o, error));
  EXPECT_NE(error.find("PID " + std::to_string(::getpid())), std::string::npos) << error;
  EXPECT_NE(error.find("StatusPort"), std::string::npos) << error;
}

TEST(StatusServer, OffLoopbackWithoutAPasswordItRefusesToStart)
{
  asio::io_context io;
  std::string error;
  web::StatusServerOptions o;
  o.address = "0.0.0.0";
  o.port = 0;
  EXPECT_FALSE(web::StatusServer::start(io.get_executor(), o, error));
  EXPECT_NE(error.find("[WebServer] Password"), std::string::npos) << error;
}

TEST(StatusServer, TheClientReadsTheStatusOrSaysNothingRuns)
{
  Fixture f;
  web::StatusFetch got;
  asio::co_spawn(f.io, web::fetch_status("127.0.0.1", f.server->port()), [&](std::exception_ptr, web::StatusFetch r) {
    got = std::move(r);
    f.server->stop();
  });
  f.io.run_for(10s);
  EXPECT_TRUE(got.answered) << got.error;
  EXPECT_EQ(got.body, R"({"ports":[],"answer":42})");

  asio::io_context io;
  tcp::acceptor closed(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = closed.local_endpoint().port();
  closed.close();
  web::StatusFetch none;
  asio::co_spawn(io, web::fetch_status("127.0.0.1", port), [&](std::exception_ptr, web::StatusFetch r) { none = std::move(r); });
  io.run_for(10s);
  EXPECT_FALSE(none.answered);
  EXPECT_TRUE(none.not_running) << none.error;
}

TEST(StatusServer, ThePageCarriesTheStatusSafely)
{
  Fixture f;
  f.server->publish_status(R"({"ports":[],"evidence":"</script><script>alert(1)</script>"})");
  const std::string got = f.get("/", f.host());
  EXPECT_EQ(got.find("</script><script>alert(1)"), std::string::npos) << got;
  EXPECT_NE(got.find(R"(\u003c/script>\u003cscript>alert(1)\u003c/script>)"), std::string::npos);
  EXPECT_EQ(got.find("{{STATUS}}"), std::string::npos);
}
