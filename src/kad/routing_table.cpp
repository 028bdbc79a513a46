#include "kad/routing_table.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <map>

namespace mulenet::kad {

namespace {

constexpr std::size_t kMaxPerSubnetInBin = 2;
constexpr std::size_t kMaxPerSubnetInTable = 10;
constexpr unsigned kMaxLevel = 127;

bool in(std::uint32_t ip, std::uint32_t net, unsigned prefix)
{
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (ip & mask) == (net & mask);
}

constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
  return (a << 24) | (b << 16) | (c << 8) | d;
}

std::uint32_t subnet24(std::uint32_t ip) { return ip & 0xFFFFFF00u; }

// aMule's contact ageing (CContact::UpdateType): the longer we have known a
// live contact, the more it is trusted.
std::uint8_t type_for_age(std::chrono::steady_clock::duration age)
{
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
  if (hours <= 0) return 2;
  if (hours == 1) return 1;
  return 0;
}

// How long a contact of that type may stay silent before it is asked again
// (CContact::UpdateType: 1 h while new, 1.5 h, then 2 h).
std::chrono::minutes lifetime_of_type(std::uint8_t type)
{
  if (type >= 2) return std::chrono::minutes(60);
  if (type == 1) return std::chrono::minutes(90);
  return std::chrono::minutes(120);
}

}  // namespace

const char* to_string(AddOutcome o)
{
  switch (o) {
    case AddOutcome::added: return "added";
    case AddOutcome::updated: return "updated";
    case AddOutcome::bucket_full: return "bucket full";
    case AddOutcome::refused_self: return "our own ID";
    case AddOutcome::refused_address: return "address not usable for Kad";
    case AddOutcome::refused_ip_limit: return "too many contacts on that IP or /24";
    case AddOutcome::refused_key: return "another verify key than the one we keep";
    case AddOutcome::already_known: return "already known";
  }
  return "?";
}

bool is_lan_kad_ip(std::uint32_t ip)
{
  return in(ip, ip4(10, 0, 0, 0), 8) || in(ip, ip4(172, 16, 0, 0), 12) || in(ip, ip4(192, 168, 0, 0), 16);
}

bool is_routable_kad_ip(std::uint32_t ip)
{
  struct Net {
    std::uint32_t net;
    unsigned prefix;
  };
  static constexpr std::array<Net, 13> reserved{{
      {ip4(0, 0, 0, 0), 8},       {ip4(39, 0, 0, 0), 8},     {ip4(127, 0, 0, 0), 8},
      {ip4(128, 0, 0, 0), 16},    {ip4(169, 254, 0, 0), 16}, {ip4(191, 255, 0, 0), 16},
      {ip4(192, 0, 0, 0), 24},    {ip4(192, 0, 2, 0), 24},   {ip4(192, 88, 99, 0), 24},
      {ip4(198, 18, 0, 0), 15},   {ip4(223, 255, 255, 0), 24}, {ip4(224, 0, 0, 0), 4},
      {ip4(240, 0, 0, 0), 4},
  }};
  for (const Net& n : reserved)
    if (in(ip, n.net, n.prefix)) return false;
  return !is_lan_kad_ip(ip);
}

// A node of the tree: a leaf holds a bin, an inner node two subtrees (by the
// next bit of the distance from our ID).
struct RoutingTable::Zone {
  unsigned level = 0;
  // The zone's distance prefix as a number, saturated: only "is it below
  // kSplitCloseZones" matters.
  std::uint64_t index = 0;
  std::array<std::unique_ptr<Zone>, 2> sub;
  std::vector<RoutingEntry> bin;
  [[nodiscard]] bool leaf() const { return !sub[0]; }
};

RoutingTable::RoutingTable(KadId own, bool accept_lan)
    : own_(own), accept_lan_(accept_lan), root_(std::make_unique<Zone>())
{
}
RoutingTable::~RoutingTable() = default;
RoutingTable::RoutingTable(RoutingTable&&) noexcept = default;
RoutingTable& RoutingTable::operator=(RoutingTable&&) noexcept = default;

namespace {

using Zone = RoutingTable::Zone;

Zone* leaf_for(Zone* z, const KadId& distance)
{
  for (unsigned i = 0; i <= kMaxLevel && !z->leaf(); ++i) z = z->sub[distance.bit(z->level)].get();
  return z;
}

template <typename Z, typename F>
void each_leaf(Z& z, F&& f)
{
  // Iterative, bounded by the tree's size (depth is at most 128).
  std::vector<Z*> stack{&z};
  while (!stack.empty()) {
    Z* at = stack.back();
    stack.pop_back();
    if (at->leaf()) {
      f(*at);
    } else {
      stack.push_back(at->sub[1].get());
      stack.push_back(at->sub[0].get());
    }
  }
}

bool can_split(const Zone& z)
{
  return z.level < kMaxLevel && (z.index < kSplitCloseZones || z.level < kSplitLevels) && z.bin.size() >= kBucketSize;
}

void split(Zone& z, const KadId& own)
{
  for (unsigned b = 0; b < 2; ++b) {
    z.sub[b] = std::make_unique<Zone>();
    z.sub[b]->level = z.level + 1;
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() / 4;
    z.sub[b]->index = z.index >= limit ? limit : z.index * 2 + b;
  }
  for (RoutingEntry& e : z.bin) {
    const KadId distance = e.contact.id ^ own;
    z.sub[distance.bit(z.level)]->bin.push_back(std::move(e));
  }
  z.bin.clear();
}

}  // namespace

bool RoutingTable::subnet_full(std::uint32_t ip, const Zone& bin) const
{
  if (is_lan_kad_ip(ip) || (ip >> 24) == 127) return false;  // the limits are for public addresses
  std::size_t in_table = 0;
  each_leaf(*root_, [&](const Zone& leaf) {
    for (const RoutingEntry& e : leaf.bin)
      if (subnet24(e.contact.ip) == subnet24(ip)) ++in_table;
  });
  if (in_table >= kMaxPerSubnetInTable) return true;
  const auto in_bin = std::count_if(bin.bin.begin(), bin.bin.end(),
                                    [&](const RoutingEntry& e) { return subnet24(e.contact.ip) == subnet24(ip); });
  return static_cast<std::size_t>(in_bin) >= kMaxPerSubnetInBin;
}

AddOutcome RoutingTable::add(const Contact& c, std::uint32_t udp_key, bool verified, Clock::time_point now)
{
  return insert(c, udp_key, 0, verified, Source::heard, now);
}

AddOutcome RoutingTable::add_listed(const Contact& c, Clock::time_point now)
{
  return insert(c, 0, 0, false, Source::listed, now);
}

AddOutcome RoutingTable::add_saved(const Contact& c, std::uint32_t udp_key, std::uint32_t key_ip, bool verified,
                                   Clock::time_point now)
{
  return insert(c, udp_key, key_ip, verified, Source::saved, now);
}

AddOutcome RoutingTable::insert(const Contact& c, std::uint32_t udp_key, std::uint32_t key_ip, bool verified,
                                Source source, Clock::time_point now)
{
  if (c.id == own_) return AddOutcome::refused_self;
  if (c.udp_port == 0 || c.version < 2) return AddOutcome::refused_address;
  if (!is_routable_kad_ip(c.ip) && !(accept_lan_ && (is_lan_kad_ip(c.ip) || (c.ip >> 24) == 127)))
    return AddOutcome::refused_address;
  const KadId distance = c.id ^ own_;
  Zone* z = leaf_for(root_.get(), distance);
  for (RoutingEntry& e : z->bin) {
    if (e.contact.id != c.id) continue;
    if (source != Source::heard) return AddOutcome::already_known;
    if (e.udp_key != 0 && udp_key != 0 && udp_key != e.udp_key) return AddOutcome::refused_key;
    if (e.contact.ip != c.ip) {
      // Only an unproven contact that gave no key may move, and the move obeys the IP limits.
      if (e.verified || e.udp_key != 0 || knows_ip(c.ip)) return AddOutcome::refused_ip_limit;
      if (subnet_full(c.ip, *z)) return AddOutcome::refused_ip_limit;
      e.contact.ip = c.ip;
    }
    e.contact.udp_port = c.udp_port;
    e.contact.tcp_port = c.tcp_port;
    e.contact.version = std::max(e.contact.version, c.version);  // never lowered
    if (e.udp_key == 0) e.udp_key = udp_key;
    e.verified = e.verified || verified;
    e.type = type_for_age(now - e.created);
    e.expires = now + lifetime_of_type(e.type);
    e.last_seen = now;
    return AddOutcome::updated;
  }
  if (knows_ip(c.ip)) return AddOutcome::refused_ip_limit;
  for (unsigned i = 0; i <= kMaxLevel && z->bin.size() >= kBucketSize; ++i) {
    if (!can_split(*z)) return AddOutcome::bucket_full;
    split(*z, own_);
    z = leaf_for(z, distance);
  }
  if (z->bin.size() >= kBucketSize) return AddOutcome::bucket_full;
  if (subnet_full(c.ip, *z)) return AddOutcome::refused_ip_limit;
  RoutingEntry e;
  e.contact = c;
  e.udp_key = udp_key;
  e.key_ip = key_ip;
  e.verified = verified;
  e.type = 3;
  e.created = now;
  e.last_seen = now;
  e.expires = now;  // asked at the next upkeep: a contact is typed only by an answer of its own
  z->bin.push_back(e);
  ++size_;
  return AddOutcome::added;
}

bool RoutingTable::mark_verified(const KadId& id, std::uint32_t ip)
{
  Zone* z = leaf_for(root_.get(), id ^ own_);
  for (RoutingEntry& e : z->bin) {
    if (e.contact.id == id && e.contact.ip == ip) {
      e.verified = true;
      return true;
    }
  }
  return false;
}

std::vector<RoutingEntry> RoutingTable::upkeep(Clock::time_point now, std::size_t& removed)
{
  std::vector<RoutingEntry> to_ask;
  each_leaf(*root_, [&](Zone& leaf) {
    // Dead: asked twice without an answer (type 4) and its last 2 minutes passed.
    const auto before = leaf.bin.size();
    std::erase_if(leaf.bin, [&](const RoutingEntry& e) { return e.type >= 4 && e.expires <= now; });
    removed += before - leaf.bin.size();
    size_ -= before - leaf.bin.size();
    // The longest silent of those whose time is up; one per zone per round, as aMule.
    RoutingEntry* oldest = nullptr;
    for (RoutingEntry& e : leaf.bin)
      if (e.type < 4 && e.expires < now && (!oldest || e.last_seen < oldest->last_seen)) oldest = &e;
    if (!oldest) return;
    // CContact::CheckingType: one step down per ask (at most every 10 s), 2 minutes to answer.
    if (now - oldest->type_set >= std::chrono::seconds(10)) {
      oldest->type_set = now;
      oldest->expires = now + std::chrono::minutes(2);
      ++oldest->type;
    }
    to_ask.push_back(*oldest);
  });
  return to_ask;
}

bool RoutingTable::remove(const KadId& id)
{
  Zone* z = leaf_for(root_.get(), id ^ own_);
  const auto before = z->bin.size();
  std::erase_if(z->bin, [&](const RoutingEntry& e) { return e.contact.id == id; });
  size_ -= before - z->bin.size();
  return before != z->bin.size();
}

const RoutingEntry* RoutingTable::find(const KadId& id) const
{
  const Zone* z = leaf_for(root_.get(), id ^ own_);
  for (const RoutingEntry& e : z->bin)
    if (e.contact.id == id) return &e;
  return nullptr;
}

bool RoutingTable::knows_ip(std::uint32_t kad_ip) const
{
  bool found = false;
  each_leaf(*root_, [&](const Zone& leaf) {
    for (const RoutingEntry& e : leaf.bin) found = found || e.contact.ip == kad_ip;
  });
  return found;
}

std::vector<RoutingEntry> RoutingTable::closest_to(const KadId& target, std::size_t n, bool only_proven) const
{
  std::vector<RoutingEntry> out;
  each_leaf(*root_, [&](const Zone& leaf) {
    for (const RoutingEntry& e : leaf.bin)
      if (!only_proven || (e.verified && e.type <= 2)) out.push_back(e);
  });
  const auto nearer = [&](const RoutingEntry& a, const RoutingEntry& b) {
    return (a.contact.id ^ target) < (b.contact.id ^ target);
  };
  if (out.size() > n) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), nearer);
    out.resize(n);
  } else {
    std::sort(out.begin(), out.end(), nearer);
  }
  return out;
}

std::vector<RoutingEntry> RoutingTable::bootstrap_contacts(std::size_t n) const
{
  // Breadth first: the zones nearest the root cover the widest parts of the ID space.
  std::vector<RoutingEntry> out;
  std::deque<const Zone*> queue{root_.get()};
  for (std::size_t guard = 0; !queue.empty() && out.size() < n && guard < 100000; ++guard) {
    const Zone* z = queue.front();
    queue.pop_front();
    if (!z->leaf()) {
      queue.push_back(z->sub[0].get());
      queue.push_back(z->sub[1].get());
      continue;
    }
    for (const RoutingEntry& e : z->bin) {
      if (out.size() >= n) break;
      out.push_back(e);
    }
  }
  return out;
}

std::vector<RoutingEntry> RoutingTable::all() const
{
  std::vector<RoutingEntry> out;
  each_leaf(*root_, [&](const Zone& leaf) { out.insert(out.end(), leaf.bin.begin(), leaf.bin.end()); });
  return out;
}

std::vector<std::size_t> RoutingTable::bucket_sizes() const
{
  std::vector<std::size_t> out;
  each_leaf(*root_, [&](const Zone& leaf) { out.push_back(leaf.bin.size()); });
  return out;
}

std::size_t RoutingTable::bucket_count() const
{
  std::size_t n = 0;
  each_leaf(*root_, [&](const Zone&) { ++n; });
  return n;
}

}  // namespace mulenet::kad
