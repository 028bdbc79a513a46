// HOST:PORT targets (proxy/target.hpp). Properties: what parses has a port
// 1..65535 and a host of 1..255 bytes, names have no ':' and do not start
// with '['; printing a target and parsing it again gives the same target;
// an address literal is never read out of text with a NUL byte in it (the
// C string inet_pton sees would end there); the address parsers print back
// to the same address.
// ctest: -runs=300000 -max_len=300
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.hpp"
#include "proxy/target.hpp"

using namespace mulenet::proxy;

namespace {

bool same(const Target& a, const Target& b) { return a.host == b.host && a.port == b.port; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = mulenet::fuzz::text(data, size);
  const bool has_nul = text.find('\0') != std::string_view::npos;

  if (const auto v4 = parse_ipv4(text)) {
    FUZZ_CHECK(!has_nul, "parse_ipv4 must not read an address out of text with a NUL byte");
    const Target t{*v4, 1};
    const auto again = parse_ipv4(t.host_text());
    FUZZ_CHECK(again && *again == *v4, "an IPv4 address prints back to itself");
  }
  if (const auto v6 = parse_ipv6(text)) {
    FUZZ_CHECK(!has_nul, "parse_ipv6 must not read an address out of text with a NUL byte");
    const Target t{*v6, 1};
    const auto again = parse_ipv6(t.host_text());
    FUZZ_CHECK(again && *again == *v6, "an IPv6 address prints back to itself");
  }

  const auto target = parse_target(text);
  if (!target) return 0;
  FUZZ_CHECK(target->port >= 1, "the port is 1..65535");
  if (const auto* name = std::get_if<std::string>(&target->host)) {
    FUZZ_CHECK(!name->empty() && name->size() <= 255, "a name has 1..255 bytes");
    FUZZ_CHECK(name->find(':') == std::string::npos, "a name has no ':' (IPv6 needs brackets)");
    FUZZ_CHECK(name->front() != '[', "a name does not start with '['");
  } else {
    FUZZ_CHECK(!has_nul, "parse_target must not read an address out of text with a NUL byte");
  }
  const std::string printed = target->str();
  const auto again = parse_target(printed);
  FUZZ_CHECK(again && same(*again, *target), "parse_target(t.str()) == t");
  FUZZ_CHECK(same(make_target(target->host_text(), target->port), *target), "make_target(host_text, port) == t");
  return 0;
}
