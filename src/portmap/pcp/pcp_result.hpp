#pragma once
// The result codes of PCP responses (RFC 6887 §7.4), with the RFC's name and
// a message for humans. A code this list does not know is kept as it came
// (fixed 8-bit underlying type) and reported as unknown.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace mulenet::portmap::pcp {

enum class ResultCode : std::uint8_t {
  success = 0,
  unsupp_version = 1,
  not_authorized = 2,
  malformed_request = 3,
  unsupp_opcode = 4,
  unsupp_option = 5,
  malformed_option = 6,
  network_failure = 7,
  no_resources = 8,
  unsupp_protocol = 9,
  user_ex_quota = 10,
  cannot_provide_external = 11,
  address_mismatch = 12,
  excessive_remote_peers = 13,
};

// "SUCCESS", "NOT_AUTHORIZED", ... as RFC 6887 spells them; "UNKNOWN" otherwise.
[[nodiscard]] std::string_view result_name(ResultCode code);
// What it means for the user, ending with "(PCP result N, NAME)". Never empty.
[[nodiscard]] std::string result_message(ResultCode code);
// The PortmapErrc it amounts to (portmap_error.hpp); empty for success.
[[nodiscard]] std::error_code error_for(ResultCode code);
// RFC 6887 §7.4: NETWORK_FAILURE, NO_RESOURCES and USER_EX_QUOTA are
// short-lifetime errors (the condition may clear soon: retry after the
// response's lifetime); the others are long-lifetime errors.
[[nodiscard]] bool is_short_lifetime_error(ResultCode code);

}  // namespace mulenet::portmap::pcp
