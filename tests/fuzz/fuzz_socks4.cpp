// SOCKS4 replies (proxy/socks4_codec.hpp): the incremental contract of reply
// parsers; a complete reply is 8 bytes and says "granted". The encoders get
// the input as host name and user ID: SOCKS4a refuses names it cannot send,
// and the user ID always ends at its first NUL.
// ctest: -runs=100000 -max_len=300
#include <algorithm>
#include <string_view>

#include "fuzz_check.hpp"
#include "incremental.hpp"
#include "proxy/socks4_codec.hpp"

using namespace mulenet::proxy;

namespace {

bool sent_as_given(socks4::Bytes::const_iterator first, socks4::Bytes::const_iterator last, std::string_view text)
{
  return std::equal(first, last, text.begin(),
                    [](std::uint8_t byte, char c) { return byte == static_cast<unsigned char>(c); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const socks4::ByteView in = mulenet::fuzz::bytes(data, size);
  const auto reply = mulenet::fuzz::check_incremental(in, [](socks4::ByteView b) { return socks4::parse_reply(b); },
                                                      [](bool a, bool b) { return a == b; });
  if (reply.status == ParseStatus::complete) {
    FUZZ_CHECK(reply.consumed == 8 && reply.value, "a SOCKS4 reply is 8 bytes and says granted");
    FUZZ_CHECK(in[1] == 90, "only code 90 grants");
  }

  // The encoders, with the input as the host name and as the user ID.
  const std::string_view text = mulenet::fuzz::text(data, size);
  const std::uint16_t port = size >= 2 ? static_cast<std::uint16_t>(data[0] << 8 | data[1]) : 1080;
  const socks4::Bytes plain = socks4::encode_connect({1, 2, 3, 4}, port, text);
  const std::size_t id_size = std::min(text.find('\0'), text.size());
  FUZZ_CHECK(plain.size() == 8 + id_size + 1 && plain.back() == 0, "the user ID ends at its first NUL");
  FUZZ_CHECK(plain[2] == (port >> 8) && plain[3] == (port & 0xFF), "the port is big-endian");
  FUZZ_CHECK(sent_as_given(plain.begin() + 8, plain.end() - 1, text), "the user ID is sent as given");

  const auto named = socks4::encode_connect_4a(text, port, "user");
  const bool sendable = !text.empty() && text.size() <= 255 && text.find('\0') == std::string_view::npos;
  FUZZ_CHECK(named.has_value() == sendable, "SOCKS4a refuses exactly the names it cannot send");
  if (named) {
    FUZZ_CHECK(named->size() == 8 + 5 + text.size() + 1, "SOCKS4a: header, user ID, NUL, name, NUL");
    FUZZ_CHECK((*named)[4] == 0 && (*named)[5] == 0 && (*named)[6] == 0 && (*named)[7] == 1,
               "SOCKS4a sends 0.0.0.1 as the address");
    FUZZ_CHECK(sent_as_given(named->begin() + 13, named->end() - 1, text), "the name is sent as given");
  }
  return 0;
}
