#include "ec/ec_client.hpp"

#include <fmt/format.h>

#include "ec/ec_error.hpp"
#include "ec/ec_login.hpp"

namespace mulenet::ec {

namespace asio = boost::asio;

namespace {

// The reason string aMule puts in AUTH_FAIL and EC_OP_FAILED, if any.
std::string reason_in(const Packet& p)
{
  const Tag* t = find_tag(p.tags, tag::string);
  const auto text = t ? t->as_string() : std::nullopt;
  return text ? *text : std::string{};
}

EcAnswer failure(EcErrc code, std::string detail) { return EcAnswer{code, std::move(detail), std::nullopt}; }

EcAnswer from_read(PacketRead r, std::chrono::milliseconds timeout)
{
  if (r.packet) return EcAnswer{{}, {}, std::move(r.packet)};
  if (r.timed_out) return failure(EcErrc::not_answering, fmt::format("no answer within {} ms", timeout.count()));
  if (r.closed) return failure(EcErrc::connection_lost, "aMule closed the connection");
  return failure(EcErrc::broken_answer, r.error);
}

Packet auth_request(const EcClientOptions& o)
{
  return Packet{Op::auth_req,
                {Tag::string(tag::client_name, o.client_name), Tag::string(tag::client_version, o.client_version),
                 Tag::u16(tag::protocol_version, kProtocolVersion), Tag::empty(tag::can_zlib),
                 Tag::empty(tag::can_utf8_numbers)}};
}

// AUTH_FAIL before the salt: aMule 2.3.3 sends no reason when its own
// ECPassword is empty, "Invalid protocol version" for another version.
EcAnswer refused_before_salt(const Packet& p)
{
  const std::string why = reason_in(p);
  if (why.empty()) {
    return failure(EcErrc::no_password,
                   "aMule refused the login before asking for a password: its own EC password is empty");
  }
  return failure(EcErrc::version_mismatch, fmt::format("aMule said: {}", why));
}

}  // namespace

asio::awaitable<EcAnswer> EcSession::exchange(const Packet& request, std::size_t max_frame)
{
  const std::string sent = co_await stream_.write(request, send_flags_, options_.timeout);
  if (!sent.empty()) co_return failure(EcErrc::connection_lost, sent);
  DecodeLimits limits;  // aMule's answers: up to 16 MiB and 200k tags (a server list of thousands)
  const PacketRead answer = co_await stream_.read(options_.timeout, max_frame, limits);
  co_return from_read(answer, options_.timeout);
}

asio::awaitable<EcAnswer> EcSession::authenticate(const std::string& password_md5)
{
  EcAnswer salt = co_await exchange(auth_request(options_), kMaxFrameBeforeLogin);
  if (!salt.packet) co_return salt;
  if (salt.packet->opcode == Op::auth_fail) co_return refused_before_salt(*salt.packet);
  const Tag* salt_tag = find_tag(salt.packet->tags, tag::passwd_salt);
  const auto salt_value = salt_tag ? salt_tag->as_uint() : std::nullopt;
  if (salt.packet->opcode != Op::auth_salt || !salt_value) {
    co_return failure(EcErrc::broken_answer, fmt::format("expected AUTH_SALT with a salt, got opcode 0x{:02X}",
                                                         static_cast<unsigned>(salt.packet->opcode)));
  }
  const Packet passwd{Op::auth_passwd, {Tag::hash16(tag::passwd_hash, login_hash(password_md5, *salt_value))}};
  EcAnswer ok = co_await exchange(passwd, kMaxFrameBeforeLogin);
  if (!ok.packet) co_return ok;
  if (ok.packet->opcode == Op::auth_fail) {
    const std::string why = reason_in(*ok.packet);
    co_return failure(EcErrc::wrong_password, why.empty() ? "aMule refused the password" : "aMule said: " + why);
  }
  if (ok.packet->opcode != Op::auth_ok) {
    co_return failure(EcErrc::broken_answer, fmt::format("expected AUTH_OK, got opcode 0x{:02X}",
                                                         static_cast<unsigned>(ok.packet->opcode)));
  }
  const Tag* version = find_tag(ok.packet->tags, tag::server_version);
  server_version_ = version && version->as_string() ? *version->as_string() : std::string{};
  co_return ok;
}

asio::awaitable<EcLogin> EcSession::open(proxy::Dialer& dialer, proxy::Target target, std::string password_md5,
                                         EcClientOptions options)
{
  EcLogin login;
  if (!is_md5_hex(password_md5)) {
    login.code = EcErrc::no_password;
    login.detail = "ECPassword in amule.conf is empty or not 32 hex digits";
    co_return login;
  }
  proxy::DialResult dialed = co_await dialer.connect(target, proxy::TrafficKind::local_control);
  if (!dialed.ok()) {
    login.code = dialed.error == proxy::ProxyErrc::target_refused          ? EcErrc::not_listening
                 : dialed.error == proxy::ProxyErrc::refused_by_strict_mode ? EcErrc::refused_by_strict_mode
                                                                            : EcErrc::not_answering;
    login.detail = dialed.detail;
    co_return login;
  }
  EcSession session(EcStream(std::move(*dialed.socket)), std::move(options));
  EcAnswer auth = co_await session.authenticate(password_md5);
  if (auth.code) {
    login.code = auth.code;
    login.detail = std::move(auth.detail);
    co_return login;
  }
  login.session.emplace(std::move(session));
  co_return login;
}

asio::awaitable<EcAnswer> EcSession::ask(Packet request)
{
  EcAnswer answer = co_await exchange(request, kMaxFrame);
  if (answer.packet && answer.packet->opcode == Op::failed) {
    const std::string why = reason_in(*answer.packet);
    co_return failure(EcErrc::request_failed, why.empty() ? "aMule answered EC_OP_FAILED" : "aMule said: " + why);
  }
  co_return answer;
}

}  // namespace mulenet::ec
