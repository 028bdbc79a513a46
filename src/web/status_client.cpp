#include "web/status_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "net/with_timeout.hpp"
#include "proxy/dialer.hpp"
#include "proxy/proxy_error.hpp"

namespace mulenet::web {

namespace asio = boost::asio;
namespace http = boost::beast::http;

asio::awaitable<StatusFetch> fetch_status(std::string address, std::uint16_t port, std::chrono::milliseconds timeout)
{
  StatusFetch out;
  const auto executor = co_await asio::this_coro::executor;
  proxy::Dialer dialer(executor, std::nullopt, false, proxy::DialTimeouts{timeout, timeout});
  proxy::DialResult dial = co_await dialer.connect(proxy::make_target(address, port));
  if (!dial.ok()) {
    out.not_running = dial.error == proxy::ProxyErrc::target_refused;
    out.error = fmt::format("no mulenet run answers on {}:{} ({})", address, port,
                            dial.detail.empty() ? dial.error.message() : dial.detail);
    co_return out;
  }
  http::request<http::string_body> req{http::verb::get, "/api/status", 11};
  req.set(http::field::host, fmt::format("{}:{}", address, port));
  req.set(http::field::user_agent, "mulenet status");
  req.keep_alive(false);
  auto exchange = [&]() -> asio::awaitable<std::optional<http::response<http::string_body>>> {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    auto [wec, wn] = co_await http::async_write(*dial.socket, req, use_tuple);
    if (wec) co_return std::nullopt;
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    auto [rec, rn] = co_await http::async_read(*dial.socket, buffer, parser, use_tuple);
    if (rec) co_return std::nullopt;
    co_return parser.release();
  };
  const auto got = co_await net::with_timeout(exchange(), timeout);
  if (!got || !*got) {
    out.error = fmt::format("{}:{} did not answer the status request in time (is it a mulenet run?)", address, port);
    co_return out;
  }
  out.http_status = static_cast<int>((*got)->result_int());
  if (out.http_status != 200) {
    out.error = fmt::format("{}:{} answered HTTP {}: {}", address, port, out.http_status, (*got)->body().substr(0, 200));
    co_return out;
  }
  out.answered = true;
  out.body = std::move((*got)->body());
  co_return out;
}

}  // namespace mulenet::web
