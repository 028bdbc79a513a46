#pragma once
// PCP over the network: ANNOUNCE (does the router speak PCP, and its epoch)
// and MAP, each matched to its answer by opcode and, for MAP, by nonce.
#include <chrono>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "portmap/pcp/pcp_codec.hpp"

namespace mulenet::portmap::pcp {

struct Answer {
  std::optional<Response> response;  // nullopt: no (matching) answer
  bool natpmp_only = false;          // the router answered in NAT-PMP: it has no PCP
  std::string error;
  std::error_code code;              // its PortmapErrc (no_answer, no_service, not_supported, socket_error)
  std::chrono::microseconds elapsed{0};
  std::chrono::steady_clock::time_point received_at{};
};

boost::asio::awaitable<Answer> request_announce(boost::asio::ip::udp::socket& socket,
                                                boost::asio::ip::udp::endpoint router, const Ipv6& client,
                                                std::chrono::milliseconds timeout);
boost::asio::awaitable<Answer> request_map(boost::asio::ip::udp::socket& socket,
                                           boost::asio::ip::udp::endpoint router, const MapRequest& request,
                                           std::chrono::milliseconds timeout);

// Our IPv4 address as PCP's client field.
[[nodiscard]] Ipv6 client_address(const boost::asio::ip::address& local);

}  // namespace mulenet::portmap::pcp
