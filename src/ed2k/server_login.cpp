#include "ed2k/server_login.hpp"

#include <fmt/format.h>

#include "ed2k/ed2k_error.hpp"
#include "ed2k/packet_stream.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// One server packet into the result; false when the login is over (refused
// or broken: aMule drops the connection on a packet it cannot parse).
bool absorb(const Packet& p, LoginResult& r)
{
  switch (p.opcode) {
    case OP_SERVERMESSAGE: {
      auto m = decode_server_message(p);
      if (!m) {
        r.error = m.error;
        r.code = Ed2kErrc::broken_answer;
        return false;
      }
      for (auto& line : *m.value)
        if (r.messages.size() < 64) r.messages.push_back(std::move(line));
      return true;
    }
    case OP_IDCHANGE: {
      auto id = decode_id_change(p);
      if (!id) {
        r.error = id.error;
        r.code = Ed2kErrc::broken_answer;
        return false;
      }
      if (id.value->id != 0) r.id = *id.value;  // ID 0: aMule keeps waiting
      return true;
    }
    case OP_SERVERSTATUS: {
      if (auto s = decode_server_status(p)) r.status = *s.value;
      else {
        r.error = s.error;
        r.code = Ed2kErrc::broken_answer;
        return false;
      }
      return true;
    }
    case OP_SERVERIDENT: {
      auto ident = decode_server_ident(p);
      if (!ident) {
        r.error = ident.error;
        r.code = Ed2kErrc::broken_answer;
        return false;
      }
      r.name = ident.value->name;
      r.description = ident.value->description;
      return true;
    }
    case OP_REJECT:
      r.rejected = true;
      r.error = "the server rejected the login (OP_REJECT)";
      r.code = Ed2kErrc::rejected;
      return false;
    default: return true;  // server lists, callbacks, search results: not ours to judge here
  }
}

}  // namespace

const char* to_string(LoginOutcome o)
{
  switch (o) {
    case LoginOutcome::high_id: return "High ID";
    case LoginOutcome::low_id: return "Low ID";
    case LoginOutcome::failed: return "failed";
  }
  return "failed";
}

LoginOutcome LoginResult::outcome() const
{
  if (!id) return LoginOutcome::failed;
  return high_id() ? LoginOutcome::high_id : LoginOutcome::low_id;
}

asio::awaitable<LoginResult> login_to_server(proxy::Dialer& dialer, proxy::Target server, LoginRequest login,
                                             std::chrono::milliseconds timeout)
{
  LoginSession session = co_await login_and_stay(dialer, std::move(server), std::move(login), timeout);
  if (session.stream) session.stream->close();
  co_return std::move(session.result);
}

asio::awaitable<LoginSession> login_and_stay(proxy::Dialer& dialer, proxy::Target server, LoginRequest login,
                                             std::chrono::milliseconds timeout)
{
  LoginSession session;
  LoginResult& r = session.result;
  r.server = server;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  };
  proxy::DialResult dial = co_await dialer.connect(server, proxy::TrafficKind::server_tcp);
  r.route = dial.route;
  if (!dial.ok()) {
    r.error = dial.detail.empty() ? dial.error.message() : dial.detail;
    r.code = Ed2kErrc::connect_failed;
    r.dial_code = dial.error;
    r.elapsed = elapsed();
    co_return session;
  }
  r.connected = true;
  session.stream = std::make_unique<PacketStream>(std::move(*dial.socket), std::move(dial.early_bytes));
  PacketStream& stream = *session.stream;
  const Packet request = encode_login(login);
  const std::string sent = co_await stream.write(request, 10s);
  if (!sent.empty()) {
    r.error = sent;
    r.code = Ed2kErrc::send_failed;
    r.elapsed = elapsed();
    co_return session;
  }
  const auto deadline = t0 + timeout;
  std::optional<std::chrono::steady_clock::time_point> id_at;
  bool connection_lost = false;
  for (int i = 0; i < 256; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (id_at) left = std::min(left, std::chrono::duration_cast<std::chrono::milliseconds>(
                                         *id_at + kAfterIdWait - std::chrono::steady_clock::now()));
    if (left <= 0ms) break;
    ReadOutcome in = co_await stream.read(left, kMaxPacketSize, kProtoEdonkey);
    if (!in.packet) {
      connection_lost = !in.timed_out;
      if (!r.id) {
        r.error = in.timed_out ? fmt::format("no ID from the server within {} s", timeout.count() / 1000)
                  : in.closed  ? "the server closed the connection before giving an ID (full, or it refused us)"
                               : "the server's answer is broken: " + in.error;
        r.code = in.timed_out ? Ed2kErrc::no_id_in_time
                 : in.closed  ? Ed2kErrc::closed_before_id
                              : Ed2kErrc::broken_answer;
      }
      break;
    }
    if (!absorb(*in.packet, r)) {
      connection_lost = true;  // aMule drops a server whose packets it cannot parse
      break;
    }
    if (r.id && !id_at) {
      id_at = std::chrono::steady_clock::now();
      r.id_after = elapsed();
    }
    if (r.id && r.status && !r.name.empty()) break;  // all we wait for
  }
  if (r.id) {
    r.error.clear();  // an ID was given: later trouble does not undo it
    r.code.clear();
  } else if (r.error.empty()) {
    r.error = fmt::format("no ID from the server within {} s", timeout.count() / 1000);
    r.code = Ed2kErrc::no_id_in_time;
  }
  if (!r.id || connection_lost) session.stream.reset();  // the connection ends here
  r.elapsed = elapsed();
  co_return session;
}

}  // namespace mulenet::ed2k
