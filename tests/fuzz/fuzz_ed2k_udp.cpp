// The server status answer over UDP (ed2k/server_udp_messages.hpp).
// Properties: a failure says why; what parses came in a datagram starting
// E3 97 with at least 14 bytes, and its fields are the bytes they come from.
// ctest: -runs=200000 -max_len=128
#include "ed2k/server_udp_messages.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::ed2k;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto s = decode_status_response(ByteView(data, size));
  if (!s) {
    FUZZ_CHECK(!s.error.empty(), "a failure says why");
    return 0;
  }
  FUZZ_CHECK(size >= 14 && data[0] == 0xE3 && data[1] == 0x97, "only a status answer parses");
  WireReader r(ByteView(data + 2, size - 2));
  FUZZ_CHECK(r.u32() == s.value->challenge && r.u32() == s.value->users && r.u32() == s.value->files,
             "fields are their bytes");
  FUZZ_CHECK(s.value->max_users.has_value() == (size >= 18), "max_users exactly when its 4 bytes are there");
  return 0;
}
