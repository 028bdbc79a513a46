// The Kad routing table and the lookup bookkeeping (kad/routing_table.hpp,
// kad/node_lookup_state.hpp) driven by hostile contact lists: what other
// nodes send us in BOOTSTRAP_RES / KADEMLIA2_RES and HELLOs. The input is a
// sequence of records: op(1) contact(25) key(4).
// Properties: the table never holds our own ID, two contacts on one IP,
// more than K per bucket, or an entry it cannot find again; size() is what
// all() lists; closest_to is sorted by distance; a lookup never has more than
// ALPHA questions out, never asks one node twice, stays within its query
// budget, and ends.
// ctest: -runs=100000 -max_len=4096
#include <algorithm>
#include <set>

#include "fuzz_check.hpp"
#include "kad/node_lookup_state.hpp"
#include "kad/routing_table.hpp"

using namespace mulenet::kad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  KadId own;
  own.wire.fill(0x5A);
  RoutingTable table(own, (size & 1) != 0);
  NodeLookupState lookup(own, KadId{}, kBucketSize, kLookupAlpha, 16);
  std::set<KadId> asked;
  auto now = std::chrono::steady_clock::time_point{};
  constexpr std::size_t kRecord = 1 + kContactSize + 4;
  for (std::size_t at = 0; at + kRecord <= size; at += kRecord) {
    const std::uint8_t op = data[at];
    mulenet::ed2k::WireReader r(ByteView(data + at + 1, kContactSize + 4));
    const Contact c = read_contact(r);
    const std::uint32_t key = r.u32();
    now += std::chrono::minutes(op >> 4);
    switch (op & 0x7) {
      case 0:
        if ((op & 0x08) != 0) table.add_listed(c, now);
        else table.add(c, key, false, now);
        break;
      case 1: table.add(c, key, true, now); break;
      case 2: table.mark_verified(c.id, c.ip); break;
      case 3: table.remove(c.id); break;
      case 4: lookup.seed({c}); break;
      case 5:
        for (const Contact& n : lookup.next()) {
          FUZZ_CHECK(asked.insert(n.id).second, "a lookup never asks a node twice");
        }
        break;
      case 6: {
        // The first node in flight answers with this contact (and our own ID, to be left out).
        for (const auto& cand : lookup.candidates()) {
          if (cand.step != NodeLookupState::Step::asked) continue;
          Contact self = c;
          self.id = own;
          lookup.answered(cand.contact.id, {c, self}, kLookupWanted);
          break;
        }
        break;
      }
      default:
        for (const auto& cand : lookup.candidates())
          if (cand.step == NodeLookupState::Step::asked) {
            lookup.failed(cand.contact.id);
            break;
          }
        break;
    }
    FUZZ_CHECK(lookup.in_flight() <= kLookupAlpha, "at most ALPHA questions out");
    FUZZ_CHECK(lookup.queries() <= 16, "the query budget holds");
  }
  const auto all = table.all();
  FUZZ_CHECK(all.size() == table.size(), "size() is what all() lists");
  for (const std::size_t n : table.bucket_sizes()) FUZZ_CHECK(n <= kBucketSize, "no bucket holds more than K");
  std::set<std::uint32_t> ips;
  for (const RoutingEntry& e : all) {
    FUZZ_CHECK(e.contact.id != own, "never our own ID");
    FUZZ_CHECK(ips.insert(e.contact.ip).second, "one contact per IP");
    FUZZ_CHECK(table.find(e.contact.id) != nullptr, "every entry can be found");
  }
  KadId target;
  if (size >= 16) std::copy_n(data, 16, target.wire.begin());
  const auto closest = table.closest_to(target, 11, false);
  for (std::size_t i = 1; i < closest.size(); ++i)
    FUZZ_CHECK(!((closest[i].contact.id ^ target) < (closest[i - 1].contact.id ^ target)), "closest first");
  for (const auto& cand : lookup.candidates()) FUZZ_CHECK(cand.contact.id != own, "the lookup never lists us");
  // A lookup ends: with every question answered or failed, it is done or has more to ask.
  for (int i = 0; i < 64 && !lookup.done(); ++i) {
    for (const auto& cand : lookup.candidates())
      if (cand.step == NodeLookupState::Step::asked) lookup.failed(cand.contact.id);
    (void)lookup.next();
  }
  FUZZ_CHECK(lookup.done(), "a lookup ends");
  return 0;
}
