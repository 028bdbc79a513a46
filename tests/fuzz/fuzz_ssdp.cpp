// SSDP datagrams (portmap/upnp/ssdp.hpp parse_datagram). Properties: a
// failure says why, and a datagram over 8 KiB is too_large; a search response
// started with "HTTP/" and has no NTS, a NOTIFY did not; what a usable
// message needs is there (a LOCATION, or a USN for ssdp:byebye); the header
// values kept are trimmed and hold no line break or NUL (they end up in
// logs, and LOCATION in a request); a datagram with bare LF line endings
// reads as the same datagram with CRLF.
// ctest: -runs=40000 -max_len=1400
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "portmap/upnp/ssdp.hpp"

using namespace mulenet::portmap::upnp;

namespace {

bool trimmed_one_line(std::string_view s)
{
  if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t')) return false;
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool same(const ssdp::Message& a, const ssdp::Message& b)
{
  return a.kind == b.kind && a.nts == b.nts && a.location == b.location && a.target == b.target && a.usn == b.usn &&
         a.server == b.server && a.max_age == b.max_age && a.boot_id == b.boot_id && a.config_id == b.config_id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view in = mulenet::fuzz::text(data, size);
  const auto r = ssdp::parse_datagram(in);
  if (in.size() > ssdp::kMaxDatagramBytes) FUZZ_CHECK(!r && r.error == CodecErrc::too_large, "over 8 KiB is too_large");
  if (!r) {
    FUZZ_CHECK(!r.detail.empty(), "a datagram that does not parse has an explanation");
  } else {
    const ssdp::Message& m = r.value;
    if (m.kind == ssdp::MessageKind::search_response) {
      FUZZ_CHECK(in.starts_with("HTTP/"), "a search response is an HTTP response");
      FUZZ_CHECK(m.nts == ssdp::NotifySubtype::none, "a search response has no NTS");
    } else {
      FUZZ_CHECK(!in.starts_with("HTTP/"), "a NOTIFY is a request");
    }
    if (m.kind == ssdp::MessageKind::notify && m.nts == ssdp::NotifySubtype::byebye) {
      FUZZ_CHECK(!m.usn.empty(), "an ssdp:byebye has a USN");
    } else {
      FUZZ_CHECK(!m.location.empty(), "a usable message has a LOCATION");
    }
    for (const std::string* value : {&m.location, &m.target, &m.usn, &m.server})
      FUZZ_CHECK(trimmed_one_line(*value), "header values are trimmed, on one line, without NUL");
  }

  // Bare LF line endings are read as CRLF.
  if (in.find('\r') == std::string_view::npos && in.find('\n') != std::string_view::npos) {
    std::string crlf;
    for (const char c : in) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    if (crlf.size() <= ssdp::kMaxDatagramBytes) {
      const auto again = ssdp::parse_datagram(crlf);
      FUZZ_CHECK(again.ok == r.ok, "LF and CRLF line endings parse alike");
      if (r) FUZZ_CHECK(same(again.value, r.value), "LF and CRLF line endings give the same message");
      else FUZZ_CHECK(again.error == r.error, "LF and CRLF line endings fail alike");
    }
  }
  return 0;
}
