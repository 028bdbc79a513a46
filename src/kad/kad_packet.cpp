#include "kad/kad_packet.hpp"

#include <fmt/format.h>

#include "ed2k/packet.hpp"

namespace mulenet::kad {

Bytes encode_datagram(const Datagram& d)
{
  ed2k::Packet p{d.protocol, d.opcode, d.payload};
  if (d.protocol == kProtoKad && d.payload.size() > kPackAbove) {
    ed2k::Packet packed = ed2k::pack(p);
    if (packed.protocol == ed2k::kProtoPacked) p = ed2k::Packet{kProtoKadPacked, packed.opcode, std::move(packed.payload)};
  }
  Bytes out;
  out.reserve(p.payload.size() + 2);
  out.push_back(p.protocol);
  out.push_back(p.opcode);
  for (const auto b : p.payload) out.push_back(b);
  return out;
}

DecodedDatagram decode_datagram(ByteView bytes)
{
  if (bytes.size() < 2) return {std::nullopt, "a datagram of fewer than 2 bytes"};
  const std::uint8_t protocol = bytes[0];
  Datagram d{protocol, bytes[1], Bytes(bytes.begin() + 2, bytes.end())};
  if (protocol == kProtoKad || protocol == kProtoEmule) return {std::move(d), {}};
  if (protocol != kProtoKadPacked)
    return {std::nullopt, fmt::format("not a Kad datagram: protocol byte 0x{:02X}", protocol)};
  const ed2k::Unpacked u = ed2k::unpack(ed2k::Packet{ed2k::kProtoPacked, d.opcode, d.payload}, kProtoKad, kMaxInflated);
  if (!u.ok) return {std::nullopt, u.error};
  return {Datagram{kProtoKad, d.opcode, u.packet.payload}, {}};
}

}  // namespace mulenet::kad
