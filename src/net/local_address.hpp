#pragma once
// Which of our addresses the kernel would use to reach a host: the address a
// router must forward to (UPnP NewInternalClient, PCP's client IP). Found by
// "connecting" a UDP socket, which sends nothing.
#include <optional>
#include <string>
#include <string_view>

namespace mulenet::net {

[[nodiscard]] std::optional<std::string> local_address_toward(std::string_view remote_ip, std::string& error);

}  // namespace mulenet::net
