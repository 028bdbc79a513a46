// The Kad routing table as aMule keeps it: k-buckets of 10 over the XOR
// distance from our ID, splitting near the root and near us only, aMule's IP
// rules (one contact per IP, 2 per /24 in a bin, 10 per /24 overall, no
// reserved or LAN addresses), the kept verify key, and the closest-contact
// answers.
#include <gtest/gtest.h>

#include <set>

#include "kad/routing_table.hpp"

using namespace mulenet::kad;
using Clock = std::chrono::steady_clock;

namespace {

const KadId kOwn = *KadId::from_hex("00000000000000000000000000000000");

// A deterministic ID whose distance from kOwn (zero) starts with `prefix`
// (prefix_bits bits), the rest pseudo-random from n.
KadId id_with_prefix(std::uint32_t prefix, unsigned prefix_bits, std::uint32_t n)
{
  std::uint64_t x = 0x9E3779B97F4A7C15ull * (n + 1);
  KadId id;
  for (auto& b : id.wire) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    b = static_cast<std::uint8_t>(x >> 56);
  }
  // Chunk 0 is the most significant 32 bits (little-endian in wire[0..3]).
  std::uint32_t c0 = id.chunk(0);
  if (prefix_bits > 0) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - prefix_bits);
    c0 = (c0 & ~mask) | (prefix << (32 - prefix_bits));
  }
  for (int i = 0; i < 4; ++i) id.wire[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(c0 >> (8 * i));
  return id;
}

// Each on its own /24 of 100.64.0.0/10 (public for aMule) unless told otherwise.
Contact contact(const KadId& id, std::uint32_t n, std::uint32_t ip = 0)
{
  Contact c;
  c.id = id;
  c.ip = ip != 0 ? ip : 0x64400001u + (n << 8);
  c.udp_port = 4672;
  c.tcp_port = 4662;
  c.version = 8;
  return c;
}

}  // namespace

TEST(KadRoutingTable, RefusesOwnIdReservedAndLanAddresses)
{
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  EXPECT_EQ(t.add(contact(kOwn, 1), 0, false, now), AddOutcome::refused_self);
  EXPECT_EQ(t.add(contact(id_with_prefix(0, 0, 1), 1, 0x7F000001u), 0, false, now), AddOutcome::refused_address);
  EXPECT_EQ(t.add(contact(id_with_prefix(0, 0, 2), 2, 0xC0A84D0Au), 0, false, now), AddOutcome::refused_address);
  EXPECT_EQ(t.add(contact(id_with_prefix(0, 0, 3), 3, 0xC0000201u), 0, false, now), AddOutcome::refused_address);
  Contact old = contact(id_with_prefix(0, 0, 4), 4);
  old.version = 1;
  EXPECT_EQ(t.add(old, 0, false, now), AddOutcome::refused_address);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(is_routable_kad_ip(0xCB00710Au));   // 203.0.113.10: public for aMule
  EXPECT_TRUE(is_routable_kad_ip(0x64400101u));   // 100.64.1.1
  EXPECT_FALSE(is_routable_kad_ip(0x0A000001u));  // 10.0.0.1
  RoutingTable lan(kOwn, true);
  EXPECT_EQ(lan.add(contact(id_with_prefix(0, 0, 2), 2, 0xC0A84D0Au), 0, false, now), AddOutcome::added);
}

TEST(KadRoutingTable, OneContactPerIpAndTheFirstKeyStays)
{
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  const Contact a = contact(id_with_prefix(1, 1, 1), 1);
  EXPECT_EQ(t.add(a, 0x1111, false, now), AddOutcome::added);
  EXPECT_EQ(t.find(a.id)->type, 3);  // new
  Contact same_ip = contact(id_with_prefix(1, 1, 2), 2, a.ip);
  EXPECT_EQ(t.add(same_ip, 0, false, now), AddOutcome::refused_ip_limit);
  EXPECT_EQ(t.add(a, 0x2222, false, now), AddOutcome::refused_key);  // anti-hijack
  EXPECT_EQ(t.add(a, 0x1111, true, now + std::chrono::minutes(5)), AddOutcome::updated);
  const RoutingEntry* e = t.find(a.id);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->verified);
  EXPECT_EQ(e->type, 2);  // seen alive again within the hour
  EXPECT_TRUE(t.knows_ip(a.ip));
  EXPECT_TRUE(t.remove(a.id));
  EXPECT_FALSE(t.knows_ip(a.ip));
  EXPECT_EQ(t.size(), 0u);
}

TEST(KadRoutingTable, FarZonesHoldOneBucketNearZonesSplit)
{
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  // 100 contacts all in one far zone (distance 1000...): that zone is at
  // level 4 with index 8 >= KK, so it cannot split: K of them stay.
  std::size_t far_added = 0;
  for (std::uint32_t n = 0; n < 100; ++n)
    if (t.add(contact(id_with_prefix(0b1000, 4, n), n), 0, false, now) == AddOutcome::added) ++far_added;
  EXPECT_EQ(far_added, kBucketSize);
  // 100 contacts close to us (distance 0000 0...): those zones keep splitting.
  std::size_t near_added = 0;
  for (std::uint32_t n = 100; n < 200; ++n)
    if (t.add(contact(id_with_prefix(0, 5, n), n), 0, false, now) == AddOutcome::added) ++near_added;
  EXPECT_GT(near_added, 3 * kBucketSize);
  EXPECT_GT(t.bucket_count(), 5u);
  EXPECT_EQ(t.size(), far_added + near_added);
  for (const std::size_t n : t.bucket_sizes()) EXPECT_LE(n, kBucketSize);
}

TEST(KadRoutingTable, SubnetLimitsPerBucketAndOverall)
{
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  // Three in one /24, all in the root bin: the third is refused.
  EXPECT_EQ(t.add(contact(id_with_prefix(0b1000, 4, 1), 0, 0x64400101u), 0, false, now), AddOutcome::added);
  EXPECT_EQ(t.add(contact(id_with_prefix(0b0100, 4, 2), 0, 0x64400102u), 0, false, now), AddOutcome::added);
  EXPECT_EQ(t.add(contact(id_with_prefix(0b0010, 4, 3), 0, 0x64400103u), 0, false, now), AddOutcome::refused_ip_limit);
  // Others, so that the tree splits (the root splits only when full): 4
  // in each of the 16 zones of the first 4 distance bits leave 8 bins of
  // 8 at level 3 (a bin splits only when it holds 10).
  for (std::uint32_t n = 0; n < 64; ++n) t.add(contact(id_with_prefix(n % 16, 4, 100 + n), 100 + n), 0, false, now);
  ASSERT_EQ(t.size(), 66u);
  ASSERT_EQ(t.bucket_count(), 8u);
  // Spread over the bins (2 each), the /24 stops at 10 in the table.
  std::size_t in_subnet = 2;
  for (std::uint32_t n = 0; n < 48; ++n) {
    if (t.add(contact(id_with_prefix(n % 16, 4, 1000 + n), 0, 0x64400110u + n), 0, false, now) == AddOutcome::added)
      ++in_subnet;
  }
  EXPECT_EQ(in_subnet, 10u);
  std::size_t counted = 0;
  for (const RoutingEntry& e : t.all())
    if ((e.contact.ip & 0xFFFFFF00u) == 0x64400100u) ++counted;
  EXPECT_EQ(counted, 10u);
}

TEST(KadRoutingTable, ListedContactsNeverChangeWhatWeHave)
{
  // aMule adds contacts from BOOTSTRAP_RES/KADEMLIA2_RES with update=false:
  // a hostile list can neither move a contact nor make it look alive.
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  const Contact a = contact(id_with_prefix(1, 1, 1), 1);
  EXPECT_EQ(t.add_listed(a, now), AddOutcome::added);
  EXPECT_FALSE(t.find(a.id)->verified);
  Contact moved = a;
  moved.ip = 0x64409901u;
  EXPECT_EQ(t.add_listed(moved, now + std::chrono::minutes(1)), AddOutcome::already_known);
  EXPECT_EQ(t.find(a.id)->contact.ip, a.ip);
  EXPECT_EQ(t.find(a.id)->type, 3);  // not "seen alive again"
  EXPECT_EQ(t.add_saved(a, 0x77, 0x01020304u, true, now), AddOutcome::already_known);
  // From nodes.dat: its key and flag kept.
  const Contact b = contact(id_with_prefix(1, 1, 2), 2);
  EXPECT_EQ(t.add_saved(b, 0x77, 0x01020304u, true, now), AddOutcome::added);
  EXPECT_EQ(t.find(b.id)->udp_key, 0x77u);
  EXPECT_EQ(t.find(b.id)->key_ip, 0x01020304u);
  EXPECT_TRUE(t.find(b.id)->verified);
}

TEST(KadRoutingTable, OnlyAnUnprovenKeylessContactMovesAndNeverIntoAFullSubnet)
{
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  const Contact keyed = contact(id_with_prefix(1, 1, 1), 1);
  t.add(keyed, 0x1111, false, now);
  Contact elsewhere = keyed;
  elsewhere.ip = 0x64409901u;
  EXPECT_EQ(t.add(elsewhere, 0, false, now), AddOutcome::refused_ip_limit);  // a keyless update cannot move it
  EXPECT_EQ(t.find(keyed.id)->contact.ip, keyed.ip);
  // A keyless one may move, but not into a /24 that already has 2 in its bin.
  const Contact loose = contact(id_with_prefix(1, 1, 2), 2);
  t.add(loose, 0, false, now);
  t.add(contact(id_with_prefix(1, 1, 3), 3, 0x64407701u), 0, false, now);
  t.add(contact(id_with_prefix(1, 1, 4), 4, 0x64407702u), 0, false, now);
  Contact crowded = loose;
  crowded.ip = 0x64407703u;
  EXPECT_EQ(t.add(crowded, 0, false, now), AddOutcome::refused_ip_limit);
  Contact free = loose;
  free.ip = 0x64408801u;
  EXPECT_EQ(t.add(free, 0, false, now), AddOutcome::updated);
  EXPECT_EQ(t.find(loose.id)->contact.ip, 0x64408801u);
  // The version is never lowered.
  Contact older = free;
  older.version = 6;
  t.add(older, 0, false, now);
  EXPECT_EQ(t.find(loose.id)->contact.version, 8);
}

TEST(KadRoutingTable, ClosestContactsAndWhatAmuleWouldHandOut)
{
  RoutingTable t(kOwn);
  const auto now = Clock::now();
  std::vector<Contact> all;
  for (std::uint32_t n = 0; n < 30; ++n) {
    all.push_back(contact(id_with_prefix(n % 16, 4, n), n));
    t.add(all.back(), 0, false, now);
  }
  const KadId target = all[7].id;
  const auto closest = t.closest_to(target, 5, false);
  ASSERT_EQ(closest.size(), 5u);
  EXPECT_EQ(closest[0].contact.id, target);
  for (std::size_t i = 1; i < closest.size(); ++i)
    EXPECT_TRUE((closest[i - 1].contact.id ^ target) < (closest[i].contact.id ^ target));
  // None is proven yet: aMule would hand out none of them.
  EXPECT_TRUE(t.closest_to(target, 5, true).empty());
  // Verified and seen alive again: handed out.
  t.add(all[3], 0, true, now);
  const auto proven = t.closest_to(target, 5, true);
  ASSERT_EQ(proven.size(), 1u);
  EXPECT_EQ(proven[0].contact.id, all[3].id);
  // Bootstrap answers are bounded.
  EXPECT_EQ(t.bootstrap_contacts(20).size(), 20u);
}

// Routing-table upkeep as aMule's minute timer does it (CRoutingZone::OnSmallTimer).
namespace {

TEST(KadRoutingUpkeep, ANewContactIsAskedAtTheNextRoundAndRemovedAfterTwoSilentAsks)
{
  RoutingTable t(kOwn);
  const Clock::time_point t0{};
  const KadId id = id_with_prefix(1, 1, 1);
  ASSERT_EQ(t.add_listed(contact(id, 1), t0), AddOutcome::added);
  std::size_t removed = 0;
  auto asked = t.upkeep(t0 + std::chrono::seconds(60), removed);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].contact.id, id);
  EXPECT_EQ(t.find(id)->type, 4);  // 3 (new) + one ask
  // Within its 2 minutes: neither asked again nor removed.
  EXPECT_TRUE(t.upkeep(t0 + std::chrono::seconds(120), removed).empty());
  EXPECT_EQ(removed, 0u);
  EXPECT_EQ(t.size(), 1u);
  // Silent past them: removed.
  EXPECT_TRUE(t.upkeep(t0 + std::chrono::seconds(181), removed).empty());
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(t.size(), 0u);
}

TEST(KadRoutingUpkeep, AnAnswerTypesItByAgeAndItIsLeftAloneForAnHour)
{
  RoutingTable t(kOwn);
  const Clock::time_point t0{};
  const KadId id = id_with_prefix(1, 1, 2);
  const Contact c = contact(id, 2);
  ASSERT_EQ(t.add_listed(c, t0), AddOutcome::added);
  std::size_t removed = 0;
  ASSERT_EQ(t.upkeep(t0 + std::chrono::seconds(60), removed).size(), 1u);
  ASSERT_EQ(t.add(c, 0, true, t0 + std::chrono::seconds(61)), AddOutcome::updated);  // its HELLO_RES
  EXPECT_EQ(t.find(id)->type, 2);
  EXPECT_TRUE(t.upkeep(t0 + std::chrono::minutes(30), removed).empty());
  EXPECT_TRUE(t.upkeep(t0 + std::chrono::minutes(61), removed).empty());
  // An hour after its answer it is asked again, one step lower.
  const auto again = t.upkeep(t0 + std::chrono::minutes(62), removed);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(t.find(id)->type, 3);
  EXPECT_EQ(removed, 0u);
}

TEST(KadRoutingUpkeep, OnePerZoneTheLongestSilentFirst)
{
  RoutingTable t(kOwn);
  const Clock::time_point t0{};
  // Two contacts in the same (root) zone, heard at different times.
  const KadId a = id_with_prefix(1, 1, 3), b = id_with_prefix(1, 1, 4);
  ASSERT_EQ(t.add_listed(contact(a, 3), t0 + std::chrono::seconds(5)), AddOutcome::added);
  ASSERT_EQ(t.add_listed(contact(b, 4), t0), AddOutcome::added);
  std::size_t removed = 0;
  const auto first = t.upkeep(t0 + std::chrono::seconds(60), removed);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].contact.id, b);
  const auto second = t.upkeep(t0 + std::chrono::seconds(120), removed);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].contact.id, a);
}

}  // namespace
