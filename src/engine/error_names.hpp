#pragma once
// The stable code name ("conflict", "udp-port-unavailable", "auth-failed", ...)
// of an error of any of our modules' categories (proxy, portmap, kad, ed2k):
// what JSON calls "code" and the public events carry. One place, so that the
// CLI, the Engine and later the web API name every error alike.
#include <optional>
#include <string>
#include <system_error>

namespace mulenet::engine {

// nullopt: no error, or one of another category (the OS's own: its message says it).
[[nodiscard]] std::optional<std::string> code_name_of(const std::error_code& code);

}  // namespace mulenet::engine
