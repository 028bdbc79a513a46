#include "kad/udp_obfuscation.hpp"

// RC4 has no EVP implementation in OpenSSL 3's default provider (it lives in
// the legacy provider, which a library must not load globally); the
// low-level functions are still there, deprecated. Only this file uses them.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rc4.h>

#include "net/md5.hpp"

namespace mulenet::kad {
namespace {

constexpr std::uint8_t kProtocolBytes[] = {0xC5, 0xE4, 0xE5, 0xA3, 0xB2, 0xD4};

std::array<std::uint8_t, 16> md5(ByteView data)
{
  return net::md5(data.data(), data.size());
}

std::array<std::uint8_t, 16> rc4_key(const ObfuscationKey& key, const std::array<std::uint8_t, 2>& random)
{
  Bytes material;
  if (const auto* id = std::get_if<KadId>(&key)) {
    material.assign(id->wire.begin(), id->wire.end());
  } else {
    const std::uint32_t k = std::get<std::uint32_t>(key);
    for (int i = 0; i < 4; ++i) material.push_back(static_cast<std::uint8_t>((k >> (8 * i)) & 0xFF));
  }
  material.push_back(random[0]);
  material.push_back(random[1]);
  return md5(material);
}

void rc4(const std::array<std::uint8_t, 16>& key, std::uint8_t* data, std::size_t size)
{
  RC4_KEY state;
  RC4_set_key(&state, static_cast<int>(key.size()), key.data());
  RC4(&state, size, data, data);
}

bool is_protocol_byte(std::uint8_t b)
{
  for (const auto p : kProtocolBytes)
    if (b == p) return true;
  return false;
}

std::optional<Deobfuscated> try_key(ByteView datagram, const ObfuscationKey& key)
{
  const std::array<std::uint8_t, 2> random{datagram[1], datagram[2]};
  Bytes body(datagram.begin() + 3, datagram.end());
  rc4(rc4_key(key, random), body.data(), body.size());
  ed2k::WireReader r(body);
  if (r.u32() != kObfuscationMagic) return std::nullopt;
  const std::uint8_t pad = r.u8();
  r.bytes(pad);
  Deobfuscated out;
  out.receiver_verify_key = r.u32();
  out.sender_verify_key = r.u32();
  if (!r.ok() || r.remaining() < 2) return std::nullopt;  // no room for protocol + opcode
  out.plain.assign(body.begin() + static_cast<std::ptrdiff_t>(r.position()), body.end());
  out.with_node_id_key = std::holds_alternative<KadId>(key);
  return out;
}

}  // namespace

bool looks_plain(ByteView datagram) { return datagram.size() <= 8 || is_protocol_byte(datagram[0]); }

Bytes obfuscate(ByteView plain, const ObfuscationKey& key, const ObfuscationParams& p)
{
  const bool node_id = std::holds_alternative<KadId>(key);
  // Low bits 00: node-ID key; 10: receiver-key key. Redraw bits that hit a protocol byte.
  std::uint8_t marker = static_cast<std::uint8_t>((p.marker_random & 0xFC) | (node_id ? 0x00 : 0x02));
  for (int i = 0; i < 8 && is_protocol_byte(marker); ++i) marker = static_cast<std::uint8_t>(marker + 4);
  ed2k::WireWriter w;
  w.u8(marker);
  w.u8(p.random[0]);
  w.u8(p.random[1]);
  w.u32(kObfuscationMagic);
  w.u8(0);  // no padding, as aMule
  w.u32(p.receiver_verify_key);
  w.u32(p.sender_verify_key);
  w.bytes(plain);
  Bytes out = w.take();
  rc4(rc4_key(key, p.random), out.data() + 3, out.size() - 3);
  return out;
}

std::optional<Deobfuscated> deobfuscate(ByteView datagram, const KadId& own_id, std::uint32_t own_verify_key_for_sender)
{
  // marker + random + magic + pad length + two keys + protocol + opcode
  if (looks_plain(datagram) || datagram.size() < 3 + 4 + 1 + 8 + 2) return std::nullopt;
  const bool receiver_key_first = (datagram[0] & 0x03) == 0x02;
  const ObfuscationKey by_id = own_id;
  const ObfuscationKey by_verify = own_verify_key_for_sender;
  if (receiver_key_first) {
    if (auto d = try_key(datagram, by_verify)) return d;
    return try_key(datagram, by_id);
  }
  if (auto d = try_key(datagram, by_id)) return d;
  return try_key(datagram, by_verify);
}

std::uint32_t verify_key(std::uint32_t udp_key, std::uint32_t ip_ed2k)
{
  const std::uint64_t value = (static_cast<std::uint64_t>(udp_key) << 32) | ip_ed2k;
  std::array<std::uint8_t, 8> le{};
  for (std::size_t i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>((value >> (8 * i)) & 0xFF);
  const auto d = md5(le);
  std::uint32_t x = 0;
  for (std::size_t w = 0; w < 4; ++w) {
    x ^= static_cast<std::uint32_t>(d[w * 4]) | (static_cast<std::uint32_t>(d[w * 4 + 1]) << 8) |
         (static_cast<std::uint32_t>(d[w * 4 + 2]) << 16) | (static_cast<std::uint32_t>(d[w * 4 + 3]) << 24);
  }
  return x % 0xFFFFFFFEu + 1u;
}

}  // namespace mulenet::kad
