// PCP responses (portmap/pcp/pcp_codec.hpp parse_response, with answers())
// and the nonce's hex form (pcp_nonce.hpp). Properties: a failure says why;
// what parses is a version-2 response of 24..1100 bytes, a multiple of 4,
// with the R bit, answering ANNOUNCE or MAP; its header and MAP body are the
// bytes received; the options, laid end to end with their padding, cover the
// rest of the datagram exactly, each with the data it carries and the RFC
// 6887 length for the codes it defines; answers() holds for the request the
// MAP body describes and not with another nonce, protocol or port; a nonce
// goes to hex and back unchanged, and the hex the codec accepts is 24 hex
// digits that nonce_to_hex writes back in lower case.
// ctest: -runs=150000 -max_len=1200
#include <algorithm>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "portmap/pcp/pcp_codec.hpp"
#include "portmap/pcp/pcp_nonce.hpp"

using namespace mulenet::portmap::pcp;

namespace {

std::uint16_t get16(ByteView in, std::size_t at) { return static_cast<std::uint16_t>((in[at] << 8) | in[at + 1]); }

std::uint32_t get32(ByteView in, std::size_t at)
{
  return (std::uint32_t{in[at]} << 24) | (std::uint32_t{in[at + 1]} << 16) | (std::uint32_t{in[at + 2]} << 8) |
         std::uint32_t{in[at + 3]};
}

bool same_bytes(ByteView in, std::size_t at, const std::uint8_t* begin, std::size_t n)
{
  return at + n <= in.size() && std::equal(begin, begin + n, in.begin() + static_cast<std::ptrdiff_t>(at));
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void check_nonce_round_trip(const Nonce& nonce)
{
  const std::string hex = nonce_to_hex(nonce);
  FUZZ_CHECK(hex.size() == 24, "a nonce is 24 hex digits");
  FUZZ_CHECK(std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }),
             "nonce_to_hex writes lowercase hex digits");
  const auto back = nonce_from_hex(hex);
  FUZZ_CHECK(back && *back == nonce, "nonce_from_hex(nonce_to_hex(n)) == n");
  std::string upper = hex;
  for (char& c : upper)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  const auto back_upper = nonce_from_hex(upper);
  FUZZ_CHECK(back_upper && *back_upper == nonce, "upper-case hex reads as the same nonce");
}

void check_hex_text(std::string_view text)
{
  const auto nonce = nonce_from_hex(text);
  const bool expected = text.size() == 24 && std::all_of(text.begin(), text.end(), is_hex);
  FUZZ_CHECK(nonce.has_value() == expected, "nonce_from_hex accepts exactly 24 hex digits");
  if (!nonce) return;
  std::string lowered(text);
  for (char& c : lowered) c = lower(c);
  FUZZ_CHECK(nonce_to_hex(*nonce) == lowered, "the hex read writes back as itself, in lower case");
}

void check_answers(const Response& r)
{
  MapRequest request;
  if (r.map) {
    request.nonce = r.map->nonce;
    request.protocol = static_cast<Protocol>(r.map->protocol);
    request.internal_port = r.map->internal_port;
  }
  const bool yes = answers(request, r);
  FUZZ_CHECK(yes == (r.opcode == Opcode::map && r.map.has_value()),
             "a MAP response with a body answers the request with its nonce, protocol and port");
  if (!r.map) return;
  MapRequest other_nonce = request;
  other_nonce.nonce[11] = static_cast<std::uint8_t>(other_nonce.nonce[11] ^ 1);
  FUZZ_CHECK(!answers(other_nonce, r), "a response does not answer a request with another nonce");
  MapRequest other_port = request;
  other_port.internal_port = static_cast<std::uint16_t>(request.internal_port + 1);
  FUZZ_CHECK(!answers(other_port, r), "a response does not answer a request for another internal port");
  MapRequest other_protocol = request;
  other_protocol.protocol = static_cast<Protocol>(static_cast<std::uint8_t>(r.map->protocol + 1));
  FUZZ_CHECK(!answers(other_protocol, r), "a response does not answer a request for another protocol");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const ByteView in = mulenet::fuzz::bytes(data, size);
  check_hex_text(mulenet::fuzz::text(data, size));
  if (size >= 12) {
    Nonce n{};
    std::copy_n(data, n.size(), n.begin());
    check_nonce_round_trip(n);
  }

  const auto parsed = parse_response(in);
  if (!parsed) {
    FUZZ_CHECK(!parsed.detail.empty(), "a datagram that does not parse has an explanation");
    FUZZ_CHECK(errc_name(parsed.error) != "ok" && errc_name(parsed.error) != "unknown", "a failure has a name");
    if (size >= 4) FUZZ_CHECK(parsed.version == in[0], "a failure reports the version byte received");
    if (size >= 4 && in[0] == 0 && size <= 16)
      FUZZ_CHECK(parsed.error == Errc::natpmp_only, "a short version-0 reply is NAT-PMP's");
    return 0;
  }
  const Response& r = parsed.value;
  FUZZ_CHECK(in[0] == kVersion && parsed.version == kVersion, "a PCP response is version 2");
  FUZZ_CHECK(in.size() >= kHeaderSize && in.size() <= kMaxMessageSize && in.size() % 4 == 0,
             "a response is 24..1100 bytes, a multiple of 4");
  FUZZ_CHECK((in[1] & kResponseBit) != 0, "a response has the R bit");
  FUZZ_CHECK(static_cast<std::uint8_t>(r.opcode) == (in[1] & ~kResponseBit) &&
                 (r.opcode == Opcode::announce || r.opcode == Opcode::map),
             "the opcode is the one received, ANNOUNCE or MAP");
  FUZZ_CHECK(static_cast<std::uint8_t>(r.result) == in[3], "the result code is the one received");
  FUZZ_CHECK(r.lifetime_seconds == get32(in, 4) && r.epoch_seconds == get32(in, 8),
             "the lifetime and epoch are the ones received");
  FUZZ_CHECK(!result_name(r.result).empty() && !result_message(r.result).empty(), "every result has a name and message");

  std::size_t pos = kHeaderSize;
  if (r.opcode == Opcode::map) {
    FUZZ_CHECK(r.map.has_value() == (in.size() >= kHeaderSize + kMapBodySize),
               "a MAP response has its body exactly when the datagram holds one");
    FUZZ_CHECK(r.map || !r.ok(), "a MAP success always has its body");
  } else {
    FUZZ_CHECK(!r.map, "only a MAP response has a MAP body");
  }
  if (r.map) {
    const MapResult& m = *r.map;
    FUZZ_CHECK(same_bytes(in, pos, m.nonce.data(), m.nonce.size()), "the nonce is the one received");
    FUZZ_CHECK(m.protocol == in[pos + 12] && m.internal_port == get16(in, pos + 16) &&
                   m.external_port == get16(in, pos + 18),
               "the protocol and ports are the ones received");
    FUZZ_CHECK(same_bytes(in, pos + 20, m.external_address.data(), m.external_address.size()),
               "the external address is the one received");
    if (const auto v4 = m.external_ipv4()) {
      FUZZ_CHECK(ipv4_mapped(*v4) == m.external_address, "an IPv4 external address is IPv4-mapped");
    }
    check_nonce_round_trip(m.nonce);
    pos += kMapBodySize;
  }
  if (r.opcode == Opcode::map && !r.map) {
    FUZZ_CHECK(r.options.empty(), "a cut MAP error carries no options");
  } else {
    for (const Option& o : r.options) {
      FUZZ_CHECK(pos + kOptionHeaderSize <= in.size(), "every option lies inside the datagram");
      FUZZ_CHECK(o.code == in[pos] && o.data.size() == get16(in, pos + 2), "an option's code and length are its header's");
      FUZZ_CHECK(same_bytes(in, pos + kOptionHeaderSize, o.data.data(), o.data.size()),
                 "an option's data is the bytes after its header");
      if (o.code == 1) FUZZ_CHECK(o.data.size() == 16, "THIRD_PARTY carries 16 bytes");
      if (o.code == 2) FUZZ_CHECK(o.data.empty(), "PREFER_FAILURE carries nothing");
      if (o.code == 3) FUZZ_CHECK(o.data.size() == 20, "FILTER carries 20 bytes");
      pos += kOptionHeaderSize + (o.data.size() + 3) / 4 * 4;
    }
    FUZZ_CHECK(pos == in.size(), "the options, with their padding, end where the datagram ends");
  }
  for (const OptionCode code : {OptionCode::third_party, OptionCode::prefer_failure, OptionCode::filter}) {
    const bool listed = std::any_of(r.options.begin(), r.options.end(),
                                    [code](const Option& o) { return o.code == static_cast<std::uint8_t>(code); });
    FUZZ_CHECK(r.has_option(code) == listed, "has_option says whether the option is listed");
  }
  check_answers(r);
  return 0;
}
