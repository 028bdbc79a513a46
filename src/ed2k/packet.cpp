#include "ed2k/packet.hpp"

#include "net/zlib_stream.hpp"

#include <fmt/format.h>

namespace mulenet::ed2k {

Frame parse_frame(ByteView buffered)
{
  Frame f;
  if (buffered.empty()) return f;
  const std::uint8_t protocol = buffered[0];
  if (protocol != kProtoEdonkey && protocol != kProtoPacked && protocol != kProtoEmule) {
    f.status = FrameStatus::failed;
    f.error = fmt::format("not an eD2k packet: protocol byte 0x{:02X} (expected 0xE3, 0xC5 or 0xD4)", protocol);
    return f;
  }
  if (buffered.size() < 5) return f;
  WireReader r(buffered.subspan(1, 4));
  const std::uint32_t length = r.u32();
  if (length == 0) {
    f.status = FrameStatus::failed;
    f.error = "eD2k packet with length 0 (the length must count the opcode)";
    return f;
  }
  if (length - 1 > kMaxPacketSize) {
    f.status = FrameStatus::failed;
    f.error = fmt::format("eD2k packet of {} bytes, over the limit of {}", length - 1, kMaxPacketSize);
    return f;
  }
  const std::size_t total = 5 + static_cast<std::size_t>(length);
  if (buffered.size() < total) return f;
  f.status = FrameStatus::complete;
  f.packet.protocol = protocol;
  f.packet.opcode = buffered[5];
  f.packet.payload.assign(buffered.begin() + 6, buffered.begin() + static_cast<std::ptrdiff_t>(total));
  f.consumed = total;
  return f;
}

Bytes encode_packet(const Packet& packet)
{
  WireWriter w;
  w.u8(packet.protocol);
  w.u32(static_cast<std::uint32_t>(packet.payload.size() + 1));
  w.u8(packet.opcode);
  w.bytes(packet.payload);
  return w.take();
}

Packet pack(const Packet& packet)
{
  auto packed = net::deflate_best(packet.payload);
  if (!packed || packed->size() >= packet.payload.size()) return packet;
  return Packet{kProtoPacked, packet.opcode, std::move(*packed)};
}

Unpacked unpack(const Packet& packed, std::uint8_t as_protocol, std::size_t max_size)
{
  Unpacked u;
  net::Inflated inflated = net::inflate_bounded(packed.payload, max_size);
  if (!inflated.ok()) {
    u.error = "packed eD2k packet: " + inflated.error;
    return u;
  }
  u.ok = true;
  u.packet = Packet{as_protocol, packed.opcode, std::move(inflated.data)};
  return u;
}

}  // namespace mulenet::ed2k
