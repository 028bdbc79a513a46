#pragma once
// NAT-PMP over the network: one request, its matching answer (or none in
// time), through udp_exchange's retransmission schedule.
#include <chrono>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "portmap/natpmp/natpmp_codec.hpp"

namespace mulenet::portmap::natpmp {

struct Answer {
  std::optional<Response> response;  // nullopt: no (matching) answer
  std::string error;                 // why not, for humans
  std::error_code code;              // its PortmapErrc (no_answer, no_service, socket_error)
  std::chrono::microseconds elapsed{0};
  std::chrono::steady_clock::time_point received_at{};  // for the epoch check
};

boost::asio::awaitable<Answer> request_external_address(boost::asio::ip::udp::socket& socket,
                                                        boost::asio::ip::udp::endpoint router,
                                                        std::chrono::milliseconds timeout);
boost::asio::awaitable<Answer> request_map(boost::asio::ip::udp::socket& socket,
                                           boost::asio::ip::udp::endpoint router, const MapRequest& request,
                                           std::chrono::milliseconds timeout);

}  // namespace mulenet::portmap::natpmp
