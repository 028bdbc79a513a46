#pragma once
// Logging in to one eD2k server (reference §1.2-§1.4): connect through the
// Dialer (the proxy, if any: "TCP to eD2k servers" goes via every proxy
// type), send OP_LOGINREQUEST, and read what the server says until it
// assigns an ID (OP_IDCHANGE), refuses (OP_REJECT), hangs up, or the time is
// up (aMule's CONSERVTIMEOUT, 25 s). The server decides High or Low ID by
// connecting back to our TCP port meanwhile; the client listener answers it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "ed2k/packet_stream.hpp"
#include "ed2k/server_messages.hpp"
#include "proxy/dialer.hpp"

namespace mulenet::ed2k {

inline constexpr std::chrono::milliseconds kLoginTimeout{25'000};  // CONSERVTIMEOUT

// What a login came to: the kind of ID the server gave, or none. One name
// for it, so that the progress and the text output spell it alike.
enum class LoginOutcome : std::uint8_t { high_id, low_id, failed };
[[nodiscard]] const char* to_string(LoginOutcome o);  // "High ID" | "Low ID" | "failed" (text output)

struct LoginResult {
  proxy::Target server;
  bool connected = false;         // TCP (and the proxy) up
  std::optional<IdChange> id;     // the ID the server gave
  std::string name;               // OP_SERVERIDENT
  std::string description;
  std::vector<std::string> messages;  // OP_SERVERMESSAGE lines
  std::optional<ServerStatus> status;
  bool rejected = false;          // OP_REJECT
  std::string error;              // why there is no ID
  std::error_code code;           // with error: its Ed2kErrc (ed2k_error.hpp)
  std::error_code dial_code;      // connect_failed: the Dialer's own (a ProxyErrc: port-not-allowed, ...)
  proxy::Route route = proxy::Route::direct;
  std::chrono::milliseconds elapsed{0};          // the whole login, the wait for status/ident included
  std::optional<std::chrono::milliseconds> id_after;  // from the start until the ID arrived

  [[nodiscard]] bool high_id() const { return id && !is_low_id(id->id); }
  [[nodiscard]] LoginOutcome outcome() const;
};

// After the ID, how long to wait for the server's status and ident (they
// usually come at once) before closing.
inline constexpr std::chrono::milliseconds kAfterIdWait{1'500};

boost::asio::awaitable<LoginResult> login_to_server(proxy::Dialer& dialer, proxy::Target server, LoginRequest login,
                                                    std::chrono::milliseconds timeout = kLoginTimeout);

// The same login, keeping the connection when the server gave an ID: the
// session goes on on `stream` (ed2k/server_session.hpp holds it).
struct LoginSession {
  LoginResult result;
  std::unique_ptr<PacketStream> stream;  // set: logged in, connection open
};
boost::asio::awaitable<LoginSession> login_and_stay(proxy::Dialer& dialer, proxy::Target server, LoginRequest login,
                                                    std::chrono::milliseconds timeout = kLoginTimeout);

}  // namespace mulenet::ed2k
