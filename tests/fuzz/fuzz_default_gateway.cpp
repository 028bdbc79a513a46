// /proc/net/route (net/default_gateway.hpp). Properties: a gateway found has
// an interface name without blanks and a dotted-quad address that is not
// 0.0.0.0; and adding a default route with the highest metric after it, or
// a line of junk, does not change the answer.
// ctest: -runs=60000 -max_len=2048
#include <charconv>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "net/default_gateway.hpp"

using namespace mulenet::net;

namespace {

bool dotted_quad(std::string_view text)
{
  int parts = 0;
  while (true) {
    unsigned octet = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), octet);
    if (ec != std::errc{} || octet > 255 || end == text.data()) return false;
    ++parts;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (text.empty()) return parts == 4;
    if (text.front() != '.' || parts == 4) return false;
    text.remove_prefix(1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = mulenet::fuzz::text(data, size);
  const auto gateway = parse_default_gateway(text);
  if (!gateway) return 0;
  FUZZ_CHECK(!gateway->interface.empty(), "a gateway has an interface");
  FUZZ_CHECK(gateway->interface.find_first_of(" \t\n\v\f\r") == std::string::npos, "an interface name has no blanks");
  FUZZ_CHECK(dotted_quad(gateway->address), "the gateway is a dotted quad");
  FUZZ_CHECK(gateway->address != "0.0.0.0", "a gateway of 0.0.0.0 is no gateway");

  std::string more(text);
  if (!more.empty() && more.back() != '\n') more += '\n';
  more += "junk line\nworse0\t00000000\t0101A8C0\t0003\t0\t0\t9223372036854775807\t00000000\t0\t0\t0\n";
  const auto again = parse_default_gateway(more);
  FUZZ_CHECK(again && again->interface == gateway->interface && again->address == gateway->address,
             "a worse route or a junk line after it changes nothing");
  return 0;
}
