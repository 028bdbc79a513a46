#include "portmap/natpmp/natpmp_codec.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mulenet::portmap::natpmp {
namespace {

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

std::uint16_t get16(ByteView in, std::size_t at)
{
  return static_cast<std::uint16_t>((in[at] << 8) | in[at + 1]);
}

std::uint32_t get32(ByteView in, std::size_t at)
{
  return (std::uint32_t{in[at]} << 24) | (std::uint32_t{in[at + 1]} << 16) | (std::uint32_t{in[at + 2]} << 8) |
         std::uint32_t{in[at + 3]};
}

const char* kind_name(Opcode op)
{
  switch (op) {
    case Opcode::external_address: return "external-address";
    case Opcode::map_udp: return "UDP map";
    case Opcode::map_tcp: return "TCP map";
  }
  return "unknown";
}

std::size_t full_size(Opcode op)
{
  return op == Opcode::external_address ? kExternalAddressResponseSize : kMapResponseSize;
}

}  // namespace

std::string_view errc_name(Errc e)
{
  switch (e) {
    case Errc::ok: return "ok";
    case Errc::too_short: return "too_short";
    case Errc::wrong_size: return "wrong_size";
    case Errc::wrong_version: return "wrong_version";
    case Errc::not_a_response: return "not_a_response";
    case Errc::unknown_opcode: return "unknown_opcode";
  }
  return "unknown";
}

MapRequest delete_request(Protocol protocol, std::uint16_t internal_port)
{
  return MapRequest{protocol, internal_port, 0, 0};
}

MapRequest delete_all_request(Protocol protocol) { return MapRequest{protocol, 0, 0, 0}; }

Bytes encode_external_address_request()
{
  Bytes out;
  out.reserve(kExternalAddressRequestSize);
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(Opcode::external_address));
  return out;
}

Bytes encode_map_request(const MapRequest& request)
{
  Bytes out;
  out.reserve(kMapRequestSize);
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(map_opcode(request.protocol)));
  put16(out, 0);  // reserved
  put16(out, request.internal_port);
  put16(out, request.lifetime_seconds == 0 ? std::uint16_t{0} : request.suggested_external_port);
  put32(out, request.lifetime_seconds);
  return out;
}

Decoded<Response> parse_response(ByteView in)
{
  using D = Decoded<Response>;
  if (in.size() < 4) {
    return D::fail(Errc::too_short, fmt::format("{} bytes are not a NAT-PMP response (at least {})", in.size(),
                                                kErrorResponseSize));
  }
  if (in[0] != kVersion) {
    return D::fail(Errc::wrong_version, fmt::format("version {} instead of NAT-PMP's 0{}", in[0],
                                                    in[0] == 2 ? " (a PCP reply)" : ""));
  }
  Response r;
  r.result = static_cast<ResultCode>(get16(in, 2));
  const std::uint8_t op = in[1];
  if ((op & kResponseBit) == 0) {
    // RFC 6886 erratum 3618: the RFC showed OP = 0 in the "unsupported
    // version" response, and some gateways send exactly that.
    if (!(op == 0 && r.result == ResultCode::unsupported_version)) {
      return D::fail(Errc::not_a_response, fmt::format("opcode {} without the response bit: a request", op));
    }
  }
  const auto request_op = static_cast<std::uint8_t>(op & ~kResponseBit);
  if (request_op > static_cast<std::uint8_t>(Opcode::map_tcp)) {
    return D::fail(Errc::unknown_opcode, fmt::format("response to opcode {}, which we never send", request_op));
  }
  r.opcode = static_cast<Opcode>(request_op);
  const std::size_t full = full_size(r.opcode);
  if (in.size() < kErrorResponseSize) {
    return D::fail(Errc::too_short, fmt::format("{} response of {} bytes (at least {})", kind_name(r.opcode),
                                                in.size(), kErrorResponseSize));
  }
  const bool size_ok = r.ok() ? in.size() == full : (in.size() == kErrorResponseSize || in.size() == full);
  if (!size_ok) {
    return D::fail(in.size() < full ? Errc::too_short : Errc::wrong_size,
                   r.ok() ? fmt::format("{} response of {} bytes instead of {}", kind_name(r.opcode), in.size(), full)
                          : fmt::format("{} error response of {} bytes instead of {} or {}", kind_name(r.opcode),
                                        in.size(), kErrorResponseSize, full));
  }
  r.epoch_seconds = get32(in, 4);
  if (in.size() == full) {
    if (r.opcode == Opcode::external_address) {
      // Undefined unless success (RFC 6886 §3.2): MUST be ignored.
      if (r.ok()) std::copy_n(in.begin() + 8, 4, r.external_address.begin());
    } else {
      r.internal_port = get16(in, 8);
      r.external_port = get16(in, 10);
      r.lifetime_seconds = get32(in, 12);
    }
  }
  return D::done(r);
}

bool answers(const MapRequest& request, const Response& response)
{
  if (response.opcode != map_opcode(request.protocol)) return false;
  return response.internal_port == 0 || response.internal_port == request.internal_port;
}

}  // namespace mulenet::portmap::natpmp
