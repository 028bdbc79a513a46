#include "ec/ec_answers.hpp"

namespace mulenet::ec {
namespace {

// eD2k byte order: the first octet in the lowest byte (the inverse of read_stats').
std::uint32_t ed2k_order(const std::array<std::uint8_t, 4>& dotted)
{
  std::uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(dotted[i]) << (8 * i);
  return v;
}

std::uint8_t connstate_bits(const AmuleState& s)
{
  std::uint8_t bits = 0;
  if (s.ed2k == AmuleEd2k::connected) bits |= connstate::ed2k_connected;
  if (s.ed2k == AmuleEd2k::connecting) bits |= connstate::ed2k_connecting;
  if (s.kad != AmuleKad::not_running) bits |= connstate::kad_running;
  if (s.kad == AmuleKad::running_connected) bits |= connstate::kad_connected;
  // As aMule: "firewalled" also while Kad is off (CKademlia::IsFirewalled).
  if (s.kad == AmuleKad::not_running || s.kad_tcp_firewalled.value_or(true)) bits |= connstate::kad_firewalled;
  return bits;
}

// Always with a name: amulecmd prints a blank "eD2k:" line, and leaves a
// server out of `show servers`, when SERVER_NAME is missing (seen with
// amulecmd 2.3.3 in the lab). A server without one is named by its address.
Tag server_tag(const AmuleServer& server)
{
  Tag t = Tag::ipv4(tag::server, server.address);
  t.children.push_back(Tag::string(tag::server_name, server.name.empty() ? server.address.str() : server.name));
  return t;
}

void add_kad_tags(const AmuleState& s, std::vector<Tag>& tags)
{
  tags.push_back(Tag::u8(tag::stats_kad_firewalled_udp, s.kad_udp_firewalled.value_or(true) ? 1 : 0));
  tags.push_back(Tag::uint(tag::stats_kad_ip_address, s.kad_ip ? ed2k_order(*s.kad_ip) : 0));
  tags.push_back(Tag::u8(tag::stats_kad_in_lan_mode, s.kad_lan_mode.value_or(false) ? 1 : 0));
  const BuddyState buddy = s.buddy.value_or(BuddyState::none);
  tags.push_back(Tag::u8(tag::stats_buddy_status, static_cast<std::uint8_t>(buddy)));
  const bool with_address = buddy != BuddyState::none && s.buddy_address;
  tags.push_back(Tag::uint(tag::stats_buddy_ip, with_address ? ed2k_order(s.buddy_address->address) : 0));
  tags.push_back(Tag::uint(tag::stats_buddy_port, with_address ? s.buddy_address->port : 0));
}

}  // namespace

Packet auth_salt_answer(std::uint64_t salt) { return Packet{Op::auth_salt, {Tag::u64(tag::passwd_salt, salt)}}; }

Packet auth_ok_answer(std::string_view server_version)
{
  return Packet{Op::auth_ok, {Tag::string(tag::server_version, server_version)}};
}

Packet auth_fail_answer(std::string_view reason) { return Packet{Op::auth_fail, {Tag::string(tag::string, reason)}}; }

Packet failed_answer(std::string_view reason) { return Packet{Op::failed, {Tag::string(tag::string, reason)}}; }

std::uint32_t client_id(const AmuleState& s)
{
  const bool kad_open = s.kad == AmuleKad::running_connected && s.kad_tcp_firewalled == false;
  if (kad_open && s.kad_ip) return ed2k_order(*s.kad_ip);
  if (s.ed2k == AmuleEd2k::connected && s.ed2k_id) return *s.ed2k_id;
  return s.kad == AmuleKad::running_connected ? 1 : 0;
}

Tag connstate_tag(const AmuleState& s)
{
  Tag t = Tag::u8(tag::connstate, connstate_bits(s));
  if (s.ed2k == AmuleEd2k::connected && s.server) t.children.push_back(server_tag(*s.server));
  if (s.ed2k == AmuleEd2k::connected && s.ed2k_id) t.children.push_back(Tag::uint(tag::ed2k_id, *s.ed2k_id));
  if (s.ed2k == AmuleEd2k::connecting) t.children.push_back(Tag::uint(tag::ed2k_id, 0xFFFFFFFFu));
  t.children.push_back(Tag::uint(tag::client_id, client_id(s)));
  return t;
}

Packet stats_answer(const AmuleState& s)
{
  Packet p{Op::stats, {}};
  p.tags.push_back(Tag::uint(tag::stats_ul_speed, 0));
  p.tags.push_back(Tag::uint(tag::stats_dl_speed, 0));
  p.tags.push_back(Tag::uint(tag::stats_ul_speed_limit, 0));
  p.tags.push_back(Tag::uint(tag::stats_dl_speed_limit, 0));
  p.tags.push_back(Tag::uint(tag::stats_ed2k_users, s.ed2k_users.value_or(0)));
  p.tags.push_back(Tag::uint(tag::stats_kad_users, s.kad_nodes.value_or(0)));
  p.tags.push_back(Tag::uint(tag::stats_kad_nodes, s.kad_nodes.value_or(0)));
  if (s.kad == AmuleKad::running_connected) add_kad_tags(s, p.tags);
  p.tags.push_back(connstate_tag(s));
  return p;
}

Packet connstate_answer(const AmuleState& s) { return Packet{Op::misc_data, {connstate_tag(s)}}; }

Packet server_list_answer(const std::vector<AmuleServer>& servers)
{
  Packet p{Op::server_list, {}};
  for (const AmuleServer& s : servers) p.tags.push_back(server_tag(s));
  return p;
}

}  // namespace mulenet::ec
