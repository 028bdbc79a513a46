#include "portmap/natpmp/natpmp_result.hpp"

#include <fmt/format.h>

#include "portmap/portmap_error.hpp"

namespace mulenet::portmap::natpmp {

std::string_view result_name(ResultCode code)
{
  switch (code) {
    case ResultCode::success: return "success";
    case ResultCode::unsupported_version: return "unsupported version";
    case ResultCode::not_authorized: return "not authorized/refused";
    case ResultCode::network_failure: return "network failure";
    case ResultCode::out_of_resources: return "out of resources";
    case ResultCode::unsupported_opcode: return "unsupported opcode";
  }
  return "unknown";
}

std::string result_message(ResultCode code)
{
  const auto number = static_cast<unsigned>(code);
  const char* meaning = nullptr;
  switch (code) {
    case ResultCode::success: meaning = "the router did what was asked"; break;
    case ResultCode::unsupported_version:
      meaning = "the router does not speak this version of NAT-PMP";
      break;
    case ResultCode::not_authorized:
      meaning = "the router refused: port mapping is turned off, or not allowed for this client or port";
      break;
    case ResultCode::network_failure:
      meaning = "the router has no working external connection (for example no external address yet)";
      break;
    case ResultCode::out_of_resources:
      meaning = "the router cannot create more mappings, or has no free external port";
      break;
    case ResultCode::unsupported_opcode:
      meaning = "the router does not support this NAT-PMP request";
      break;
  }
  if (meaning == nullptr) return fmt::format("unknown NAT-PMP result code {}", number);
  return fmt::format("{} (NAT-PMP result {}, {})", meaning, number, result_name(code));
}

std::error_code error_for(ResultCode code)
{
  switch (code) {
    case ResultCode::success: return {};
    case ResultCode::unsupported_version: return PortmapErrc::not_supported;
    case ResultCode::not_authorized: return PortmapErrc::not_authorized;
    case ResultCode::network_failure: return PortmapErrc::network_failure;
    case ResultCode::out_of_resources: return PortmapErrc::out_of_resources;
    case ResultCode::unsupported_opcode: return PortmapErrc::not_supported;
  }
  return PortmapErrc::refused;
}

}  // namespace mulenet::portmap::natpmp
