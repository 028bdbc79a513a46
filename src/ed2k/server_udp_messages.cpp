#include "ed2k/server_udp_messages.hpp"

#include <fmt/format.h>

namespace mulenet::ed2k {

Bytes encode_status_request(std::uint32_t challenge)
{
  WireWriter w;
  w.u8(kProtoEdonkey);
  w.u8(OP_GLOBSERVSTATREQ);
  w.u32(challenge);
  return w.take();
}

Decoded<ServerUdpStatus> decode_status_response(ByteView datagram)
{
  WireReader r(datagram);
  const std::uint8_t protocol = r.u8();
  const std::uint8_t opcode = r.u8();
  if (!r.ok() || protocol != kProtoEdonkey || opcode != OP_GLOBSERVSTATRES)
    return {std::nullopt, fmt::format("not a server status answer ({} bytes, starting {:02X} {:02X})", datagram.size(),
                                      protocol, opcode)};
  ServerUdpStatus s;
  s.challenge = r.u32();
  s.users = r.u32();
  s.files = r.u32();
  if (!r.ok()) return {std::nullopt, "server status answer shorter than 14 bytes"};
  if (r.remaining() >= 4) s.max_users = r.u32();
  if (r.remaining() >= 8) {
    s.soft_files = r.u32();
    s.hard_files = r.u32();
  }
  if (r.remaining() >= 4) s.udp_flags = r.u32();
  if (r.remaining() >= 4) s.low_id_users = r.u32();
  return {s, {}};
}

}  // namespace mulenet::ed2k
