// A hostile or broken "router" on loopback against the UPnP HTTP client and
// the mapping-table walk: slow bodies, huge bodies, garbage, and a table
// that never ends. Each must end with a clear error (or a bounded result),
// never a hang or unbounded memory. (The client working with a real router is
// shown by tests/lab/cases/portmap_igd.sh against miniupnpd.)
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "portmap/portmap_error.hpp"
#include "portmap/upnp/http_fetch.hpp"
#include "portmap/upnp/soap_call.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace mulenet::portmap::upnp;
using namespace std::chrono_literals;
using mulenet::portmap::PortmapErrc;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

enum class Mode { slow_body, huge_body, garbage, endless_table };

std::string fixture(const std::string& name)
{
  std::ifstream in(std::string(MULENET_FIXTURES_DIR) + "/upnp/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

asio::awaitable<void> pause(tcp::socket& socket, std::chrono::milliseconds d)
{
  asio::steady_timer t(socket.get_executor(), d);
  co_await t.async_wait(use_tuple);
}

// Reads the request (whatever arrives first is enough), then misbehaves.
asio::awaitable<void> misbehave(tcp::socket socket, Mode mode)
{
  char in[4096];
  auto [rec, n] = co_await socket.async_read_some(asio::buffer(in), use_tuple);
  if (rec) co_return;
  switch (mode) {
    case Mode::slow_body: {
      const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n";
      co_await asio::async_write(socket, asio::buffer(head), use_tuple);
      for (int i = 0; i < 1000; ++i) {  // bounded: the client gives up long before
        auto [wec, w] = co_await asio::async_write(socket, asio::buffer("<", 1), use_tuple);
        if (wec) co_return;
        co_await pause(socket, 20ms);
      }
      break;
    }
    case Mode::huge_body: {
      const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 10000000\r\n\r\n";
      co_await asio::async_write(socket, asio::buffer(head), use_tuple);
      const std::string chunk(64 * 1024, 'x');
      for (int i = 0; i < 160; ++i) {
        auto [wec, w] = co_await asio::async_write(socket, asio::buffer(chunk), use_tuple);
        if (wec) co_return;
      }
      break;
    }
    case Mode::garbage: {
      const std::string junk = "SSH-2.0-OpenSSH_9.2\r\n\r\n\x01\x02\x03";
      co_await asio::async_write(socket, asio::buffer(junk), use_tuple);
      break;
    }
    case Mode::endless_table: {
      // The same valid entry for every index asked: a table without end.
      const std::string answer = fixture("real/soap_get_generic_entry_0.http");
      co_await asio::async_write(socket, asio::buffer(answer), use_tuple);
      break;
    }
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Mode mode)
{
  for (int i = 0; i < 64; ++i) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), misbehave(std::move(socket), mode), asio::detached);
  }
}

struct FakeRouter {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  explicit FakeRouter(Mode mode) { asio::co_spawn(io, accept_loop(acceptor, mode), asio::detached); }
  HttpUrl url() const
  {
    return parse_http_url("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/ctl/IPConn")
        .value;
  }
  template <typename T>
  T run(asio::awaitable<T> work)
  {
    T result{};
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T r) {
      if (e) std::rethrow_exception(e);
      result = std::move(r);
      acceptor.close();
      io.stop();
    });
    io.run();
    return result;
  }
};

TEST(UpnpHttpHostile, SlowBodyEndsAtTheTimeout)
{
  FakeRouter router(Mode::slow_body);
  const HttpUrl url = router.url();
  const HttpResponse r = router.run(http_exchange(url, http_get_text(url), {300ms, 256 * 1024}));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("within 300 ms"), std::string::npos) << r.error;
  EXPECT_EQ(r.code, PortmapErrc::no_answer);
}

TEST(UpnpHttpHostile, HugeBodyIsRefusedAtTheLimit)
{
  FakeRouter router(Mode::huge_body);
  const HttpUrl url = router.url();
  const HttpResponse r = router.run(http_exchange(url, http_get_text(url), {5000ms, 64 * 1024}));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.body.size() <= 64 * 1024);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.code, PortmapErrc::bad_answer) << r.error;
}

TEST(UpnpHttpHostile, GarbageIsNotHttp)
{
  FakeRouter router(Mode::garbage);
  const HttpUrl url = router.url();
  const HttpResponse r = router.run(http_exchange(url, http_get_text(url), {2000ms, 64 * 1024}));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.code, PortmapErrc::bad_answer) << r.error;
}

TEST(UpnpHttpHostile, RefusedConnectionIsNoService)
{
  FakeRouter router(Mode::garbage);
  const HttpUrl url = router.url();
  router.acceptor.close();  // nothing listens on that port any more
  const HttpResponse r = router.run(http_exchange(url, http_get_text(url), {2000ms, 64 * 1024}));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, PortmapErrc::no_service) << r.error;
}

TEST(UpnpHttpHostile, SoapCallOnGarbageSaysWhy)
{
  FakeRouter router(Mode::garbage);
  const HttpUrl url = router.url();
  const soap::CallResult r = router.run(
      soap::call(url, "urn:schemas-upnp-org:service:WANIPConnection:1", soap::get_external_ip_address(), 2000ms));
  EXPECT_FALSE(r.response.has_value());
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.code, PortmapErrc::bad_answer) << r.error;
}

TEST(UpnpHttpHostile, EndlessMappingTableStopsAtTheBound)
{
  FakeRouter router(Mode::endless_table);
  const HttpUrl url = router.url();
  const soap::MappingTable t = router.run(
      soap::list_port_mappings(url, "urn:schemas-upnp-org:service:WANIPConnection:2", 2000ms, 5));
  EXPECT_TRUE(t.truncated);
  EXPECT_EQ(t.entries.size(), 5u);
  EXPECT_TRUE(t.error.empty()) << t.error;
}

TEST(UpnpHttpHostile, MappingTableOnGarbageReportsTheBreak)
{
  FakeRouter router(Mode::garbage);
  const HttpUrl url = router.url();
  const soap::MappingTable t =
      router.run(soap::list_port_mappings(url, "urn:schemas-upnp-org:service:WANIPConnection:2", 2000ms, 5));
  EXPECT_FALSE(t.truncated);
  EXPECT_TRUE(t.entries.empty());
  EXPECT_NE(t.error.find("GetGenericPortMappingEntry 0"), std::string::npos) << t.error;
}

}  // namespace
