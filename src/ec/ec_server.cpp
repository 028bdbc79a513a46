#include "ec/ec_server.hpp"

#include <algorithm>
#include <list>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "ec/ec_answers.hpp"
#include "ec/ec_login.hpp"
#include "ec/ec_server_login.hpp"
#include "ec/ec_stream.hpp"
#include "net/tcp_listen.hpp"
#include "net/random_bytes.hpp"

namespace mulenet::ec {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kMaxFrameAfterLogin = 64 * 1024;  // our requests are tiny; amulecmd's are < 100 bytes
constexpr std::size_t kMaxPendingPerAddress = 2;        // connections not yet logged in, from one address
constexpr std::size_t kMaxRequestsPerConnection = 10'000'000;
constexpr std::size_t kRememberedAddresses = 1024;     // failed-login counts kept
constexpr auto kForgetFailuresAfter = 10min;
constexpr auto kMaxFailDelay = 8s;
constexpr auto kWriteTime = 10s;

struct Failures {
  unsigned count = 0;
  Clock::time_point last;
};

}  // namespace

struct EcServer::State {
  State(tcp::acceptor a, EcServerOptions o) : acceptor(std::move(a)), options(std::move(o)) {}
  tcp::acceptor acceptor;
  EcServerOptions options;
  AmuleState amule;
  std::vector<AmuleServer> servers;
  std::list<std::shared_ptr<EcStream>> open;
  std::map<std::string, Failures> failures;  // by the peer's address
  std::map<std::string, std::size_t> pending;  // connections not yet logged in, by address
  std::list<asio::steady_timer*> pauses;     // cancelled by stop()
  bool stopped = false;

  void log(std::string_view line) const
  {
    if (options.log) options.log(line);
  }
};

namespace {

using State = EcServer::State;

std::uint64_t random_salt()
{
  std::uint64_t salt = 0;
  if (!net::random_bytes(&salt, sizeof salt)) salt = 0;
  return salt;
}

std::string peer_of(EcStream& stream)
{
  boost::system::error_code ec;
  const auto ep = stream.socket().remote_endpoint(ec);
  return ec ? std::string("?") : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

// How long to hold back the answer to this address's failed login: nothing
// new learned from guessing fast. Doubles per failure, at most 8 s.
Clock::duration fail_delay(State& st, const std::string& address)
{
  const Clock::time_point now = Clock::now();
  std::erase_if(st.failures, [now](const auto& f) { return now - f.second.last > kForgetFailuresAfter; });
  if (st.failures.size() >= kRememberedAddresses && !st.failures.contains(address)) {
    const auto oldest = std::min_element(st.failures.begin(), st.failures.end(),
                                         [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
    st.failures.erase(oldest);
  }
  Failures& f = st.failures[address];
  f.count = std::min(f.count + 1, 16u);
  f.last = now;
  const auto delay = st.options.first_fail_delay * (1u << std::min(f.count - 1, 10u));
  return std::min<Clock::duration>(delay, kMaxFailDelay);
}

// A wait that stop() ends at once.
asio::awaitable<void> pause(State& st, Clock::duration how_long)
{
  asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
  st.pauses.push_back(&timer);
  const auto it = std::prev(st.pauses.end());
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  st.pauses.erase(it);
}

asio::awaitable<bool> send(EcStream& stream, const Packet& packet, const ClientHello& hello)
{
  const std::uint32_t flags =
      choose_flags(encode_body(packet, false).size(), hello.can_zlib, hello.can_utf8_numbers);
  const std::string error = co_await stream.write(packet, flags, kWriteTime);
  co_return error.empty();
}

Packet answer_request(const State& st, const Packet& request)
{
  switch (request.opcode) {
    case Op::stat_req: return stats_answer(st.amule);
    case Op::get_connstate: return connstate_answer(st.amule);
    case Op::get_server_list: return server_list_answer(st.servers);
    case Op::noop: return Packet{Op::noop, {}};
    // amuleweb asks these on every page: mulenet downloads, uploads and shares
    // nothing, so the true answer is an empty list (not a failure it would trip on).
    case Op::get_dload_queue: return Packet{Op::dload_queue, {}};
    case Op::get_uload_queue: return Packet{Op::uload_queue, {}};
    case Op::get_wait_queue: return Packet{Op::wait_queue, {}};
    case Op::get_shared_files: return Packet{Op::shared_files, {}};
    default:
      return failed_answer(fmt::format("mulenet does not serve this request (EC opcode 0x{:02X}): it answers "
                                       "status, connection state and the server list",
                                       static_cast<unsigned>(request.opcode)));
  }
}

// The login: AUTH_REQ, AUTH_PASSWD, within login_time, 2 KiB frames at most.
asio::awaitable<std::optional<ClientHello>> log_in(std::shared_ptr<State> st, EcStream& stream, const std::string& peer,
                                                   const std::string& address)
{
  ServerLogin login(st->options.password_md5, random_salt(), st->options.server_version);
  const Clock::time_point deadline = Clock::now() + st->options.login_time;
  for (int round = 0; round < 2 && login.step() != LoginStep::logged_in; ++round) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    // Before the login a frame stays small after zlib too, with a handful of tags.
    DecodeLimits limits;
    limits.max_body = kMaxFrameBeforeLogin;
    limits.max_depth = 4;
    limits.max_tags = 32;
    const PacketRead r = co_await stream.read(std::max(left, 1ms), kMaxFrameBeforeLogin, limits);
    if (st->stopped) co_return std::nullopt;
    if (!r.packet) {
      st->log(fmt::format("{} did not log in: {}", peer, r.error));
      co_return std::nullopt;
    }
    const Packet reply = login.answer(*r.packet);
    if (login.refusal() == LoginRefusal::wrong_password) {
      const auto delay = fail_delay(*st, address);
      const std::string line = fmt::format("login from {} ({} {}) refused: wrong password; answered after {} ms",
                                           peer, login.hello().name, login.hello().version,
                                           std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
      st->log(line);
      if (st->options.on_wrong_password) st->options.on_wrong_password(line);
      co_await pause(*st, delay);
      if (st->stopped) co_return std::nullopt;
    } else if (login.step() == LoginStep::refused) {
      st->log(fmt::format("login from {} refused: {}", peer, refusal_reason(login.refusal())));
    }
    const bool sent = co_await send(stream, reply, login.hello());
    if (!sent || login.step() == LoginStep::refused) co_return std::nullopt;
  }
  if (login.step() != LoginStep::logged_in) co_return std::nullopt;
  st->failures.erase(address);
  st->log(fmt::format("{} {} logged in from {}", login.hello().name, login.hello().version, peer));
  co_return login.hello();
}

// Counts a connection as not logged in, for its address, until it is or ends.
struct PendingSlot {
  PendingSlot(std::shared_ptr<State> s, std::string a) : st(std::move(s)), address(std::move(a)) { ++st->pending[address]; }
  ~PendingSlot() { release(); }
  PendingSlot(const PendingSlot&) = delete;
  PendingSlot& operator=(const PendingSlot&) = delete;
  void release()
  {
    if (released) return;
    released = true;
    if (const auto it = st->pending.find(address); it != st->pending.end() && --it->second == 0) st->pending.erase(it);
  }
  std::shared_ptr<State> st;
  std::string address;
  bool released = false;
};

asio::awaitable<void> serve(std::shared_ptr<State> st, std::shared_ptr<EcStream> stream, std::string address)
{
  const std::string peer = peer_of(*stream);
  PendingSlot pending(st, address);
  const auto hello = co_await log_in(st, *stream, peer, address);
  pending.release();
  if (!hello) co_return;
  for (std::size_t n = 0; n < kMaxRequestsPerConnection && !st->stopped; ++n) {
    DecodeLimits limits;  // requests are small; inflated, at most 1 MiB
    limits.max_body = 1024 * 1024;
    limits.max_depth = 8;
    limits.max_tags = 4096;
    const PacketRead r = co_await stream->read(st->options.idle_time, kMaxFrameAfterLogin, limits);
    if (st->stopped) co_return;
    if (!r.packet) {
      if (!r.closed) st->log(fmt::format("{} dropped: {}", peer, r.error));
      co_return;
    }
    if (r.packet->opcode == Op::shutdown) {  // amulecmd does not wait for an answer; mulenet is stopped by its owner
      st->log(fmt::format("{} asked mulenet to shut down; refused (stop `mulenet run` instead)", peer));
    }
    const Packet answer = answer_request(*st, *r.packet);  // named: GCC 12 mishandles temporaries in co_await
    const bool sent = co_await send(*stream, answer, *hello);
    if (!sent) co_return;
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> st)
{
  while (!st->stopped) {
    auto [ec, socket] = co_await st->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (st->stopped) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      co_await pause(*st, 100ms);  // e.g. out of file descriptors: do not spin
      continue;
    }
    boost::system::error_code ep_error;
    const auto remote = socket.remote_endpoint(ep_error);
    const std::string address = ep_error ? std::string("?") : remote.address().to_string();
    // One address cannot take every slot with connections that never log in.
    const auto pending = st->pending.find(address);
    const bool too_many_pending = pending != st->pending.end() && pending->second >= kMaxPendingPerAddress;
    if (st->open.size() >= st->options.max_clients || too_many_pending) {
      st->log(too_many_pending
                  ? fmt::format("a connection from {} refused: {} of its connections have not logged in yet", address,
                                pending->second)
                  : fmt::format("a connection refused: {} clients are connected already", st->open.size()));
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto stream = std::make_shared<EcStream>(std::move(socket));
    st->open.push_back(stream);
    const auto it = std::prev(st->open.end());
    asio::co_spawn(st->acceptor.get_executor(), serve(st, stream, address), [st, it](std::exception_ptr) {
      if (st->stopped) return;
      boost::system::error_code ignored;
      (*it)->socket().close(ignored);
      st->open.erase(it);
    });
  }
}

std::string cannot_listen(const EcServerOptions& o, const boost::system::error_code& ec)
{
  std::string text = fmt::format("cannot serve EC on {}:{} ([ExternalConnect] ECAddress/ECPort): {}",
                                 o.address.empty() ? "0.0.0.0" : o.address, o.port,
                                 net::listen_failure_text(ec, o.port));
  if (ec == asio::error::address_in_use) {
    text += fmt::format(". Is aMule running with External Connections on that port? Give mulenet's EC another "
                        "port (mulenet config set /ExternalConnect/ECPort {}) or stop the other program",
                        o.port + 1);
  }
  return text;
}

}  // namespace

EcServer::EcServer(std::shared_ptr<State> state) : state_(std::move(state)) {}
EcServer::~EcServer() { stop(); }

std::unique_ptr<EcServer> EcServer::start(asio::any_io_executor executor, EcServerOptions o, std::string& error)
{
  if (!is_md5_hex(o.password_md5)) {
    error = "External Connections are on ([ExternalConnect] AcceptExternalConnections=1), but ECPassword is not "
            "set (it must be the MD5 of a password): mulenet does not serve EC without a password. Set it: "
            "mulenet config set /ExternalConnect/ECPassword $(echo -n PASSWORD | md5sum | cut -c1-32), or turn "
            "EC off (AcceptExternalConnections=0)";
    return nullptr;
  }
  const auto ip = net::listen_address(o.address);
  if (!ip) {
    error = "[ExternalConnect] ECAddress is not an IP address: " + o.address;
    return nullptr;
  }
  boost::system::error_code ec;
  auto acceptor = net::listen_tcp(executor, tcp::endpoint(*ip, o.port), 16, ec);
  if (!acceptor) {
    error = cannot_listen(o, ec);
    return nullptr;
  }
  auto st = std::make_shared<State>(std::move(*acceptor), std::move(o));
  asio::co_spawn(executor, accept_loop(st), asio::detached);
  return std::make_unique<EcServer>(st);
}

void EcServer::publish(AmuleState state, std::vector<AmuleServer> servers)
{
  state_->amule = std::move(state);
  state_->servers = std::move(servers);
}

std::uint16_t EcServer::port() const
{
  boost::system::error_code ec;
  return state_->acceptor.local_endpoint(ec).port();
}

void EcServer::stop()
{
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  for (auto& s : state_->open) s->socket().close(ignored);
  state_->open.clear();
  for (asio::steady_timer* t : state_->pauses) t->cancel();
}

}  // namespace mulenet::ec
