#include "kad/kad_messages.hpp"

#include <fmt/format.h>

namespace mulenet::kad {
namespace {

using ed2k::Tag;
using ed2k::TagType;
using ed2k::WireReader;
using ed2k::WireWriter;

template <typename T>
Decoded<T> fail(std::string why)
{
  return Decoded<T>{std::nullopt, std::move(why)};
}

void write_id(WireWriter& w, const KadId& id) { w.bytes(id.wire); }

KadId read_id(WireReader& r)
{
  KadId id;
  id.wire = r.hash16();
  return id;
}

Datagram make(std::uint8_t opcode, WireWriter&& w) { return Datagram{kProtoKad, opcode, w.take()}; }

bool is(const Datagram& d, std::uint8_t opcode) { return d.protocol == kProtoKad && d.opcode == opcode; }

std::string wrong(const Datagram& d, const char* wanted)
{
  return fmt::format("not {}: {} (0x{:02X} 0x{:02X})", wanted, opcode_name(d.protocol, d.opcode), d.protocol,
                     d.opcode);
}

}  // namespace

std::string kad_ip_text(std::uint32_t ip)
{
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
}

std::uint32_t kad_ip_from_bytes(const std::array<std::uint8_t, 4>& d)
{
  return (static_cast<std::uint32_t>(d[0]) << 24) | (static_cast<std::uint32_t>(d[1]) << 16) |
         (static_cast<std::uint32_t>(d[2]) << 8) | d[3];
}

void write_contact(WireWriter& w, const Contact& c)
{
  write_id(w, c.id);
  w.u32(c.ip);
  w.u16(c.udp_port);
  w.u16(c.tcp_port);
  w.u8(c.version);
}

Contact read_contact(WireReader& r)
{
  Contact c;
  c.id = read_id(r);
  c.ip = r.u32();
  c.udp_port = r.u16();
  c.tcp_port = r.u16();
  c.version = r.u8();
  return c;
}

void write_kad_tag(WireWriter& w, const Tag& t)
{
  // Kad names are always a u16 length and bytes, which is exactly the eD2k
  // "old" layout (a one-byte name as length 1): one writer for both.
  ed2k::write_tag(w, t);
}

std::optional<std::vector<Tag>> read_kad_tags(WireReader& r, std::string* error)
{
  const std::uint8_t count = r.u8();
  std::vector<Tag> tags;
  for (std::uint8_t i = 0; i < count && r.ok(); ++i) {
    Tag t;
    const std::uint8_t type = r.u8();
    const std::uint16_t name_length = r.u16();
    if (name_length == 1) t.id = r.u8();
    else t.name = r.text(name_length);
    t.type = static_cast<TagType>(type);
    // The types aMule's Kad tag reader takes; anything else ends the packet.
    const bool kad_type = t.type == TagType::hash16 || t.type == TagType::string || t.type == TagType::uint64 ||
                          t.type == TagType::uint32 || t.type == TagType::uint16 || t.type == TagType::uint8 ||
                          t.type == TagType::float32 || t.type == TagType::bsob;
    if (!kad_type || !ed2k::read_tag_value(r, t)) {
      if (error) *error = fmt::format("Kad tag of unknown type 0x{:02X}", type);
      r.fail();
      return std::nullopt;
    }
    tags.push_back(std::move(t));
  }
  if (!r.ok()) {
    if (error && error->empty()) *error = "Kad tags cut short";
    return std::nullopt;
  }
  return tags;
}

// --- bootstrap ---------------------------------------------------------------------
Datagram encode_bootstrap_req() { return Datagram{kProtoKad, KADEMLIA2_BOOTSTRAP_REQ, {}}; }

Datagram encode_bootstrap_res(const BootstrapRes& b)
{
  WireWriter w;
  write_id(w, b.id);
  w.u16(b.tcp_port);
  w.u8(b.version);
  w.u16(static_cast<std::uint16_t>(b.contacts.size()));
  for (const Contact& c : b.contacts) write_contact(w, c);
  return make(KADEMLIA2_BOOTSTRAP_RES, std::move(w));
}

Decoded<BootstrapRes> decode_bootstrap_res(const Datagram& d)
{
  if (!is(d, KADEMLIA2_BOOTSTRAP_RES)) return fail<BootstrapRes>(wrong(d, "KADEMLIA2_BOOTSTRAP_RES"));
  WireReader r(d.payload);
  BootstrapRes b;
  b.id = read_id(r);
  b.tcp_port = r.u16();
  b.version = r.u8();
  const std::uint16_t count = r.u16();
  if (!r.ok()) return fail<BootstrapRes>("BOOTSTRAP_RES shorter than its 21 fixed bytes");
  if (r.remaining() != static_cast<std::size_t>(count) * kContactSize)
    return fail<BootstrapRes>(fmt::format("BOOTSTRAP_RES announces {} contacts but carries {} bytes", count, r.remaining()));
  for (std::uint16_t i = 0; i < count; ++i) b.contacts.push_back(read_contact(r));
  return {std::move(b), {}};
}

// --- hello -------------------------------------------------------------------------
std::optional<std::uint16_t> Hello::source_udp_port() const
{
  const Tag* t = ed2k::find_tag(tags, TAG_SOURCEUPORT);
  if (!t || !t->is_integer() || t->integer == 0 || t->integer > 0xFFFF) return std::nullopt;
  return static_cast<std::uint16_t>(t->integer);
}

std::uint8_t Hello::misc_options() const
{
  const Tag* t = ed2k::find_tag(tags, TAG_KADMISCOPTIONS);
  return t && t->is_integer() ? static_cast<std::uint8_t>(t->integer & 0xFF) : 0;
}

std::vector<Tag> hello_tags(std::optional<std::uint16_t> internal_udp_port, std::uint8_t misc)
{
  std::vector<Tag> tags;
  if (internal_udp_port) {
    Tag t;
    t.type = TagType::uint16;
    t.id = TAG_SOURCEUPORT;
    t.integer = *internal_udp_port;
    tags.push_back(t);
  }
  if (misc != 0) {
    Tag t;
    t.type = TagType::uint8;
    t.id = TAG_KADMISCOPTIONS;
    t.integer = misc;
    tags.push_back(t);
  }
  return tags;
}

Datagram encode_hello(const Hello& h, bool response)
{
  WireWriter w;
  write_id(w, h.id);
  w.u16(h.tcp_port);
  w.u8(h.version);
  w.u8(static_cast<std::uint8_t>(std::min<std::size_t>(h.tags.size(), 0xFF)));
  for (std::size_t i = 0; i < h.tags.size() && i < 0xFF; ++i) write_kad_tag(w, h.tags[i]);
  return make(response ? KADEMLIA2_HELLO_RES : KADEMLIA2_HELLO_REQ, std::move(w));
}

Decoded<Hello> decode_hello(const Datagram& d)
{
  if (!is(d, KADEMLIA2_HELLO_REQ) && !is(d, KADEMLIA2_HELLO_RES)) return fail<Hello>(wrong(d, "a Kad HELLO"));
  WireReader r(d.payload);
  Hello h;
  h.id = read_id(r);
  h.tcp_port = r.u16();
  h.version = r.u8();
  if (!r.ok()) return fail<Hello>("Kad HELLO shorter than its 19 fixed bytes");
  if (h.version == 0) return fail<Hello>("Kad HELLO with version 0");
  std::string error;
  auto tags = read_kad_tags(r, &error);
  if (!tags) return fail<Hello>("Kad HELLO tags: " + error);
  h.tags = std::move(*tags);
  return {std::move(h), {}};
}

Datagram encode_hello_res_ack(const KadId& own_id)
{
  WireWriter w;
  write_id(w, own_id);
  w.u8(0);
  return make(KADEMLIA2_HELLO_RES_ACK, std::move(w));
}

Decoded<KadId> decode_hello_res_ack(const Datagram& d)
{
  if (!is(d, KADEMLIA2_HELLO_RES_ACK)) return fail<KadId>(wrong(d, "KADEMLIA2_HELLO_RES_ACK"));
  if (d.payload.size() < 17) return fail<KadId>("HELLO_RES_ACK shorter than 17 bytes");
  WireReader r(d.payload);
  return {read_id(r), {}};
}

// --- node lookups --------------------------------------------------------------------
Datagram encode_kademlia2_req(const Kademlia2Req& q)
{
  WireWriter w;
  w.u8(q.type);
  write_id(w, q.target);
  write_id(w, q.receiver);
  return make(KADEMLIA2_REQ, std::move(w));
}

Decoded<Kademlia2Req> decode_kademlia2_req(const Datagram& d)
{
  if (!is(d, KADEMLIA2_REQ)) return fail<Kademlia2Req>(wrong(d, "KADEMLIA2_REQ"));
  WireReader r(d.payload);
  Kademlia2Req q;
  q.type = r.u8();
  q.target = read_id(r);
  q.receiver = read_id(r);
  if (!r.ok()) return fail<Kademlia2Req>("KADEMLIA2_REQ shorter than 33 bytes");
  if ((q.type & 0x1F) == 0) return fail<Kademlia2Req>("KADEMLIA2_REQ asking for 0 contacts");
  return {q, {}};
}

Datagram encode_kademlia2_res(const Kademlia2Res& s)
{
  WireWriter w;
  write_id(w, s.target);
  w.u8(static_cast<std::uint8_t>(std::min<std::size_t>(s.contacts.size(), 0xFF)));
  for (std::size_t i = 0; i < s.contacts.size() && i < 0xFF; ++i) write_contact(w, s.contacts[i]);
  return make(KADEMLIA2_RES, std::move(w));
}

Decoded<Kademlia2Res> decode_kademlia2_res(const Datagram& d)
{
  if (!is(d, KADEMLIA2_RES)) return fail<Kademlia2Res>(wrong(d, "KADEMLIA2_RES"));
  WireReader r(d.payload);
  Kademlia2Res s;
  s.target = read_id(r);
  const std::uint8_t count = r.u8();
  if (!r.ok()) return fail<Kademlia2Res>("KADEMLIA2_RES shorter than 17 bytes");
  if (d.payload.size() != 17 + static_cast<std::size_t>(count) * kContactSize)
    return fail<Kademlia2Res>(fmt::format("KADEMLIA2_RES of {} bytes for {} contacts (must be exactly {})",
                                          d.payload.size(), count, 17 + count * kContactSize));
  for (std::uint8_t i = 0; i < count; ++i) s.contacts.push_back(read_contact(r));
  return {std::move(s), {}};
}

// --- firewall checks -------------------------------------------------------------------
Datagram encode_firewalled_req(std::uint16_t tcp_port)
{
  WireWriter w;
  w.u16(tcp_port);
  return make(KADEMLIA_FIREWALLED_REQ, std::move(w));
}

Decoded<std::uint16_t> decode_firewalled_req(const Datagram& d)
{
  if (!is(d, KADEMLIA_FIREWALLED_REQ)) return fail<std::uint16_t>(wrong(d, "KADEMLIA_FIREWALLED_REQ"));
  if (d.payload.size() != 2) return fail<std::uint16_t>("FIREWALLED_REQ must be exactly 2 bytes");
  WireReader r(d.payload);
  return {r.u16(), {}};
}

Datagram encode_firewalled2_req(const Firewalled2Req& q)
{
  WireWriter w;
  w.u16(q.tcp_port);
  write_id(w, q.user_hash);
  w.u8(q.connect_options);
  return make(KADEMLIA_FIREWALLED2_REQ, std::move(w));
}

Decoded<Firewalled2Req> decode_firewalled2_req(const Datagram& d)
{
  if (!is(d, KADEMLIA_FIREWALLED2_REQ)) return fail<Firewalled2Req>(wrong(d, "KADEMLIA_FIREWALLED2_REQ"));
  if (d.payload.size() < 19) return fail<Firewalled2Req>("FIREWALLED2_REQ shorter than 19 bytes");
  WireReader r(d.payload);
  Firewalled2Req q;
  q.tcp_port = r.u16();
  q.user_hash = read_id(r);
  q.connect_options = r.u8();
  return {q, {}};
}

Datagram encode_firewalled_res(std::uint32_t requester_ip_kad)
{
  WireWriter w;
  w.u32(requester_ip_kad);
  return make(KADEMLIA_FIREWALLED_RES, std::move(w));
}

Decoded<std::uint32_t> decode_firewalled_res(const Datagram& d)
{
  if (!is(d, KADEMLIA_FIREWALLED_RES)) return fail<std::uint32_t>(wrong(d, "KADEMLIA_FIREWALLED_RES"));
  if (d.payload.size() != 4) return fail<std::uint32_t>("FIREWALLED_RES must be exactly 4 bytes");
  WireReader r(d.payload);
  return {r.u32(), {}};
}

Datagram encode_firewalled_ack_res() { return Datagram{kProtoKad, KADEMLIA_FIREWALLED_ACK_RES, {}}; }
bool is_firewalled_ack_res(const Datagram& d) { return is(d, KADEMLIA_FIREWALLED_ACK_RES) && d.payload.empty(); }

// --- ping, UDP firewall test -------------------------------------------------------------
Datagram encode_ping() { return Datagram{kProtoKad, KADEMLIA2_PING, {}}; }

Datagram encode_pong(std::uint16_t udp_port_seen)
{
  WireWriter w;
  w.u16(udp_port_seen);
  return make(KADEMLIA2_PONG, std::move(w));
}

Decoded<std::uint16_t> decode_pong(const Datagram& d)
{
  if (!is(d, KADEMLIA2_PONG)) return fail<std::uint16_t>(wrong(d, "KADEMLIA2_PONG"));
  if (d.payload.size() < 2) return fail<std::uint16_t>("PONG shorter than 2 bytes");
  WireReader r(d.payload);
  return {r.u16(), {}};
}

Datagram encode_firewall_udp(const FirewallUdp& f)
{
  WireWriter w;
  w.u8(f.error_code);
  w.u16(f.port_tested);
  return make(KADEMLIA2_FIREWALLUDP, std::move(w));
}

Decoded<FirewallUdp> decode_firewall_udp(const Datagram& d)
{
  if (!is(d, KADEMLIA2_FIREWALLUDP)) return fail<FirewallUdp>(wrong(d, "KADEMLIA2_FIREWALLUDP"));
  if (d.payload.size() < 3) return fail<FirewallUdp>("FIREWALLUDP shorter than 3 bytes");
  WireReader r(d.payload);
  FirewallUdp f;
  f.error_code = r.u8();
  f.port_tested = r.u16();
  return {f, {}};
}

Bytes encode_fwcheck_udp_req_payload(const FwCheckUdpReq& q)
{
  WireWriter w;
  w.u16(q.internal_port);
  w.u16(q.external_port);
  w.u32(q.sender_verify_key);
  return w.take();
}

Decoded<FwCheckUdpReq> decode_fwcheck_udp_req_payload(ByteView payload)
{
  if (payload.size() < 8) return fail<FwCheckUdpReq>("OP_FWCHECKUDPREQ shorter than 8 bytes");
  WireReader r(payload);
  FwCheckUdpReq q;
  q.internal_port = r.u16();
  q.external_port = r.u16();
  q.sender_verify_key = r.u32();
  return {q, {}};
}

const char* opcode_name(std::uint8_t protocol, std::uint8_t opcode)
{
  if (protocol == kProtoEmule) {
    switch (opcode) {
      case OP_DIRECTCALLBACKREQ: return "OP_DIRECTCALLBACKREQ";
      case OP_FWCHECKUDPREQ: return "OP_FWCHECKUDPREQ";
      case OP_KAD_FWTCPCHECK_ACK: return "OP_KAD_FWTCPCHECK_ACK";
      default: return "eMule extended packet";
    }
  }
  switch (opcode) {
    case KADEMLIA2_BOOTSTRAP_REQ: return "KADEMLIA2_BOOTSTRAP_REQ";
    case KADEMLIA2_BOOTSTRAP_RES: return "KADEMLIA2_BOOTSTRAP_RES";
    case KADEMLIA2_HELLO_REQ: return "KADEMLIA2_HELLO_REQ";
    case KADEMLIA2_HELLO_RES: return "KADEMLIA2_HELLO_RES";
    case KADEMLIA2_REQ: return "KADEMLIA2_REQ";
    case KADEMLIA2_HELLO_RES_ACK: return "KADEMLIA2_HELLO_RES_ACK";
    case KADEMLIA2_RES: return "KADEMLIA2_RES";
    case KADEMLIA_FIREWALLED_REQ: return "KADEMLIA_FIREWALLED_REQ";
    case KADEMLIA_FINDBUDDY_REQ: return "KADEMLIA_FINDBUDDY_REQ";
    case KADEMLIA_CALLBACK_REQ: return "KADEMLIA_CALLBACK_REQ";
    case KADEMLIA_FIREWALLED2_REQ: return "KADEMLIA_FIREWALLED2_REQ";
    case KADEMLIA_FIREWALLED_RES: return "KADEMLIA_FIREWALLED_RES";
    case KADEMLIA_FIREWALLED_ACK_RES: return "KADEMLIA_FIREWALLED_ACK_RES";
    case KADEMLIA_FINDBUDDY_RES: return "KADEMLIA_FINDBUDDY_RES";
    case KADEMLIA2_PING: return "KADEMLIA2_PING";
    case KADEMLIA2_PONG: return "KADEMLIA2_PONG";
    case KADEMLIA2_FIREWALLUDP: return "KADEMLIA2_FIREWALLUDP";
    default: return "unknown Kad opcode";
  }
}

}  // namespace mulenet::kad
