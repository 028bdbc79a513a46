#include "ec/ec_server_login.hpp"

#include "ec/ec_answers.hpp"
#include "ec/ec_login.hpp"

namespace mulenet::ec {

ServerLogin::ServerLogin(std::string password_md5, std::uint64_t salt, std::string server_version)
    : password_md5_(std::move(password_md5)), salt_(salt), server_version_(std::move(server_version))
{
}

Packet ServerLogin::refuse(LoginRefusal why)
{
  step_ = LoginStep::refused;
  refusal_ = why;
  return auth_fail_answer(refusal_reason(why));
}

namespace {

// A client's own words go into logs and events: printable, and short.
std::string printable(std::string_view text)
{
  std::string out;
  for (const char c : text.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out;
}

}  // namespace

Packet ServerLogin::on_auth_req(const Packet& request)
{
  const Tag* version = find_tag(request.tags, tag::protocol_version);
  if (!version || version->as_uint() != kProtocolVersion) return refuse(LoginRefusal::protocol_version);
  if (const Tag* t = find_tag(request.tags, tag::client_name); t && t->as_string()) hello_.name = printable(*t->as_string());
  if (const Tag* t = find_tag(request.tags, tag::client_version); t && t->as_string())
    hello_.version = printable(*t->as_string());
  hello_.can_zlib = find_tag(request.tags, tag::can_zlib) != nullptr;
  hello_.can_utf8_numbers = find_tag(request.tags, tag::can_utf8_numbers) != nullptr;
  step_ = LoginStep::await_password;
  return auth_salt_answer(salt_);
}

Packet ServerLogin::on_password(const Packet& request)
{
  const Tag* t = find_tag(request.tags, tag::passwd_hash);
  const auto sent = t ? t->as_hash16() : std::nullopt;
  // Without a usable ECPassword nothing matches (aMule refuses every login then).
  if (!sent || !is_md5_hex(password_md5_) || !same_hash(*sent, login_hash(password_md5_, salt_)))
    return refuse(LoginRefusal::wrong_password);
  step_ = LoginStep::logged_in;
  return auth_ok_answer(server_version_);
}

Packet ServerLogin::answer(const Packet& request)
{
  if (step_ == LoginStep::await_auth_req && request.opcode == Op::auth_req) return on_auth_req(request);
  if (step_ == LoginStep::await_password && request.opcode == Op::auth_passwd) return on_password(request);
  return refuse(LoginRefusal::not_authenticated);
}

const char* refusal_reason(LoginRefusal why)
{
  switch (why) {
    case LoginRefusal::none: return "";
    case LoginRefusal::protocol_version: return "Invalid protocol version.";
    case LoginRefusal::wrong_password: return "Authentication failed.";
    case LoginRefusal::not_authenticated: return "Invalid request, please authenticate first.";
  }
  return "";
}

}  // namespace mulenet::ec
