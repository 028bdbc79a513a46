#include "portmap/pcp/pcp_result.hpp"

#include <fmt/format.h>

#include "portmap/portmap_error.hpp"

namespace mulenet::portmap::pcp {

std::string_view result_name(ResultCode code)
{
  switch (code) {
    case ResultCode::success: return "SUCCESS";
    case ResultCode::unsupp_version: return "UNSUPP_VERSION";
    case ResultCode::not_authorized: return "NOT_AUTHORIZED";
    case ResultCode::malformed_request: return "MALFORMED_REQUEST";
    case ResultCode::unsupp_opcode: return "UNSUPP_OPCODE";
    case ResultCode::unsupp_option: return "UNSUPP_OPTION";
    case ResultCode::malformed_option: return "MALFORMED_OPTION";
    case ResultCode::network_failure: return "NETWORK_FAILURE";
    case ResultCode::no_resources: return "NO_RESOURCES";
    case ResultCode::unsupp_protocol: return "UNSUPP_PROTOCOL";
    case ResultCode::user_ex_quota: return "USER_EX_QUOTA";
    case ResultCode::cannot_provide_external: return "CANNOT_PROVIDE_EXTERNAL";
    case ResultCode::address_mismatch: return "ADDRESS_MISMATCH";
    case ResultCode::excessive_remote_peers: return "EXCESSIVE_REMOTE_PEERS";
  }
  return "UNKNOWN";
}

std::string result_message(ResultCode code)
{
  const auto number = static_cast<unsigned>(code);
  const char* meaning = nullptr;
  switch (code) {
    case ResultCode::success: meaning = "the router did what was asked"; break;
    case ResultCode::unsupp_version: meaning = "the router does not speak this version of PCP"; break;
    case ResultCode::not_authorized:
      meaning = "the router refused: mapping is not allowed for this client or port, or PCP is turned off";
      break;
    case ResultCode::malformed_request: meaning = "the router could not parse the request"; break;
    case ResultCode::unsupp_opcode: meaning = "the router does not support this PCP operation"; break;
    case ResultCode::unsupp_option:
      meaning = "the router does not support an option the request requires (for example PREFER_FAILURE)";
      break;
    case ResultCode::malformed_option: meaning = "the router found an option of the request malformed"; break;
    case ResultCode::network_failure:
      meaning = "the router has no working external connection at the moment (try again later)";
      break;
    case ResultCode::no_resources:
      meaning = "the router is out of mappings or ports at the moment (try again later)";
      break;
    case ResultCode::unsupp_protocol: meaning = "the router cannot map this transport protocol"; break;
    case ResultCode::user_ex_quota: meaning = "this client has used up its quota of mappings on the router"; break;
    case ResultCode::cannot_provide_external:
      meaning = "the router cannot give the suggested external address or port (another client may hold it)";
      break;
    case ResultCode::address_mismatch:
      meaning =
          "the router saw the request come from another address than the one inside it: "
          "there is a NAT between this host and the router";
      break;
    case ResultCode::excessive_remote_peers:
      meaning = "the router cannot install that many remote-peer filters";
      break;
  }
  if (meaning == nullptr) return fmt::format("unknown PCP result code {}", number);
  return fmt::format("{} (PCP result {}, {})", meaning, number, result_name(code));
}

bool is_short_lifetime_error(ResultCode code)
{
  return code == ResultCode::network_failure || code == ResultCode::no_resources ||
         code == ResultCode::user_ex_quota;
}

std::error_code error_for(ResultCode code)
{
  switch (code) {
    case ResultCode::success: return {};
    case ResultCode::unsupp_version:
    case ResultCode::unsupp_opcode:
    case ResultCode::unsupp_option:
    case ResultCode::unsupp_protocol: return PortmapErrc::not_supported;
    case ResultCode::not_authorized: return PortmapErrc::not_authorized;
    case ResultCode::network_failure: return PortmapErrc::network_failure;
    case ResultCode::no_resources:
    case ResultCode::user_ex_quota: return PortmapErrc::out_of_resources;
    case ResultCode::cannot_provide_external: return PortmapErrc::conflict;
    case ResultCode::address_mismatch: return PortmapErrc::address_mismatch;
    case ResultCode::malformed_request:
    case ResultCode::malformed_option:
    case ResultCode::excessive_remote_peers: return PortmapErrc::refused;
  }
  return PortmapErrc::refused;
}

}  // namespace mulenet::portmap::pcp
