// The GENA callback listener on loopback: a NOTIFY from the gateway for our
// SID is accepted and reported; another SID gets 412; malformed, oversized
// or not from the gateway is refused. (Real miniupnpd events:
// tests/lab/cases/portmap_stay.sh.)
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "portmap/upnp/gena_client.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet::portmap::upnp;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

const std::string kBody =
    "<e:propertyset xmlns:e=\"urn:schemas-upnp-org:event-1-0\"><e:property><PortMappingNumberOfEntries>2"
    "</PortMappingNumberOfEntries></e:property></e:propertyset>";

std::string notify(const std::string& sid, const std::string& body = kBody, const std::string& seq = "1")
{
  return "NOTIFY /mulenet/events HTTP/1.1\r\nHOST: 127.0.0.1\r\nCONTENT-TYPE: text/xml\r\nNT: upnp:event\r\n"
         "NTS: upnp:propchange\r\nSID: " + sid + "\r\nSEQ: " + seq + "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends one request and returns the status line of the answer ("" if none).
asio::awaitable<std::string> post(tcp::endpoint to, std::string request)
{
  tcp::socket s(co_await asio::this_coro::executor);
  auto [cec] = co_await s.async_connect(to, use_tuple);
  if (cec) co_return std::string{};
  co_await asio::async_write(s, asio::buffer(request), use_tuple);
  std::string got(256, '\0');
  asio::steady_timer deadline(s.get_executor(), 3s);
  deadline.async_wait([&s](boost::system::error_code ec) {
    if (!ec) s.close();
  });
  auto [ec, n] = co_await s.async_read_some(asio::buffer(got), use_tuple);
  deadline.cancel();
  if (ec) co_return std::string{};
  got.resize(n);
  co_return got.substr(0, got.find("\r\n"));
}

struct Fixture {
  asio::io_context io;
  std::shared_ptr<gena::EventListener> listener;
  std::vector<std::pair<std::string, std::uint32_t>> events;
  explicit Fixture(const std::string& gateway = "127.0.0.1")
  {
    std::string error;
    listener = gena::EventListener::start(io.get_executor(), "127.0.0.1", 0, gateway, error);
    EXPECT_TRUE(listener) << error;
    listener->expect_sid("uuid:ours");
    listener->on_event([this](const gena::Event& e, std::uint32_t seq) {
      events.emplace_back(e.port_mapping_number_of_entries() ? std::to_string(*e.port_mapping_number_of_entries()) : "",
                          seq);
    });
  }
  tcp::endpoint endpoint() const
  {
    return {asio::ip::make_address("127.0.0.1"), listener->callback_url().port};
  }
  std::string run(std::string request)
  {
    std::string status;
    asio::co_spawn(io, post(endpoint(), std::move(request)), [&](std::exception_ptr e, std::string s) {
      if (e) std::rethrow_exception(e);
      status = std::move(s);
      listener->stop();
    });
    io.run();
    return status;
  }
};

}  // namespace

TEST(GenaListener, AcceptsOurEventFromTheGateway)
{
  Fixture f;
  EXPECT_EQ(f.run(notify("uuid:ours", kBody, "7")), "HTTP/1.1 200 OK");
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].first, "2");
  EXPECT_EQ(f.events[0].second, 7u);
  EXPECT_EQ(f.listener->callback_url().target, "/mulenet/events");
}

TEST(GenaListener, AnotherSidIs412)
{
  Fixture f;
  EXPECT_EQ(f.run(notify("uuid:someone-else")), "HTTP/1.1 412 Precondition Failed");
  EXPECT_TRUE(f.events.empty());
}

TEST(GenaListener, MalformedOrOversizedIsRefused)
{
  {
    Fixture f;
    EXPECT_EQ(f.run(notify("uuid:ours", "<not-a-propertyset/>")), "HTTP/1.1 400 Bad Request");
    EXPECT_TRUE(f.events.empty());
  }
  {
    Fixture f;
    EXPECT_EQ(f.run("GET /mulenet/events HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  }
  {
    Fixture f;  // a body over the limit: no answer at all, the connection is dropped
    EXPECT_EQ(f.run(notify("uuid:ours", std::string(100 * 1024, 'x'))), "");
    EXPECT_EQ(f.listener->counters().refused, 1u);
  }
}

TEST(GenaListener, OnlyTheGatewayMayPost)
{
  Fixture f("192.0.2.1");  // the "gateway" is elsewhere: loopback is refused
  EXPECT_EQ(f.run(notify("uuid:ours")), "");
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.listener->counters().refused, 1u);
}
