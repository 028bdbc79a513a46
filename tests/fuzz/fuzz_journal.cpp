// The mapping journal (portmap/journal.hpp parse_journal and
// serialize_journal). Properties: parsing never throws and explains what it
// drops; a mapping read has a known protocol and "via" and ports 1..65535;
// serialize_journal(parse_journal(x)) parses back, without a warning, to the
// same mappings field by field, and serializing those again gives the same
// text.
// ctest: -runs=70000 -max_len=2048
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "portmap/journal.hpp"

using namespace mulenet::portmap;

namespace {

bool same(const Mapping& a, const Mapping& b)
{
  return a.via == b.via && a.protocol == b.protocol && a.internal_port == b.internal_port &&
         a.external_port == b.external_port && a.internal_client == b.internal_client && a.gateway == b.gateway &&
         a.lease_seconds == b.lease_seconds && a.name == b.name && a.pcp_nonce_hex == b.pcp_nonce_hex &&
         a.upnp_control_url == b.upnp_control_url && a.upnp_service_type == b.upnp_service_type;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view in = mulenet::fuzz::text(data, size);
  std::vector<std::string> warnings;
  const Journal journal = parse_journal(in, warnings);
  for (const std::string& w : warnings) FUZZ_CHECK(!w.empty(), "a warning says something");
  for (const Mapping& m : journal.mappings) {
    FUZZ_CHECK(m.internal_port >= 1 && m.external_port >= 1, "a mapping's ports are 1..65535");
    FUZZ_CHECK(parse_via(to_string(m.via)) == m.via, "a mapping's via is a known one");
    FUZZ_CHECK(m.protocol == mulenet::config::Protocol::tcp || m.protocol == mulenet::config::Protocol::udp,
               "a mapping is TCP or UDP");
  }

  const std::string text = serialize_journal(journal);
  std::vector<std::string> warnings_again;
  const Journal again = parse_journal(text, warnings_again);
  if (mulenet::fuzz::verbose()) std::fprintf(stderr, "serialized: %s\n", mulenet::fuzz::quoted(text).c_str());
  FUZZ_CHECK(warnings_again.empty(), "a serialized journal parses without a warning");
  FUZZ_CHECK(again.mappings.size() == journal.mappings.size(), "a serialized journal keeps every mapping");
  for (std::size_t i = 0; i < journal.mappings.size(); ++i)
    FUZZ_CHECK(same(again.mappings[i], journal.mappings[i]), "serialize then parse gives the same mapping");
  FUZZ_CHECK(serialize_journal(again) == text, "serializing the journal read back gives the same text");
  return 0;
}
