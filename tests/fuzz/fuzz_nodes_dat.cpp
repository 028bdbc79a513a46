// nodes.dat and preferencesKad.dat (kad/nodes_dat.hpp, kad/kad_prefs.hpp).
// Properties: a failure says why; what parses keeps only Kad2 contacts and
// is written (version 2) to bytes that parse to the same contacts (up to
// the 200 written); preferencesKad.dat gives a non-zero ID that survives a
// round trip.
// ctest: -runs=200000 -max_len=4096
#include "fuzz_check.hpp"
#include "kad/kad_prefs.hpp"
#include "kad/nodes_dat.hpp"

using namespace mulenet::kad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const ByteView in(data, size);
  if (const auto p = parse_preferences_kad(in)) {
    FUZZ_CHECK(!p->id.is_zero(), "no zero ID");
    const auto again = parse_preferences_kad(serialize_preferences_kad(*p));
    FUZZ_CHECK(again && again->id == p->id && again->ip == p->ip, "preferencesKad.dat round trip");
  }
  const auto dat = parse_nodes_dat(in);
  if (!dat) {
    FUZZ_CHECK(!dat.error.empty(), "a failed parse says why");
    return 0;
  }
  for (const auto& e : dat.value->entries) FUZZ_CHECK(e.contact.version > 1, "only Kad2 contacts kept");
  const auto back = parse_nodes_dat(serialize_nodes_dat(dat.value->entries));
  FUZZ_CHECK(back, "what we write parses");
  const std::size_t n = std::min(dat.value->entries.size(), kNodesDatWriteLimit);
  FUZZ_CHECK(back.value->entries.size() == n, "as many contacts as written");
  for (std::size_t i = 0; i < n; ++i)
    FUZZ_CHECK(back.value->entries[i].contact == dat.value->entries[i].contact, "the same contacts");
  return 0;
}
