#include "ed2k/packet.hpp"

#include <zlib.h>

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
  uLongf bound = compressBound(static_cast<uLong>(packet.payload.size()));
  Bytes out(bound);
  if (compress2(out.data(), &bound, packet.payload.data(), static_cast<uLong>(packet.payload.size()),
                Z_BEST_COMPRESSION) != Z_OK ||
      bound >= packet.payload.size())
    return packet;
  out.resize(bound);
  return Packet{kProtoPacked, packet.opcode, std::move(out)};
}

Unpacked unpack(const Packet& packed, std::uint8_t as_protocol, std::size_t max_size)
{
  Unpacked u;
  z_stream z{};
  if (inflateInit(&z) != Z_OK) {
    u.error = "zlib cannot start";
    return u;
  }
  Bytes out;
  Bytes chunk(16 * 1024);
  z.next_in = const_cast<Bytef*>(packed.payload.data());  // zlib's API is not const-correct
  z.avail_in = static_cast<uInt>(packed.payload.size());
  int rc = Z_OK;
  // Bounded: each round either produces output (at most max_size in all) or ends.
  for (std::size_t round = 0; round <= max_size / chunk.size() + 2; ++round) {
    z.next_out = chunk.data();
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > max_size) {
      inflateEnd(&z);
      u.error = fmt::format("packed eD2k packet inflates to more than {} bytes", max_size);
      return u;
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK || (produced == 0 && z.avail_in == 0)) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    u.error = "packed eD2k packet: bad or truncated zlib data";
    return u;
  }
  u.ok = true;
  u.packet = Packet{as_protocol, packed.opcode, std::move(out)};
  return u;
}

}  // namespace mulenet::ed2k
