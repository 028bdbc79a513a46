#pragma once
// Asking a Kad node to test our UDP port (reference §5.3, step 4): connect
// to its TCP port (through the Dialer), exchange eD2k Hellos (ours announces
// Kad version 8 and our Kad port, which the node requires), then send
// OP_FWCHECKUDPREQ (0xC5 0xA7) with our internal and external Kad port and
// the verify key we give that node. The node then sends
// KADEMLIA2_FIREWALLUDP to those ports, keyed with that verify key.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "ed2k/hello.hpp"
#include "ed2k/packet_stream.hpp"
#include "kad/kad_messages.hpp"
#include "proxy/dialer.hpp"

namespace mulenet::kad {

struct UdpCheckRequest {
  bool sent = false;
  std::optional<ed2k::Hello> their_hello;
  std::string error;
  // Kept open until the answer came (some nodes drop the test when the
  // connection is gone); closed when this is destroyed.
  std::shared_ptr<ed2k::PacketStream> stream;
};

boost::asio::awaitable<UdpCheckRequest> request_udp_check(proxy::Dialer& dialer, proxy::Target node,
                                                          ed2k::Identity me, FwCheckUdpReq request,
                                                          std::chrono::milliseconds timeout);

}  // namespace mulenet::kad
