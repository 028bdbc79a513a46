#include "ed2k/server_keeper.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ed2k/ed2k_error.hpp"
#include "ed2k/server_session.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;

ServerKeeper::ServerKeeper(asio::any_io_executor executor, Ed2kServices& services, KeeperOptions options)
    : services_(services), options_(std::move(options)), pause_(executor),
      stopped_(executor, asio::steady_timer::time_point::max())
{
}

void ServerKeeper::report(const std::string& problem, std::error_code code)
{
  if (!stopping_ && on_change_) on_change_(now_, problem, code);
}

asio::awaitable<void> ServerKeeper::pause(std::chrono::seconds how_long)
{
  pause_.expires_after(how_long);
  co_await pause_.async_wait(asio::as_tuple(asio::use_awaitable));
}

bool ServerKeeper::leave_low_id(std::uint32_t id, bool last) const
{
  return is_low_id(id) && !last && !hold_any_id_ && options_.port_should_be_open && options_.port_should_be_open();
}

asio::awaitable<ServerKeeper::Outcome> ServerKeeper::try_server(const proxy::Target& server, bool last)
{
  now_ = ServerConnection{ConnectionState::connecting, server, std::nullopt};
  report();
  // Raced against stop(): a login may take its 25 s; stopping must not.
  using namespace boost::asio::experimental::awaitable_operators;
  auto raced = co_await (login_and_stay(*services_.dialer, server, options_.login, options_.login_timeout) ||
                         stopped_.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (stopping_ || raced.index() != 0) co_return Outcome::no_id;
  LoginSession session = std::move(std::get<0>(raced));
  if (!session.result.id) {
    now_ = ServerConnection{};
    report(server.str() + ": " + session.result.error, session.result.code);
    co_return Outcome::no_id;
  }
  now_ = ServerConnection{ConnectionState::connected, server, session.result.id->id};
  report();
  if (leave_low_id(session.result.id->id, last)) {
    if (session.stream) session.stream->close();
    now_ = ServerConnection{};
    report(server.str() + ": a Low ID although the router forwards our TCP port; trying the next server",
           Ed2kErrc::low_id_despite_forwarding);
    co_return Outcome::low_id_left;
  }
  if (!session.stream) {  // an ID, and the connection gone at once (or broken packets after it)
    now_ = ServerConnection{};
    report(server.str() + ": the server dropped the connection right after the login", Ed2kErrc::connection_lost);
    co_return Outcome::held;
  }
  if (again_) {  // our address changed during the login: this ID may name the old one
    session.stream->close();
    now_ = ServerConnection{};
    report();
    co_return Outcome::held;
  }
  stream_ = session.stream.get();
  auto on_update = [this](const SessionUpdate& u) {
    if (!u.id || u.id->id == now_.id) return;
    now_.id = u.id->id;
    report();
  };
  HoldOptions hold;  // named: no braced default inside co_await (GCC 12)
  hold.keep_alive = options_.keep_alive;
  const SessionEnd end = co_await hold_session(*session.stream, on_update, hold);
  stream_ = nullptr;
  if (stopping_) co_return Outcome::held;
  now_ = ServerConnection{};
  if (again_) {  // ended by us: not a problem of the server's
    report();
    co_return Outcome::held;
  }
  report(server.str() + ": " + end.why, end.code);
  co_return Outcome::held;
}

asio::awaitable<void> ServerKeeper::run()
{
  std::chrono::seconds next_pause = options_.first_pause;
  for (unsigned round = 0; !stopping_ && round < options_.max_rounds; ++round) {
    bool held = false, left_low = false;
    for (std::size_t i = 0; i < options_.servers.size() && !held && !again_; ++i) {
      if (stopping_) co_return;
      const Outcome outcome = co_await try_server(options_.servers[i], i + 1 == options_.servers.size());
      held = outcome == Outcome::held;  // held until it ended: start again from the first server
      left_low = left_low || outcome == Outcome::low_id_left;
    }
    if (stopping_) co_return;
    if (again_) {  // log_in_again(): at once, from the first server
      again_ = false;
      hold_any_id_ = false;
      next_pause = options_.first_pause;
      continue;
    }
    // A round that left Low-ID servers and held none (the others did not
    // answer): the next round keeps the first ID it gets, Low or not.
    hold_any_id_ = !held && left_low;
    if (hold_any_id_) {
      co_await pause(options_.first_pause);
      continue;
    }
    // A lost session is tried again soon; a round where no server gave an ID
    // waits longer each time (no hammering servers that refuse us).
    next_pause = held ? options_.first_pause : std::min(next_pause * 2, options_.longest_pause);
    co_await pause(held ? options_.first_pause : next_pause);
  }
}

void ServerKeeper::log_in_again()
{
  if (stopping_) return;
  again_ = true;
  pause_.cancel();
  if (stream_) stream_->close();
}

void ServerKeeper::stop()
{
  stopping_ = true;
  pause_.cancel();
  stopped_.cancel();
  if (stream_) stream_->close();
}

}  // namespace mulenet::ed2k
