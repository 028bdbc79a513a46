#include "ed2k/server_messages.hpp"

#include <fmt/format.h>

namespace mulenet::ed2k {
namespace {

template <typename T>
Decoded<T> fail(std::string why)
{
  return Decoded<T>{std::nullopt, std::move(why)};
}

template <typename T>
Decoded<T> done(T v)
{
  return Decoded<T>{std::move(v), {}};
}

}  // namespace

std::string printable(std::string_view text, std::size_t max)
{
  std::string out;
  for (const char c : text) {
    if (out.size() >= max) break;
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7F) out += c;  // UTF-8 bytes (>= 0x80) kept
    else if (c == '\t') out += ' ';
  }
  return out;
}

Packet encode_login(const LoginRequest& login)
{
  WireWriter w;
  w.bytes(login.user_hash);
  w.u32(login.client_id);
  w.u16(login.tcp_port);
  w.u32(4);
  write_tag(w, Tag::make_string(CT_NAME, login.nick));
  write_tag(w, Tag::make_uint32(CT_VERSION, login.version));
  write_tag(w, Tag::make_uint32(CT_SERVER_FLAGS, login.server_flags));
  write_tag(w, Tag::make_uint32(CT_EMULE_VERSION, login.emule_version));
  return Packet{kProtoEdonkey, OP_LOGINREQUEST, w.take()};
}

Packet encode_empty_offer_files()
{
  WireWriter w;
  w.u32(0);  // file count
  return Packet{kProtoEdonkey, OP_OFFERFILES, w.take()};
}

Decoded<LoginRequest> decode_login(const Packet& packet)
{
  if (packet.opcode != OP_LOGINREQUEST) return fail<LoginRequest>("not OP_LOGINREQUEST");
  WireReader r(packet.payload);
  LoginRequest login;
  login.user_hash = r.hash16();
  login.client_id = r.u32();
  login.tcp_port = r.u16();
  const std::uint32_t count = r.u32();
  if (!r.ok()) return fail<LoginRequest>("login request shorter than its 26 fixed bytes");
  std::string error;
  const auto tags = read_tags(r, count, &error);
  if (!tags) return fail<LoginRequest>("login request tags: " + error);
  if (const Tag* t = find_tag(*tags, CT_NAME); t && t->is_string()) login.nick = t->text;
  if (const Tag* t = find_tag(*tags, CT_VERSION); t && t->is_integer()) login.version = static_cast<std::uint32_t>(t->integer);
  if (const Tag* t = find_tag(*tags, CT_SERVER_FLAGS); t && t->is_integer())
    login.server_flags = static_cast<std::uint32_t>(t->integer);
  if (const Tag* t = find_tag(*tags, CT_EMULE_VERSION); t && t->is_integer())
    login.emule_version = static_cast<std::uint32_t>(t->integer);
  return done(login);
}

Decoded<IdChange> decode_id_change(const Packet& packet)
{
  WireReader r(packet.payload);
  IdChange c;
  c.id = r.u32();
  if (!r.ok()) return fail<IdChange>(fmt::format("OP_IDCHANGE of {} bytes, needs at least 4", packet.payload.size()));
  if (r.remaining() >= 4) c.tcp_flags = r.u32();
  if (r.remaining() >= 4) c.aux_port = r.u32();
  if (r.remaining() >= 8) {
    c.reported_ip = r.u32();
    c.obfuscation_tcp_port = r.u32();
  }
  return done(c);
}

Decoded<std::vector<std::string>> decode_server_message(const Packet& packet)
{
  // As aMule: the length field is skipped, not trusted; the text is the rest
  // of the packet up to a NUL.
  if (packet.payload.size() < 2)
    return fail<std::vector<std::string>>("OP_SERVERMESSAGE shorter than its 2-byte length field");
  std::string text(packet.payload.begin() + 2, packet.payload.end());
  if (const auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
  std::vector<std::string> lines;
  std::string line;
  for (const char c : text) {
    if (c == '\r' || c == '\n') {
      if (!line.empty()) lines.push_back(printable(line));
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(printable(line));
  return done(std::move(lines));
}

Decoded<ServerStatus> decode_server_status(const Packet& packet)
{
  WireReader r(packet.payload);
  ServerStatus s{r.u32(), r.u32()};
  if (!r.ok()) return fail<ServerStatus>(fmt::format("OP_SERVERSTATUS of {} bytes, needs 8", packet.payload.size()));
  return done(s);
}

Decoded<ServerIdent> decode_server_ident(const Packet& packet)
{
  if (packet.payload.size() < 38)
    return fail<ServerIdent>(fmt::format("OP_SERVERIDENT of {} bytes, needs at least 38", packet.payload.size()));
  WireReader r(packet.payload);
  ServerIdent s;
  s.hash = r.hash16();
  s.ip = r.u32();
  s.port = r.u16();
  const std::uint32_t count = r.u32();
  std::string error;
  const auto tags = read_tags(r, count, &error);
  if (!tags) return fail<ServerIdent>("OP_SERVERIDENT tags: " + error);
  if (const Tag* t = find_tag(*tags, ST_SERVERNAME); t && t->is_string()) s.name = printable(t->text, 256);
  if (const Tag* t = find_tag(*tags, ST_DESCRIPTION); t && t->is_string()) s.description = printable(t->text, 1024);
  return done(s);
}

Decoded<std::vector<ServerAddress>> decode_server_list(const Packet& packet)
{
  WireReader r(packet.payload);
  const std::uint8_t count = r.u8();
  std::vector<ServerAddress> list;
  for (std::uint8_t i = 0; i < count; ++i) {
    ServerAddress a;
    a.ip = r.u32();
    a.port = r.u16();
    if (!r.ok()) return fail<std::vector<ServerAddress>>("OP_SERVERLIST shorter than its count says");
    list.push_back(a);
  }
  return done(std::move(list));
}

}  // namespace mulenet::ed2k
