#pragma once
// Why an eD2k login or listener failed, as stable codes the Engine (and later
// the web API) can match, each with a message naming the cause and a fix.
// The error strings next to these codes stay: they carry the details (the
// server, the proxy's words, the packet). A Low ID is not an error: it is
// the server's verdict (LoginOutcome).
#include <string_view>
#include <system_error>

namespace mulenet::ed2k {

enum class Ed2kErrc {
  // This host.
  port_unavailable = 1,  // our TCP port cannot be listened on (aMule holds it, or the bind address)
  identity,              // our user hash cannot be made or saved
  no_server,             // no eD2k server to ask (no server.met, none named)
  bad_server,            // a server named is not HOST:PORT
  server_met_unreadable, // the server.met cannot be read
  // The way to the server.
  connect_failed,        // no TCP connection to the server (directly or through the proxy)
  send_failed,           // the login could not be sent
  // The server's answer.
  rejected,              // OP_REJECT
  closed_before_id,      // the server hung up before giving an ID (full, or it refused us)
  no_id_in_time,         // no ID within the login timeout (aMule's 25 s)
  broken_answer,         // the server sent a packet that cannot be parsed
  // A session held after the login.
  connection_lost,       // the server closed the connection (or it broke)
  low_id_despite_forwarding,  // a Low ID while our TCP port is forwarded: the next server is tried
};

[[nodiscard]] const std::error_category& ed2k_category() noexcept;
[[nodiscard]] std::error_code make_error_code(Ed2kErrc e) noexcept;

// "connect-failed", ...: the stable code of the public contract (JSON "code").
[[nodiscard]] std::string_view code_name(Ed2kErrc e) noexcept;
// What to do about it, in plain words, naming the settings involved.
[[nodiscard]] std::string_view fix_for(Ed2kErrc e) noexcept;

}  // namespace mulenet::ed2k

template <>
struct std::is_error_code_enum<mulenet::ed2k::Ed2kErrc> : std::true_type {};
