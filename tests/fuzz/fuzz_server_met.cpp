// server.met (ed2k/server_met.hpp) and preferences.dat (ed2k/user_hash.hpp).
// Properties: parse never fails without a reason, never reads past the data;
// what parses is written back to bytes that parse to the same servers and
// tags, and those bytes are a fixed point (written again identically);
// preferences.dat gives a marked hash or nothing.
// ctest: -runs=200000 -max_len=4096
#include "ed2k/server_met.hpp"
#include "ed2k/user_hash.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::ed2k;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const ByteView in(data, size);
  if (const auto hash = parse_preferences(in)) {
    FUZZ_CHECK((*hash)[5] == 14 && (*hash)[14] == 111, "a user hash is marked eMule-style");
  }
  const auto met = parse_server_met(in);
  if (!met) {
    FUZZ_CHECK(!met.error.empty(), "a failed parse says why");
    return 0;
  }
  const Bytes once = serialize_server_met(*met.value);
  const auto back = parse_server_met(once);
  FUZZ_CHECK(back, "what we write parses");
  FUZZ_CHECK(back.value->servers.size() == met.value->servers.size(), "the same number of servers");
  for (std::size_t i = 0; i < met.value->servers.size(); ++i) {
    FUZZ_CHECK(back.value->servers[i].address() == met.value->servers[i].address(), "the same addresses");
    FUZZ_CHECK(back.value->servers[i].tags.size() == met.value->servers[i].tags.size(), "the same tag counts");
    FUZZ_CHECK(back.value->servers[i].name() == met.value->servers[i].name(), "the same names");
  }
  FUZZ_CHECK(serialize_server_met(*back.value) == once, "writing is a fixed point");
  return 0;
}
