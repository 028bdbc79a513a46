#pragma once
// The body a router answers a SOAP action with (UDA §3.2.2): the action's
// response with its out-arguments, or a SOAP Fault carrying a UPnPError
// (errorCode, errorDescription). Namespace prefixes differ between routers
// ("s:", "SOAP-ENV:", "soap:", none), so elements are matched by local name.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portmap/upnp/codec_result.hpp"
#include "portmap/upnp/soap_request.hpp"

namespace mulenet::portmap::upnp::soap {

inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;
inline constexpr std::size_t kMaxResponseDepth = 16;
inline constexpr std::size_t kMaxOutArguments = 64;
inline constexpr std::size_t kMaxFaultTextBytes = 256;

struct Fault {
  unsigned error_code = 0;        // UPnPError errorCode; 0 when absent or not a number
  std::string error_description;  // UPnPError errorDescription (printable, at most 256 bytes)
  std::string fault_code;         // "s:Client"
  std::string fault_string;       // "UPnPError"
};

struct Response {
  std::optional<Fault> fault;       // set: the router refused the action (see upnp_error.hpp)
  std::string action;               // the action answered, "AddPortMapping", when not a fault
  std::vector<Argument> arguments;  // out-arguments: local name -> text (trimmed), in order

  // The out-argument's value, nullptr when the router did not send it.
  [[nodiscard]] const std::string* argument(std::string_view name) const;
};

// `body` is the HTTP body as received, whatever the status (faults come with
// 500, a few routers send them with 200). `expected_action`, when not empty,
// is the action we sent: a response to another one is `unexpected`. Fails
// too_large (over the limits above), malformed (not XML, no Envelope, a
// Body element that is neither a Fault nor "<action>Response"),
// missing_field (no Body, or an empty one).
[[nodiscard]] Parsed<Response> parse_response(std::string_view body, std::string_view expected_action = {});

}  // namespace mulenet::portmap::upnp::soap
