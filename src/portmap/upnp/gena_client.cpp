#include "portmap/upnp/gena_client.hpp"

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/tcp_listen.hpp"
#include "net/use_tuple.hpp"
#include "net/with_timeout.hpp"
#include "portmap/upnp/http_fetch.hpp"

namespace mulenet::portmap::upnp::gena {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

using net::use_tuple;
constexpr const char* kCallbackPath = "/mulenet/events";
constexpr std::size_t kMaxConcurrent = 4;
constexpr auto kRequestTime = 5s;

asio::awaitable<SubscribeResult> send(const HttpUrl& url, std::optional<std::string> request,
                                      std::chrono::milliseconds wait)
{
  if (!request) co_return SubscribeResult{std::nullopt, "cannot build the GENA request (odd SID or URL)"};
  const HttpResponse r = co_await http_exchange(url, *request, {wait, 4 * 1024});
  if (!r.ok) co_return SubscribeResult{std::nullopt, r.error};
  auto parsed = parse_subscribe_response(r.head);
  if (!parsed) co_return SubscribeResult{std::nullopt, "the router's answer: " + parsed.detail};
  co_return SubscribeResult{std::move(parsed.value), {}};
}

}  // namespace

asio::awaitable<SubscribeResult> subscribe(HttpUrl event_url, HttpUrl callback, std::uint32_t timeout_seconds,
                                           std::chrono::milliseconds wait)
{
  co_return co_await send(event_url, encode_subscribe(event_url, callback, timeout_seconds), wait);
}

asio::awaitable<SubscribeResult> renew(HttpUrl event_url, std::string sid, std::uint32_t timeout_seconds,
                                       std::chrono::milliseconds wait)
{
  co_return co_await send(event_url, encode_renewal(event_url, sid, timeout_seconds), wait);
}

asio::awaitable<void> unsubscribe(HttpUrl event_url, std::string sid, std::chrono::milliseconds wait)
{
  const auto request = encode_unsubscribe(event_url, sid);
  if (request) co_await http_exchange(event_url, *request, {wait, 4 * 1024});
}

// --- the callback listener ------------------------------------------------------
struct EventListener::State {
  explicit State(tcp::acceptor a) : acceptor(std::move(a)) {}
  tcp::acceptor acceptor;
  std::string gateway;
  std::string sid;
  EventFn fn;
  ListenerCounters counters;
  std::list<std::shared_ptr<tcp::socket>> open;
  bool stopped = false;
};

namespace {

http::status judge(EventListener::State& st, const http::request<http::string_body>& req, std::optional<Event>& event,
                   std::uint32_t& seq)
{
  if (req.method_string() != "NOTIFY" || req.target() != kCallbackPath) return http::status::bad_request;
  if (req["NT"] != "upnp:event" || req["NTS"] != "upnp:propchange")
    return http::status::bad_request;
  if (st.sid.empty() || req["SID"] != st.sid) return http::status::precondition_failed;
  const auto parsed = parse_event_body(req.body());
  if (!parsed) return http::status::bad_request;
  const std::string seq_text(req["SEQ"]);
  seq = 0;
  for (const char c : seq_text.substr(0, 10))
    if (c >= '0' && c <= '9') seq = seq * 10 + static_cast<std::uint32_t>(c - '0');
  event = parsed.value;
  return http::status::ok;
}

asio::awaitable<void> serve(std::shared_ptr<EventListener::State> st, std::shared_ptr<tcp::socket> socket)
{
  auto handle = [&]() -> asio::awaitable<bool> {
    boost::beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(kMaxEventBytes);
    auto [rec, rn] = co_await http::async_read(*socket, buffer, parser, use_tuple);
    if (rec) co_return false;
    std::optional<Event> event;
    std::uint32_t seq = 0;
    const http::status status = judge(*st, parser.get(), event, seq);
    http::response<http::string_body> res{status, 11};
    res.set(http::field::connection, "close");
    res.content_length(0);
    co_await http::async_write(*socket, res, use_tuple);
    if (!event) co_return false;
    ++st->counters.events;
    if (st->fn && !st->stopped) st->fn(*event, seq);
    co_return true;
  };
  const auto done = co_await net::with_timeout(handle(), kRequestTime);
  if (!done || !*done) ++st->counters.refused;
  boost::system::error_code ignored;
  socket->close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<EventListener::State> st)
{
  for (std::uint64_t n = 0; n < 1'000'000'000ULL && !st->stopped; ++n) {
    auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || st->stopped) co_return;
      continue;
    }
    boost::system::error_code pec;
    const auto peer = socket.remote_endpoint(pec);
    // Only the router may post events; and only a few at a time.
    if (pec || peer.address().to_string() != st->gateway || st->open.size() >= kMaxConcurrent) {
      ++st->counters.refused;
      socket.close(pec);
      continue;
    }
    auto shared = std::make_shared<tcp::socket>(std::move(socket));
    st->open.push_back(shared);
    const auto it = std::prev(st->open.end());
    asio::co_spawn(st->acceptor.get_executor(), serve(st, shared), [st, it](std::exception_ptr) {
      if (!st->stopped) st->open.erase(it);
    });
  }
}

}  // namespace

EventListener::EventListener(std::shared_ptr<State> state) : state_(std::move(state)) {}
EventListener::~EventListener() { stop(); }

std::shared_ptr<EventListener> EventListener::start(asio::any_io_executor executor, const std::string& local_address,
                                                    std::uint16_t port, std::string gateway_address, std::string& error)
{
  const auto ip = local_address.empty() ? std::nullopt : net::listen_address(local_address);
  if (!ip) {
    error = "not an IP address: " + local_address;
    return nullptr;
  }
  boost::system::error_code ec;
  auto acceptor = net::listen_tcp(executor, tcp::endpoint(*ip, port), 8, ec);
  if (!acceptor) {
    error = "cannot listen for router events on TCP " + local_address + ":" + std::to_string(port) + ": " +
            net::listen_failure_text(ec, port);
    return nullptr;
  }
  auto st = std::make_shared<State>(std::move(*acceptor));
  st->gateway = std::move(gateway_address);
  asio::co_spawn(executor, accept_loop(st), asio::detached);
  return std::make_shared<EventListener>(st);
}

void EventListener::expect_sid(std::string sid) { state_->sid = std::move(sid); }
void EventListener::on_event(EventFn fn) { state_->fn = std::move(fn); }
ListenerCounters EventListener::counters() const { return state_->counters; }

HttpUrl EventListener::callback_url() const
{
  boost::system::error_code ec;
  const auto endpoint = state_->acceptor.local_endpoint(ec);
  HttpUrl url;
  url.host = endpoint.address().to_string();
  url.host_kind = endpoint.address().is_v4() ? HostKind::ipv4 : HostKind::ipv6;
  url.port = endpoint.port();
  url.target = kCallbackPath;
  return url;
}

void EventListener::stop()
{
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& s : state_->open) s->close(ignored);
  state_->open.clear();
}

}  // namespace mulenet::portmap::upnp::gena
