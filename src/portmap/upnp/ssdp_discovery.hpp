#pragma once
// Finds the router's UPnP IGD: M-SEARCH for the two IGD device types,
// unicast to the default gateway; without an answer within 250 ms, for the
// WAN service types too, and to 239.255.255.250:1900 as well (each search
// makes the router schedule answers, which slows its HTTP: see the .cpp).
// Takes the first answer whose LOCATION passes the URL guard (http, an
// address on the gateway's subnet) -- as it arrives, with no fixed wait.
#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "portmap/upnp/ssdp.hpp"
#include "portmap/upnp/url_guard.hpp"

namespace mulenet::portmap::upnp {

struct Discovery {
  std::optional<ssdp::Message> answer;  // the first acceptable one
  std::optional<HttpUrl> location;
  std::vector<std::string> refused;     // answers ignored, and why (hostile or odd LAN devices)
  std::string error;
  std::error_code code;  // with error, its PortmapErrc: bad_address, socket_error, no_answer
  std::chrono::microseconds elapsed{0};
};

boost::asio::awaitable<Discovery> discover_igd(const GatewayScope& scope, const std::string& local_address,
                                               std::chrono::milliseconds timeout);

}  // namespace mulenet::portmap::upnp
