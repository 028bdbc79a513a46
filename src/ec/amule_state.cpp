#include "ec/amule_state.hpp"

#include <fmt/format.h>

namespace mulenet::ec {
namespace {

std::optional<std::uint64_t> uint_of(const std::vector<Tag>& tags, std::uint16_t name)
{
  const Tag* t = find_tag(tags, name);
  return t ? t->as_uint() : std::nullopt;
}

// aMule sends IPs of clients (and its Kad IP, swapped) as a u32 in eD2k
// order: the first octet in the lowest byte.
std::array<std::uint8_t, 4> dotted_from_ed2k_order(std::uint64_t v)
{
  std::array<std::uint8_t, 4> a{};
  for (unsigned i = 0; i < 4; ++i) a[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return a;
}

std::optional<AmuleServer> server_of(const Tag* t)
{
  if (!t) return std::nullopt;
  const auto address = t->as_ipv4();
  if (!address) return std::nullopt;
  AmuleServer s{*address, {}};
  if (const Tag* name = t->child(tag::server_name); name && name->as_string()) s.name = *name->as_string();
  return s;
}

void read_connstate(const Tag& conn, std::uint8_t bits, AmuleState& s)
{
  if (bits & connstate::ed2k_connected) {
    s.ed2k = AmuleEd2k::connected;
    s.server = server_of(conn.child(tag::server));
    if (const auto id = uint_of(conn.children, tag::ed2k_id); id && *id <= 0xFFFFFFFF) {
      s.ed2k_id = static_cast<std::uint32_t>(*id);
    }
  } else if (bits & connstate::ed2k_connecting) {
    s.ed2k = AmuleEd2k::connecting;
  }
  if (bits & connstate::kad_running) {
    s.kad = (bits & connstate::kad_connected) ? AmuleKad::running_connected : AmuleKad::running_not_connected;
    s.kad_tcp_firewalled = (bits & connstate::kad_firewalled) != 0;
  }
}

void read_kad_tags(const std::vector<Tag>& tags, AmuleState& s)
{
  if (const auto v = uint_of(tags, tag::stats_kad_firewalled_udp)) s.kad_udp_firewalled = *v != 0;
  if (const auto v = uint_of(tags, tag::stats_kad_ip_address); v && *v <= 0xFFFFFFFF) {
    s.kad_ip = dotted_from_ed2k_order(*v);
  }
  if (const auto v = uint_of(tags, tag::stats_kad_in_lan_mode)) s.kad_lan_mode = *v != 0;
  if (const auto v = uint_of(tags, tag::stats_buddy_status); v && *v <= 2) {
    s.buddy = static_cast<BuddyState>(*v);
    const Tag* ip = find_tag(tags, tag::stats_buddy_ip);
    const auto port = uint_of(tags, tag::stats_buddy_port);
    const auto ip_value = ip ? ip->as_uint() : std::nullopt;
    if (*s.buddy != BuddyState::none && ip_value && port && *port <= 0xFFFF && *ip_value <= 0xFFFFFFFF) {
      Ipv4Port b;
      b.address = dotted_from_ed2k_order(*ip_value);
      b.port = static_cast<std::uint16_t>(*port);
      s.buddy_address = b;
    }
  }
  s.kad_nodes = uint_of(tags, tag::stats_kad_nodes);
  s.ed2k_users = uint_of(tags, tag::stats_ed2k_users);
}

}  // namespace

std::optional<bool> AmuleState::high_id() const
{
  if (ed2k != AmuleEd2k::connected || !ed2k_id) return std::nullopt;
  return *ed2k_id >= kLowIdLimit;
}

std::optional<AmuleState> read_stats(const Packet& stats, std::string& error)
{
  if (stats.opcode != Op::stats) {
    error = fmt::format("expected EC_OP_STATS, got opcode 0x{:02X}", static_cast<unsigned>(stats.opcode));
    return std::nullopt;
  }
  const Tag* conn = find_tag(stats.tags, tag::connstate);
  const auto bits = conn ? conn->as_uint() : std::nullopt;
  if (!bits || *bits > 0xFF) {
    error = "EC_OP_STATS without a readable EC_TAG_CONNSTATE";
    return std::nullopt;
  }
  AmuleState s;
  read_connstate(*conn, static_cast<std::uint8_t>(*bits), s);
  read_kad_tags(stats.tags, s);
  return s;
}

std::optional<std::vector<AmuleServer>> read_server_list(const Packet& list, std::string& error)
{
  if (list.opcode != Op::server_list) {
    error = fmt::format("expected EC_OP_SERVER_LIST, got opcode 0x{:02X}", static_cast<unsigned>(list.opcode));
    return std::nullopt;
  }
  std::vector<AmuleServer> servers;
  for (const Tag& t : list.tags) {
    if (t.name != tag::server) continue;
    if (auto s = server_of(&t)) servers.push_back(std::move(*s));
  }
  return servers;
}

Packet stat_request() { return Packet{Op::stat_req, {Tag::u8(tag::detail_level, static_cast<std::uint8_t>(Detail::cmd))}}; }
Packet server_list_request()
{
  return Packet{Op::get_server_list, {Tag::u8(tag::detail_level, static_cast<std::uint8_t>(Detail::cmd))}};
}

const char* to_string(AmuleEd2k s)
{
  switch (s) {
    case AmuleEd2k::connected: return "connected";
    case AmuleEd2k::connecting: return "connecting";
    case AmuleEd2k::disconnected: return "disconnected";
  }
  return "unknown";
}

const char* to_string(AmuleKad s)
{
  switch (s) {
    case AmuleKad::running_connected: return "connected";
    case AmuleKad::running_not_connected: return "not-connected";
    case AmuleKad::not_running: return "not-running";
  }
  return "unknown";
}

const char* to_string(BuddyState s)
{
  switch (s) {
    case BuddyState::none: return "none";
    case BuddyState::connecting: return "connecting";
    case BuddyState::connected: return "connected";
  }
  return "unknown";
}

}  // namespace mulenet::ec
