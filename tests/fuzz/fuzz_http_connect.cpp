// HTTP CONNECT replies (proxy/http_connect_codec.hpp, Boost.Beast's parser
// inside): the incremental contract of reply parsers; only a 2xx completes,
// its size is the header's (ending in the blank line) and never more than
// the input; the reason is the status line's. Both with and without
// credentials sent, which may only change the error code of a 401/407.
// ctest: -runs=10000 -max_len=16400
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "incremental.hpp"
#include "proxy/http_connect_codec.hpp"

using namespace mulenet::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const http_connect::ByteView in = mulenet::fuzz::bytes(data, size);
  const auto same = [](const http_connect::Reply& a, const http_connect::Reply& b) {
    return a.status == b.status && a.reason == b.reason;
  };
  const auto without = mulenet::fuzz::check_incremental(
      in, [](http_connect::ByteView b) { return http_connect::parse_reply(b, false); }, same);
  const auto with = mulenet::fuzz::check_incremental(
      in, [](http_connect::ByteView b) { return http_connect::parse_reply(b, true); }, same);

  FUZZ_CHECK(with.status == without.status, "credentials do not change whether a reply is complete");
  if (without.status == ParseStatus::complete) {
    FUZZ_CHECK(with.consumed == without.consumed && same(with.value, without.value),
               "credentials do not change a complete reply");
    FUZZ_CHECK(without.value.status >= 200 && without.value.status <= 299, "only a 2xx reply completes");
    const std::string_view header = mulenet::fuzz::text(data, without.consumed);
    FUZZ_CHECK(header.starts_with("HTTP/"), "a complete reply starts with HTTP/");
    FUZZ_CHECK(header.ends_with("\n"), "the header ends with its blank line");
    FUZZ_CHECK(header.size() <= http_connect::kMaxHeaderBytes, "no header beyond the limit");
    FUZZ_CHECK(header.find(without.value.reason) != std::string_view::npos, "the reason is from the status line");
  }
  if (without.status == ParseStatus::failed && without.error != with.error) {
    FUZZ_CHECK(without.error == ProxyErrc::no_acceptable_auth && with.error == ProxyErrc::auth_failed,
               "credentials only change a 401/407 failure");
  }
  if (size > 0 && data[0] != 'H') FUZZ_CHECK(without.status == ParseStatus::failed, "not HTTP/: fail at once");
  return 0;
}
