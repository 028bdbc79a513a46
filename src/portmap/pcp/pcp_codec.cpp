#include "portmap/pcp/pcp_codec.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mulenet::portmap::pcp {
namespace {

// The largest NAT-PMP response (a MAP response). A version-0 reply longer
// than this cannot be NAT-PMP.
constexpr std::size_t kLargestNatpmpResponse = 16;

void put16(Bytes& out, std::uint16_t v)
{
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put32(Bytes& out, std::uint32_t v)
{
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>((v >> 16) & 0xFF));
  out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

template <std::size_t N>
void put_bytes(Bytes& out, const std::array<std::uint8_t, N>& bytes)
{
  for (const std::uint8_t b : bytes) out.push_back(b);
}

std::uint16_t get16(ByteView in, std::size_t at)
{
  return static_cast<std::uint16_t>((in[at] << 8) | in[at + 1]);
}

std::uint32_t get32(ByteView in, std::size_t at)
{
  return (std::uint32_t{in[at]} << 24) | (std::uint32_t{in[at + 1]} << 16) | (std::uint32_t{in[at + 2]} << 8) |
         std::uint32_t{in[at + 3]};
}

template <std::size_t N>
std::array<std::uint8_t, N> get_bytes(ByteView in, std::size_t at)
{
  std::array<std::uint8_t, N> out{};
  std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(at), N, out.begin());
  return out;
}

void put_header(Bytes& out, Opcode opcode, std::uint32_t lifetime, const Ipv6& client)
{
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(opcode));  // R bit 0: a request
  put16(out, 0);                                      // reserved
  put32(out, lifetime);
  put_bytes(out, client);
}

// The length an RFC 6887 option must have, or nullopt for codes it does not define.
std::optional<std::size_t> defined_option_length(std::uint8_t code)
{
  switch (code) {
    case static_cast<std::uint8_t>(OptionCode::third_party): return 16;
    case static_cast<std::uint8_t>(OptionCode::prefer_failure): return 0;
    case static_cast<std::uint8_t>(OptionCode::filter): return 20;
    default: return std::nullopt;
  }
}

const char* opcode_name(std::uint8_t op)
{
  switch (op) {
    case 0: return "ANNOUNCE";
    case 1: return "MAP";
    case 2: return "PEER";
    default: return "unknown";
  }
}

}  // namespace

std::string_view errc_name(Errc e)
{
  switch (e) {
    case Errc::ok: return "ok";
    case Errc::too_short: return "too_short";
    case Errc::too_long: return "too_long";
    case Errc::not_multiple_of_4: return "not_multiple_of_4";
    case Errc::natpmp_only: return "natpmp_only";
    case Errc::unsupported_version: return "unsupported_version";
    case Errc::not_a_response: return "not_a_response";
    case Errc::unknown_opcode: return "unknown_opcode";
    case Errc::malformed_option: return "malformed_option";
  }
  return "unknown";
}

Ipv6 ipv4_mapped(const Ipv4& address)
{
  Ipv6 out = kAnyIpv4;
  std::copy(address.begin(), address.end(), out.begin() + 12);
  return out;
}

std::optional<Ipv4> unmapped_ipv4(const Ipv6& address)
{
  if (!std::equal(address.begin(), address.begin() + 12, kAnyIpv4.begin())) return std::nullopt;
  Ipv4 out{};
  std::copy(address.begin() + 12, address.end(), out.begin());
  return out;
}

bool Response::has_option(OptionCode code) const
{
  return std::any_of(options.begin(), options.end(),
                     [code](const Option& o) { return o.code == static_cast<std::uint8_t>(code); });
}

Bytes encode_announce_request(const Ipv6& client)
{
  Bytes out;
  out.reserve(kHeaderSize);
  put_header(out, Opcode::announce, 0, client);
  return out;
}

Bytes encode_map_request(const MapRequest& request)
{
  Bytes out;
  out.reserve(kHeaderSize + kMapBodySize + kOptionHeaderSize);
  put_header(out, Opcode::map, request.lifetime_seconds, request.client);
  put_bytes(out, request.nonce);
  out.push_back(static_cast<std::uint8_t>(request.protocol));
  for (int i = 0; i < 3; ++i) out.push_back(0);  // reserved
  put16(out, request.internal_port);
  put16(out, request.suggested_external_port);
  put_bytes(out, request.suggested_external_address);
  if (request.prefer_failure) {
    out.push_back(static_cast<std::uint8_t>(OptionCode::prefer_failure));
    out.push_back(0);  // reserved
    put16(out, 0);     // no data
  }
  return out;
}

Decoded<Response> parse_response(ByteView in)
{
  using D = Decoded<Response>;
  if (in.size() < 4) return D::fail(Errc::too_short, fmt::format("{} bytes are not a PCP response", in.size()));
  const std::uint8_t version = in[0];
  if (version == 0) {
    if (in.size() <= kLargestNatpmpResponse) {
      return D::fail(Errc::natpmp_only,
                     fmt::format("a NAT-PMP reply (opcode {}, result {}): the router speaks NAT-PMP, not PCP", in[1],
                                 get16(in, 2)),
                     version);
    }
    return D::fail(Errc::unsupported_version,
                   fmt::format("a version-0 reply of {} bytes, too long for NAT-PMP: the router could not parse "
                               "the PCP request (result {}: {})",
                               in.size(), in[3], result_name(static_cast<ResultCode>(in[3]))),
                   version);
  }
  if (version != kVersion) {
    return D::fail(Errc::unsupported_version,
                   fmt::format("the router answered with PCP version {}{} instead of 2", version,
                               version == 1 ? " (the pre-RFC draft)" : ""),
                   version);
  }
  if (in.size() < kHeaderSize) {
    return D::fail(Errc::too_short, fmt::format("{} bytes, a PCP response has at least {}", in.size(), kHeaderSize),
                   version);
  }
  if (in.size() > kMaxMessageSize) {
    return D::fail(Errc::too_long, fmt::format("{} bytes, a PCP message has at most {}", in.size(), kMaxMessageSize),
                   version);
  }
  if (in.size() % 4 != 0) {
    return D::fail(Errc::not_multiple_of_4, fmt::format("{} bytes, not a multiple of 4", in.size()), version);
  }
  if ((in[1] & kResponseBit) == 0) {
    return D::fail(Errc::not_a_response, fmt::format("R bit clear: a {} request", opcode_name(in[1])), version);
  }
  const auto op = static_cast<std::uint8_t>(in[1] & ~kResponseBit);
  if (op != static_cast<std::uint8_t>(Opcode::announce) && op != static_cast<std::uint8_t>(Opcode::map)) {
    return D::fail(Errc::unknown_opcode, fmt::format("a response to opcode {} ({}), which we never send", op,
                                                     opcode_name(op)),
                   version);
  }

  Response r;
  r.opcode = static_cast<Opcode>(op);
  r.result = static_cast<ResultCode>(in[3]);
  r.lifetime_seconds = get32(in, 4);
  r.epoch_seconds = get32(in, 8);
  std::size_t pos = kHeaderSize;
  if (r.opcode == Opcode::map) {
    if (in.size() >= kHeaderSize + kMapBodySize) {
      MapResult m;
      m.nonce = get_bytes<12>(in, pos);
      m.protocol = in[pos + 12];
      m.internal_port = get16(in, pos + 16);
      m.external_port = get16(in, pos + 18);
      m.external_address = get_bytes<16>(in, pos + 20);
      r.map = m;
      pos += kMapBodySize;
    } else if (r.ok()) {
      return D::fail(Errc::too_short,
                     fmt::format("a MAP success response of {} bytes, without its {}-byte MAP body", in.size(),
                                 kMapBodySize),
                     version);
    } else {
      // An error about a request the router could not even read whole: the
      // result code is what matters; what follows the header is a cut echo.
      return D::done(std::move(r));
    }
  }

  // Options: each step takes at least 4 bytes, so at most 1100/4 steps.
  while (pos < in.size()) {
    const std::size_t left = in.size() - pos;
    if (left < kOptionHeaderSize) {
      return D::fail(Errc::malformed_option, fmt::format("{} stray bytes after the last option", left), version);
    }
    Option option;
    option.code = in[pos];
    const std::size_t length = get16(in, pos + 2);
    const std::size_t padded = (length + 3) / 4 * 4;
    if (padded > left - kOptionHeaderSize) {
      return D::fail(Errc::malformed_option,
                     fmt::format("option {} at byte {} has {} bytes of data, only {} are left", option.code, pos,
                                 length, left - kOptionHeaderSize),
                     version);
    }
    if (const auto expected = defined_option_length(option.code); expected && *expected != length) {
      return D::fail(Errc::malformed_option,
                     fmt::format("option {} has {} bytes of data instead of {}", option.code, length, *expected),
                     version);
    }
    const auto data = in.subspan(pos + kOptionHeaderSize, length);
    option.data.assign(data.begin(), data.end());
    r.options.push_back(std::move(option));
    pos += kOptionHeaderSize + padded;
  }
  return D::done(std::move(r));
}

bool answers(const MapRequest& request, const Response& response)
{
  if (response.opcode != Opcode::map || !response.map) return false;
  const MapResult& m = *response.map;
  return m.nonce == request.nonce && m.protocol == static_cast<std::uint8_t>(request.protocol) &&
         m.internal_port == request.internal_port;
}

}  // namespace mulenet::portmap::pcp
