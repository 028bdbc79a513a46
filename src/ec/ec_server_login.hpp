#pragma once
// The server side of EC's login, as a pure state machine (aMule 2.3.3
// ExternalConn.cpp Authenticate; next-capabilities.md §1.3, §1.5):
//   AUTH_REQ with PROTOCOL_VERSION 0x0204  -> AUTH_SALT (our random salt)
//   AUTH_PASSWD with the salted hash        -> AUTH_OK, or AUTH_FAIL
// Anything else before the login, or another protocol version, is AUTH_FAIL
// with aMule's reason; after AUTH_FAIL the connection is closed.
#include <cstdint>
#include <string>

#include "ec/ec_packet.hpp"

namespace mulenet::ec {

enum class LoginStep { await_auth_req, await_password, logged_in, refused };

enum class LoginRefusal {
  none,
  protocol_version,   // AUTH_REQ without PROTOCOL_VERSION 0x0204
  wrong_password,     // the hash did not match
  not_authenticated,  // another request before the login
};

struct ClientHello {
  std::string name;     // "aMulecmd", "amule-remote", ...
  std::string version;
  bool can_zlib = false;
  bool can_utf8_numbers = false;
};

class ServerLogin {
 public:
  // `password_md5`: amule.conf's ECPassword (32 hex digits); `salt`: random per connection.
  ServerLogin(std::string password_md5, std::uint64_t salt, std::string server_version);

  // The answer to one packet while the login is not done.
  [[nodiscard]] Packet answer(const Packet& request);

  [[nodiscard]] LoginStep step() const { return step_; }
  [[nodiscard]] LoginRefusal refusal() const { return refusal_; }
  [[nodiscard]] const ClientHello& hello() const { return hello_; }

 private:
  Packet on_auth_req(const Packet& request);
  Packet on_password(const Packet& request);
  Packet refuse(LoginRefusal why);

  std::string password_md5_;
  std::uint64_t salt_;
  std::string server_version_;
  LoginStep step_ = LoginStep::await_auth_req;
  LoginRefusal refusal_ = LoginRefusal::none;
  ClientHello hello_;
};

// aMule's words for each refusal, as amulecmd prints them.
[[nodiscard]] const char* refusal_reason(LoginRefusal why);

}  // namespace mulenet::ec
