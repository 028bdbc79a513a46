#include "portmap/upnp/http_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/with_timeout.hpp"
#include "portmap/portmap_error.hpp"

namespace mulenet::portmap::upnp {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string http_get_text(const HttpUrl& url)
{
  return "GET " + url.target + " HTTP/1.1\r\nHost: " + url.authority() +
         "\r\nUser-Agent: mulenet\r\nConnection: close\r\n\r\n";
}

asio::awaitable<HttpResponse> http_exchange(const HttpUrl& url, std::string request_text, HttpLimits limits)
{
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  const auto t0 = std::chrono::steady_clock::now();
  HttpResponse out;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url.host, ec);
  if (ec) {
    out.error = "not an IP address: " + url.host;  // url_guard only lets IP literals through
    out.code = PortmapErrc::unsafe_url;
    co_return out;
  }
  tcp::socket socket(co_await asio::this_coro::executor);
  auto exchange = [&]() -> asio::awaitable<bool> {  // bool: with_timeout needs a value
    auto [cec] = co_await socket.async_connect(tcp::endpoint(address, url.port), use_tuple);
    if (cec) {
      out.error = "cannot connect to " + url.authority() + ": " + cec.message();
      out.code = cec == asio::error::connection_refused ? PortmapErrc::no_service : PortmapErrc::no_answer;
      co_return false;
    }
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(request_text), use_tuple);
    if (wec) {
      out.error = "sending to " + url.authority() + ": " + wec.message();
      out.code = PortmapErrc::no_answer;
      co_return false;
    }
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(limits.max_body);
    auto [rec, rn] = co_await http::async_read(socket, buffer, parser, use_tuple);
    if (rec) {
      out.error = rec == http::error::body_limit
                      ? "the answer from " + url.authority() + " is larger than " + std::to_string(limits.max_body) +
                            " bytes"
                      : "reading the answer from " + url.authority() + ": " + rec.message();
      // Not HTTP, too large, cut short: a broken answer; closed before it, or reset: none.
      const bool broken = rec.category() == boost::system::error_code(http::error::body_limit).category() &&
                          rec != http::error::end_of_stream;
      out.code = broken ? PortmapErrc::bad_answer : PortmapErrc::no_answer;
      co_return false;
    }
    out.ok = true;
    out.status = parser.get().result_int();
    // The header as text (status line, then each field), for parsers that
    // take a whole response head.
    const auto& msg = parser.get();
    out.head = "HTTP/1.1 " + std::to_string(msg.result_int()) + " " + std::string(msg.reason()) + "\r\n";
    for (const auto& field : msg)
      out.head += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
    out.head += "\r\n";
    out.body = std::move(parser.get().body());
    co_return true;
  };
  const auto finished = co_await net::with_timeout(exchange(), limits.timeout);
  if (!finished) {
    out.error = "no complete answer from " + url.authority() + " within " + std::to_string(limits.timeout.count()) +
                " ms";
    out.code = PortmapErrc::no_answer;
  }
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  co_return out;
}

}  // namespace mulenet::portmap::upnp
