#pragma once
// One request/response exchange with the router over UDP, as NAT-PMP and PCP
// do it (RFC 6886 §3.1, RFC 6887 §8.1.1): send, wait for a matching answer from
// the router's address and port, resend after 250 ms, 500 ms, 1 s ... up to a
// total time limit. Answers from anyone else, or that do not match, are ignored.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

namespace mulenet::portmap {

struct UdpExchangeResult {
  std::optional<std::vector<std::uint8_t>> reply;  // nullopt: no matching answer in time
  int sends = 0;
  std::chrono::microseconds elapsed{0};
  std::string error;     // a socket error, if any
  std::error_code code;  // its PortmapErrc: socket_error, no_service (ICMP port unreachable), no_answer
};

// An IPv4 UDP socket on an ephemeral port, for talking to the router;
// nullopt (and `error` says why) when the system refuses one. With `source`
// (a mapping's internal client) it is sent from that address while this host
// still has it: NAT-PMP and PCP keep mappings per requesting address, so a
// renewal or delete after our address changed must come from the old one.
[[nodiscard]] std::optional<boost::asio::ip::udp::socket> open_router_socket(const boost::asio::any_io_executor& executor,
                                                                             std::string& error,
                                                                             std::string_view source = {});

// `matches` tells a reply to this request from stray datagrams.
boost::asio::awaitable<UdpExchangeResult> udp_exchange(
    boost::asio::ip::udp::socket& socket, boost::asio::ip::udp::endpoint router, std::span<const std::uint8_t> request,
    std::function<bool(std::span<const std::uint8_t>)> matches, std::chrono::milliseconds total_timeout,
    std::chrono::milliseconds first_retry = std::chrono::milliseconds(250));

}  // namespace mulenet::portmap
