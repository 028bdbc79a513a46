#pragma once
// The result codes of NAT-PMP responses (RFC 6886 §3.5), with a name and a
// message for humans. A code this list does not know is kept as it came (the
// enum has a fixed 16-bit underlying type) and reported as unknown.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace mulenet::portmap::natpmp {

enum class ResultCode : std::uint16_t {
  success = 0,
  unsupported_version = 1,
  not_authorized = 2,  // "Not Authorized/Refused": mapping turned off, or not allowed for this client/port
  network_failure = 3,  // e.g. the router has no external address (no DHCP lease yet)
  out_of_resources = 4,  // no more mappings, or no free external port
  unsupported_opcode = 5,
};

// "success", "unsupported version", ..., "unknown" for a code not in RFC 6886.
[[nodiscard]] std::string_view result_name(ResultCode code);
// What it means for the user, e.g. "the router refused the mapping (NAT-PMP result 2,
// not authorized/refused): ...". Never empty; names the number for unknown codes.
[[nodiscard]] std::string result_message(ResultCode code);
// The PortmapErrc it amounts to (portmap_error.hpp); empty for success.
[[nodiscard]] std::error_code error_for(ResultCode code);

}  // namespace mulenet::portmap::natpmp
