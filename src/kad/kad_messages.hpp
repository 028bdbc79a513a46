#pragma once
// The Kad2 messages of reference §3.2, as pure encode/decode functions. IDs
// are in wire form (KadId), IPs in Kad order (a<<24|b<<16|c<<8|d, written
// little-endian: the bytes d c b a) unless named ed2k. Decoders check sizes
// as aMule does and say why not; nothing is read past the payload.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ed2k/tag.hpp"
#include "kad/kad_id.hpp"
#include "kad/kad_packet.hpp"

namespace mulenet::kad {

// Kad2 opcodes (protocol 0xE4)
inline constexpr std::uint8_t KADEMLIA2_BOOTSTRAP_REQ = 0x01;
inline constexpr std::uint8_t KADEMLIA2_BOOTSTRAP_RES = 0x09;
inline constexpr std::uint8_t KADEMLIA2_HELLO_REQ = 0x11;
inline constexpr std::uint8_t KADEMLIA2_HELLO_RES = 0x19;
inline constexpr std::uint8_t KADEMLIA2_REQ = 0x21;
inline constexpr std::uint8_t KADEMLIA2_HELLO_RES_ACK = 0x22;
inline constexpr std::uint8_t KADEMLIA2_RES = 0x29;
inline constexpr std::uint8_t KADEMLIA_FIREWALLED_REQ = 0x50;
inline constexpr std::uint8_t KADEMLIA_FINDBUDDY_REQ = 0x51;
inline constexpr std::uint8_t KADEMLIA_CALLBACK_REQ = 0x52;
inline constexpr std::uint8_t KADEMLIA_FIREWALLED2_REQ = 0x53;
inline constexpr std::uint8_t KADEMLIA_FIREWALLED_RES = 0x58;
inline constexpr std::uint8_t KADEMLIA_FIREWALLED_ACK_RES = 0x59;
inline constexpr std::uint8_t KADEMLIA_FINDBUDDY_RES = 0x5A;
inline constexpr std::uint8_t KADEMLIA2_PING = 0x60;
inline constexpr std::uint8_t KADEMLIA2_PONG = 0x61;
inline constexpr std::uint8_t KADEMLIA2_FIREWALLUDP = 0x62;
// eMule extended (protocol 0xC5)
inline constexpr std::uint8_t OP_DIRECTCALLBACKREQ = 0x95;  // UDP
inline constexpr std::uint8_t OP_FWCHECKUDPREQ = 0xA7;      // TCP
inline constexpr std::uint8_t OP_KAD_FWTCPCHECK_ACK = 0xA8; // TCP

// Kad tag names
inline constexpr std::uint8_t TAG_KADMISCOPTIONS = 0xF2;
inline constexpr std::uint8_t TAG_SOURCEUPORT = 0xFC;

inline constexpr std::uint8_t kKadVersion = 8;  // KADEMLIA_VERSION of aMule 2.3.3
// KADEMLIA2_REQ types: the number of contacts wanted in the low 5 bits.
inline constexpr std::uint8_t kFindNode = 0x0B;
inline constexpr std::uint8_t kFindValue = 0x02;

template <typename T>
struct Decoded {
  std::optional<T> value;
  std::string error;
  [[nodiscard]] explicit operator bool() const { return value.has_value(); }
};

// IPv4 in Kad order <-> dotted text
[[nodiscard]] std::string kad_ip_text(std::uint32_t ip);
[[nodiscard]] std::uint32_t kad_ip_from_bytes(const std::array<std::uint8_t, 4>& dotted);

struct Contact {  // 25 bytes on the wire
  KadId id;
  std::uint32_t ip = 0;  // Kad order
  std::uint16_t udp_port = 0;
  std::uint16_t tcp_port = 0;
  std::uint8_t version = 0;
  bool operator==(const Contact&) const = default;
};
inline constexpr std::size_t kContactSize = 25;
void write_contact(ed2k::WireWriter& w, const Contact& c);
[[nodiscard]] Contact read_contact(ed2k::WireReader& r);

// Kad tags: type:1 name:(u16 length + bytes) value; a list is count:u8 + tags.
void write_kad_tag(ed2k::WireWriter& w, const ed2k::Tag& tag);
[[nodiscard]] std::optional<std::vector<ed2k::Tag>> read_kad_tags(ed2k::WireReader& r, std::string* error);

struct BootstrapRes {
  KadId id;
  std::uint16_t tcp_port = 0;
  std::uint8_t version = 0;
  std::vector<Contact> contacts;
};
[[nodiscard]] Datagram encode_bootstrap_req();
[[nodiscard]] Datagram encode_bootstrap_res(const BootstrapRes& r);
[[nodiscard]] Decoded<BootstrapRes> decode_bootstrap_res(const Datagram& d);

// KADEMLIA2_HELLO_REQ / _RES
struct Hello {
  KadId id;
  std::uint16_t tcp_port = 0;
  std::uint8_t version = kKadVersion;
  std::vector<ed2k::Tag> tags;

  [[nodiscard]] std::optional<std::uint16_t> source_udp_port() const;  // TAG_SOURCEUPORT
  [[nodiscard]] std::uint8_t misc_options() const;                     // TAG_KADMISCOPTIONS (0 if absent)
  [[nodiscard]] bool wants_ack() const { return (misc_options() & 0x04) != 0; }
  [[nodiscard]] bool udp_firewalled() const { return (misc_options() & 0x01) != 0; }
  [[nodiscard]] bool tcp_firewalled() const { return (misc_options() & 0x02) != 0; }
};
// misc: bit0 UDP firewalled, bit1 TCP firewalled, bit2 request an ACK.
[[nodiscard]] std::vector<ed2k::Tag> hello_tags(std::optional<std::uint16_t> internal_udp_port, std::uint8_t misc);
[[nodiscard]] Datagram encode_hello(const Hello& h, bool response);
[[nodiscard]] Decoded<Hello> decode_hello(const Datagram& d);  // either opcode

[[nodiscard]] Datagram encode_hello_res_ack(const KadId& own_id);
[[nodiscard]] Decoded<KadId> decode_hello_res_ack(const Datagram& d);  // >= 17 bytes

struct Kademlia2Req {
  std::uint8_t type = kFindNode;
  KadId target;
  KadId receiver;
};
[[nodiscard]] Datagram encode_kademlia2_req(const Kademlia2Req& r);
[[nodiscard]] Decoded<Kademlia2Req> decode_kademlia2_req(const Datagram& d);

struct Kademlia2Res {
  KadId target;
  std::vector<Contact> contacts;
};
[[nodiscard]] Datagram encode_kademlia2_res(const Kademlia2Res& r);
[[nodiscard]] Decoded<Kademlia2Res> decode_kademlia2_res(const Datagram& d);  // exactly 17 + 25n bytes

[[nodiscard]] Datagram encode_firewalled_req(std::uint16_t tcp_port);
[[nodiscard]] Decoded<std::uint16_t> decode_firewalled_req(const Datagram& d);  // exactly 2 bytes
struct Firewalled2Req {
  std::uint16_t tcp_port = 0;
  KadId user_hash;  // the ed2k user hash in UInt128 form
  std::uint8_t connect_options = 0;
};
[[nodiscard]] Datagram encode_firewalled2_req(const Firewalled2Req& r);
[[nodiscard]] Decoded<Firewalled2Req> decode_firewalled2_req(const Datagram& d);  // >= 19 bytes
[[nodiscard]] Datagram encode_firewalled_res(std::uint32_t requester_ip_kad);
[[nodiscard]] Decoded<std::uint32_t> decode_firewalled_res(const Datagram& d);  // exactly 4 bytes
[[nodiscard]] Datagram encode_firewalled_ack_res();
[[nodiscard]] bool is_firewalled_ack_res(const Datagram& d);  // exactly 0 bytes

[[nodiscard]] Datagram encode_ping();
[[nodiscard]] Datagram encode_pong(std::uint16_t udp_port_seen);
[[nodiscard]] Decoded<std::uint16_t> decode_pong(const Datagram& d);  // >= 2 bytes

struct FirewallUdp {
  std::uint8_t error_code = 0;  // 1: "I already know your IP" (cancelled)
  std::uint16_t port_tested = 0;
};
[[nodiscard]] Datagram encode_firewall_udp(const FirewallUdp& f);
[[nodiscard]] Decoded<FirewallUdp> decode_firewall_udp(const Datagram& d);  // >= 3 bytes

// OP_FWCHECKUDPREQ (0xC5 0xA7, over TCP after the Hello)
struct FwCheckUdpReq {
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;
  std::uint32_t sender_verify_key = 0;
};
[[nodiscard]] Bytes encode_fwcheck_udp_req_payload(const FwCheckUdpReq& r);
[[nodiscard]] Decoded<FwCheckUdpReq> decode_fwcheck_udp_req_payload(ByteView payload);  // >= 8 bytes

// Name of an opcode, for logs and evidence ("KADEMLIA2_PONG").
[[nodiscard]] const char* opcode_name(std::uint8_t protocol, std::uint8_t opcode);

}  // namespace mulenet::kad
