// Proxy URLs (proxy/proxy_spec.hpp). Properties: a failure says why; what
// parses has a host and a port 1..65535; the password shows only as ***; a
// host with ':' in it was written in brackets (an IPv6 address needs them,
// as in parse_target: "socks5://::1" must not become host "::", port 1); and
// the URL written back from the spec (user and password percent-encoded,
// hosts with ':' in brackets, as redacted_url() writes it) parses to the
// same spec.
// ctest: -runs=200000 -max_len=300
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "proxy/proxy_spec.hpp"

using namespace mulenet::proxy;

namespace {

std::string percent_encode(std::string_view in)
{
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

// The URL of a spec, password included: redacted_url() with the password.
std::string url_of(const ProxySpec& spec)
{
  std::string url = std::string(scheme_of(spec.type)) + "://";
  if (spec.user) {
    url += percent_encode(*spec.user);
    if (spec.password) url += ":" + percent_encode(*spec.password);
    url += "@";
  }
  const bool v6 = spec.host.find(':') != std::string::npos;
  url += (v6 ? "[" + spec.host + "]" : spec.host) + ":" + std::to_string(spec.port);
  return url;
}

// Whether the URL writes its host in brackets: "scheme://[user@][host]...".
bool bracketed_host(std::string_view url)
{
  std::string_view rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  return rest.starts_with('[');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = mulenet::fuzz::text(data, size);
  std::string error;
  const auto spec = parse_proxy_url(text, error);
  if (!spec) {
    FUZZ_CHECK(!error.empty(), "a URL that does not parse has an error message");
    return 0;
  }
  FUZZ_CHECK(!spec->host.empty(), "a proxy has a host");
  FUZZ_CHECK(spec->port >= 1, "the port is 1..65535");
  FUZZ_CHECK(!spec->password || spec->user, "no password without a user");
  FUZZ_CHECK(spec->host.find(':') == std::string::npos || bracketed_host(text),
             "a host with ':' (an IPv6 address) must be written in brackets");

  const std::string redacted = spec->redacted_url();
  FUZZ_CHECK(redacted.starts_with(scheme_of(spec->type)), "the redacted URL has the scheme");
  FUZZ_CHECK((redacted.find(":***@") != std::string::npos) == spec->password.has_value(),
             "the password shows as *** exactly when there is one");

  const std::string written = url_of(*spec);
  std::string error_again;
  const auto again = parse_proxy_url(written, error_again);
  FUZZ_CHECK(again.has_value(), "the URL written back from a parsed spec parses");
  FUZZ_CHECK(again->type == spec->type && again->host == spec->host && again->port == spec->port &&
                 again->user == spec->user && again->password == spec->password,
             "the URL written back from a parsed spec parses to the same spec");
  return 0;
}
