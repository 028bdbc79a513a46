// NAT-PMP responses (portmap/natpmp/natpmp_codec.hpp parse_response, with
// answers()). Properties: a failure says why; what parses is a version-0
// response of the size its kind and result allow (success: exactly 12 or 16
// bytes; error: 8 or the full size), and its fields are the bytes they come
// from (a whole success response is rebuilt byte for byte); answers() holds
// for the request the response describes and never for another protocol,
// another internal port or an external-address response; the PCP codec sees
// every NAT-PMP response as "natpmp_only" (the fallback the mapper relies on).
// ctest: -runs=400000 -max_len=64
#include <algorithm>
#include <string>

#include "fuzz_check.hpp"
#include "portmap/natpmp/natpmp_codec.hpp"
#include "portmap/pcp/pcp_codec.hpp"

using namespace mulenet::portmap::natpmp;

namespace {

std::uint16_t get16(ByteView in, std::size_t at) { return static_cast<std::uint16_t>((in[at] << 8) | in[at + 1]); }

std::uint32_t get32(ByteView in, std::size_t at)
{
  return (std::uint32_t{in[at]} << 24) | (std::uint32_t{in[at + 1]} << 16) | (std::uint32_t{in[at + 2]} << 8) |
         std::uint32_t{in[at + 3]};
}

void put16(Bytes& out, std::uint16_t v)
{
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put32(Bytes& out, std::uint32_t v)
{
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

// The datagram a router sends for `r` (the full size; RFC 6886 §3.2, §3.3).
Bytes encode_response(const Response& r)
{
  Bytes out{kVersion, static_cast<std::uint8_t>(static_cast<std::uint8_t>(r.opcode) | kResponseBit)};
  put16(out, static_cast<std::uint16_t>(r.result));
  put32(out, r.epoch_seconds);
  if (r.is_map()) {
    put16(out, r.internal_port);
    put16(out, r.external_port);
    put32(out, r.lifetime_seconds);
  } else {
    out.insert(out.end(), r.external_address.begin(), r.external_address.end());
  }
  return out;
}

void check_answers(const Response& r)
{
  for (const Protocol p : {Protocol::udp, Protocol::tcp}) {
    for (const std::uint16_t port : {std::uint16_t{0}, std::uint16_t{1}, r.internal_port,
                                     static_cast<std::uint16_t>(r.internal_port + 1)}) {
      const MapRequest request{p, port, 0, kRecommendedLifetime};
      const bool yes = answers(request, r);
      if (yes) {
        FUZZ_CHECK(r.is_map(), "only a map response answers a map request");
        FUZZ_CHECK(r.protocol() == p, "a response answers only requests of its protocol");
        FUZZ_CHECK(r.internal_port == 0 || r.internal_port == port,
                   "a response with an internal port answers only requests for that port");
      } else if (r.is_map() && r.protocol() == p) {
        FUZZ_CHECK(r.internal_port != 0 && r.internal_port != port,
                   "a map response answers the request for its protocol and internal port");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const ByteView in = mulenet::fuzz::bytes(data, size);
  const auto parsed = parse_response(in);
  if (!parsed) {
    FUZZ_CHECK(!parsed.detail.empty(), "a datagram that does not parse has an explanation");
    FUZZ_CHECK(!errc_name(parsed.error).empty() && errc_name(parsed.error) != "ok", "a failure has a name");
    return 0;
  }
  const Response& r = parsed.value;
  FUZZ_CHECK(in[0] == kVersion, "a NAT-PMP response is version 0");
  FUZZ_CHECK((in[1] & kResponseBit) != 0 || (in[1] == 0 && r.result == ResultCode::unsupported_version),
             "only the erratum-3618 'unsupported version' reply lacks the response bit");
  FUZZ_CHECK(static_cast<std::uint8_t>(r.opcode) == (in[1] & ~kResponseBit) && static_cast<std::uint8_t>(r.opcode) <= 2,
             "the opcode is the one received, and one we send");
  const std::size_t full = r.is_map() ? kMapResponseSize : kExternalAddressResponseSize;
  FUZZ_CHECK(r.ok() ? in.size() == full : (in.size() == kErrorResponseSize || in.size() == full),
             "a success has exactly its full size, an error 8 bytes or the full size");
  FUZZ_CHECK(static_cast<std::uint16_t>(r.result) == get16(in, 2), "the result code is the one received");
  FUZZ_CHECK(r.epoch_seconds == get32(in, 4), "the epoch is the one received");
  FUZZ_CHECK(!result_name(r.result).empty() && !result_message(r.result).empty(), "every result has a name and message");
  if (in.size() == full && r.is_map()) {
    FUZZ_CHECK(r.internal_port == get16(in, 8) && r.external_port == get16(in, 10) && r.lifetime_seconds == get32(in, 12),
               "the ports and lifetime are the ones received");
  } else {
    FUZZ_CHECK(r.internal_port == 0 && r.external_port == 0 && r.lifetime_seconds == 0,
               "fields a response does not carry are zero");
  }
  if (!r.is_map()) {
    const bool carries = r.ok();
    FUZZ_CHECK(carries ? std::equal(r.external_address.begin(), r.external_address.end(), in.begin() + 8)
                       : r.external_address == Ipv4{},
               "the external address is the one received on success, else 0.0.0.0");
  }
  if (r.ok() && (in[1] & kResponseBit) != 0) {
    const Bytes again = encode_response(r);
    FUZZ_CHECK(again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin()),
               "a success response rebuilds to the bytes received");
  }
  check_answers(r);

  // The PCP codec hands every NAT-PMP response back to NAT-PMP.
  const auto as_pcp = mulenet::portmap::pcp::parse_response(in);
  FUZZ_CHECK(!as_pcp && as_pcp.error == mulenet::portmap::pcp::Errc::natpmp_only,
             "the PCP codec calls a NAT-PMP response natpmp_only");
  return 0;
}
