#include "web/status_server.hpp"

#include <array>
#include <deque>
#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "net/tcp_listen.hpp"
#include "net/use_tuple.hpp"
#include "net/with_timeout.hpp"
#include "web/request_guard.hpp"
#include "net/random_bytes.hpp"

namespace mulenet::web {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

using net::use_tuple;
constexpr std::size_t kMaxConnections = 32;   // at once, SSE streams included
constexpr std::size_t kMaxSseClients = 16;
constexpr std::size_t kMaxQueued = 256;       // events waiting for a slow SSE client: beyond, it is dropped
constexpr int kMaxRequestsPerConnection = 100;
constexpr auto kRequestTime = 10s;            // to send one request
constexpr auto kWriteTime = 10s;
constexpr auto kHeartbeat = 15s;              // an SSE comment, so proxies and browsers keep the stream
constexpr unsigned long kMaxSseRounds = 100'000'000UL;
constexpr std::size_t kRecentEvents = 50;     // what a page opened now still shows of what happened

std::string random_token()
{
  std::array<unsigned char, 16> bytes{};
  if (!net::random_bytes(bytes.data(), bytes.size())) return {};
  std::string out;
  for (const unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

struct SseClient {
  explicit SseClient(std::shared_ptr<tcp::socket> s) : socket(std::move(s)), wake(socket->get_executor()) {}
  std::shared_ptr<tcp::socket> socket;
  std::deque<std::string> queue;
  asio::steady_timer wake;
  bool dropped = false;
};

std::string sse_message(std::string_view name, std::string_view json)
{
  return fmt::format("event: {}\ndata: {}\n\n", name, json);
}

}  // namespace

struct StatusServer::State {
  explicit State(tcp::acceptor a) : acceptor(std::move(a)) {}
  tcp::acceptor acceptor;
  GuardConfig guard;
  std::string status_json = "{}";
  std::function<void()> check_kad;
  std::list<std::shared_ptr<tcp::socket>> open;
  std::list<std::shared_ptr<SseClient>> sse;
  std::deque<std::string> recent;  // the last events (SSE messages), replayed to a new stream
  bool stopped = false;
};

namespace {

using State = StatusServer::State;

// What every answer carries: no caching, no framing by other pages, no
// sniffing, no referrer; and never an Access-Control-* header.
void harden(http::response<http::string_body>& res)
{
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
          "img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  res.set(http::field::server, "mulenet");
}

http::response<http::string_body> answer(unsigned version, bool keep_alive, http::status status,
                                         std::string_view type, std::string body)
{
  http::response<http::string_body> res{status, version};
  harden(res);
  res.set(http::field::content_type, type);
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

void replace_all(std::string& text, std::string_view mark, std::string_view value)
{
  for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at + value.size()))
    text.replace(at, mark.size(), value);
}

// The page with its token and the current status in it. The status JSON goes
// inside a <script> element: every '<' becomes \u003c, so no text in it (a
// router's words, a nick) can close the element.
std::string page_for(const State& st)
{
  std::string page(status_page_html());
  std::string status;
  for (const char c : st.status_json) status += c == '<' ? std::string("\\u003c") : std::string(1, c);
  replace_all(page, "{{TOKEN}}", st.guard.token);
  replace_all(page, "{{STATUS}}", status);
  return page;
}

asio::awaitable<bool> write_all(tcp::socket& socket, std::string text)
{
  auto wrote = co_await net::with_timeout(asio::async_write(socket, asio::buffer(text), use_tuple), kWriteTime);
  co_return wrote && !std::get<0>(*wrote);
}

// An SSE stream: the status first, then every event, with heartbeats; until
// the client goes, falls too far behind, or the server stops.
asio::awaitable<void> stream_events(std::shared_ptr<State> st, std::shared_ptr<tcp::socket> socket)
{
  if (st->sse.size() >= kMaxSseClients) {
    co_await write_all(*socket, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    co_return;
  }
  auto client = std::make_shared<SseClient>(socket);
  st->sse.push_back(client);
  const auto mine = std::prev(st->sse.end());
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n"
      "X-Content-Type-Options: nosniff\r\n\r\nretry: 3000\n\n" +
      sse_message("status", st->status_json);
  for (const std::string& earlier : st->recent) head += earlier;
  bool ok = co_await write_all(*socket, std::move(head));
  for (unsigned long round = 0; ok && round < kMaxSseRounds && !st->stopped && !client->dropped; ++round) {
    if (client->queue.empty()) {
      client->wake.expires_after(kHeartbeat);
      auto [ec] = co_await client->wake.async_wait(use_tuple);
      if (st->stopped || client->dropped) break;
      if (!ec && client->queue.empty()) {
        ok = co_await write_all(*socket, ": keep-alive\n\n");
        continue;
      }
    }
    std::string batch;
    while (!client->queue.empty()) {
      batch += client->queue.front();
      client->queue.pop_front();
    }
    if (!batch.empty()) ok = co_await write_all(*socket, std::move(batch));
  }
  if (!st->stopped) st->sse.erase(mine);
}

// One request: read, judge, answer. False: close the connection (or it became a stream).
asio::awaitable<bool> handle_one(std::shared_ptr<State> st, std::shared_ptr<tcp::socket> socket,
                                 boost::beast::flat_buffer& buffer)
{
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(4 * 1024);
  auto read = co_await net::with_timeout(http::async_read(*socket, buffer, parser, use_tuple), kRequestTime);
  if (!read || std::get<0>(*read)) co_return false;
  const auto& req = parser.get();
  RequestView view;
  view.method = req.method_string();
  view.target = req.target();
  auto header = [&](std::string_view name) -> std::optional<std::string_view> {
    const auto it = req.find(name);
    if (it == req.end()) return std::nullopt;
    return it->value();
  };
  view.host = header("Host");
  view.origin = header("Origin");
  view.token = header("X-Mulenet-Token");
  view.authorization = header("Authorization");
  const Decision d = decide(view, st->guard);
  const bool keep = req.keep_alive() && d.allowed;
  http::response<http::string_body> res;
  if (!d.allowed) {
    res = answer(req.version(), false, static_cast<http::status>(d.status), "text/plain; charset=utf-8",
                 "mulenet: " + d.reason + "\n");
    if (d.status == 401) res.set(http::field::www_authenticate, "Basic realm=\"mulenet\", charset=\"UTF-8\"");
  } else {
    switch (d.route) {
      case Route::page: res = answer(req.version(), keep, http::status::ok, "text/html; charset=utf-8", page_for(*st)); break;
      case Route::status: res = answer(req.version(), keep, http::status::ok, "application/json", st->status_json); break;
      case Route::events: co_await stream_events(st, socket); co_return false;
      case Route::check_kad:
        if (st->check_kad) st->check_kad();
        res = answer(req.version(), keep, http::status::accepted, "application/json",
                     st->check_kad ? "{\"asked\":true}" : "{\"asked\":false,\"why\":\"no Kad node runs here\"}");
        break;
      case Route::not_found: res = answer(req.version(), false, http::status::not_found, "text/plain", "not found\n"); break;
    }
  }
  if (req.method() == http::verb::head) res.body().clear();
  auto wrote = co_await net::with_timeout(http::async_write(*socket, res, use_tuple), kWriteTime);
  co_return wrote && !std::get<0>(*wrote) && keep;
}

asio::awaitable<void> serve(std::shared_ptr<State> st, std::shared_ptr<tcp::socket> socket)
{
  boost::beast::flat_buffer buffer(16 * 1024);
  for (int i = 0; i < kMaxRequestsPerConnection && !st->stopped; ++i)
    if (!co_await handle_one(st, socket, buffer)) break;
  boost::system::error_code ignored;
  socket->shutdown(tcp::socket::shutdown_both, ignored);
  socket->close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> st)
{
  for (std::uint64_t n = 0; n < 1'000'000'000ULL && !st->stopped; ++n) {
    auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || st->stopped) co_return;
      continue;
    }
    if (st->open.size() >= kMaxConnections) {
      boost::system::error_code ignored;
      socket.close(ignored);
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

std::string busy_port_message(const StatusServerOptions& o, const boost::system::error_code& ec)
{
  std::string text = fmt::format("cannot serve the status page on {}:{} ([mulenet] StatusAddress/StatusPort): {}",
                                 o.address, o.port, net::listen_failure_text(ec, o.port));
  if (ec == asio::error::address_in_use) {
    text += fmt::format(". Give it another port: mulenet config set /mulenet/StatusPort {}", o.port + 1);
  }
  return text;
}

}  // namespace

StatusServer::StatusServer(std::shared_ptr<State> state) : state_(std::move(state)) {}
StatusServer::~StatusServer() { stop(); }

std::unique_ptr<StatusServer> StatusServer::start(asio::any_io_executor executor, StatusServerOptions o,
                                                  std::string& error)
{
  if (!is_loopback_address(o.address) && o.password_md5.empty()) {
    error = "[mulenet] StatusAddress " + o.address +
            " is not a loopback address, and the status page would be open to the network without a password: set "
            "aMule's web password ([WebServer] Password), or keep StatusAddress=127.0.0.1";
    return nullptr;
  }
  const auto ip = o.address.empty() ? std::nullopt : net::listen_address(o.address);
  if (!ip) {
    error = "[mulenet] StatusAddress is not an IP address: " + o.address;
    return nullptr;
  }
  boost::system::error_code ec;
  auto acceptor = net::listen_tcp(executor, tcp::endpoint(*ip, o.port), 16, ec);
  if (!acceptor) {
    error = busy_port_message(o, ec);
    return nullptr;
  }
  auto st = std::make_shared<State>(std::move(*acceptor));
  st->guard.address = o.address;
  st->guard.port = st->acceptor.local_endpoint(ec).port();
  st->guard.token = random_token();
  st->guard.password_md5 = o.password_md5;
  if (st->guard.token.empty()) {
    error = "the system's random source failed: no token for the status page's actions";
    return nullptr;
  }
  asio::co_spawn(executor, accept_loop(st), asio::detached);
  return std::make_unique<StatusServer>(st);
}

void StatusServer::publish_status(std::string status_json)
{
  if (state_->stopped) return;
  state_->status_json = std::move(status_json);
  publish_event("status", state_->status_json);
}

void StatusServer::publish_event(std::string_view name, std::string event_json)
{
  if (state_->stopped) return;
  const std::string message = sse_message(name, event_json);
  if (name != "status") {
    state_->recent.push_back(message);
    if (state_->recent.size() > kRecentEvents) state_->recent.pop_front();
  }
  for (const auto& client : state_->sse) {
    if (client->dropped) continue;
    if (client->queue.size() >= kMaxQueued) {
      client->dropped = true;  // too slow: it reconnects and starts from the status
      boost::system::error_code ignored;
      client->socket->close(ignored);
    } else {
      client->queue.push_back(message);
    }
    client->wake.cancel();
  }
}

void StatusServer::on_check_kad(std::function<void()> fn) { state_->check_kad = std::move(fn); }

std::uint16_t StatusServer::port() const { return state_->guard.port; }

void StatusServer::stop()
{
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  state_->check_kad = nullptr;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& c : state_->sse) c->wake.cancel();
  for (auto& s : state_->open) s->close(ignored);
  state_->open.clear();
  state_->sse.clear();
}

}  // namespace mulenet::web
