#include "kad/udp_check_request.hpp"

#include "ed2k/hello_probe.hpp"

namespace mulenet::kad {

namespace asio = boost::asio;

asio::awaitable<UdpCheckRequest> request_udp_check(proxy::Dialer& dialer, proxy::Target node, ed2k::Identity me,
                                                   FwCheckUdpReq request, std::chrono::milliseconds timeout)
{
  UdpCheckRequest out;
  proxy::DialResult dial = co_await dialer.connect(node, proxy::TrafficKind::client_tcp);
  if (!dial.ok()) {
    out.error = dial.detail.empty() ? dial.error.message() : dial.detail;
    co_return out;
  }
  out.stream = std::make_shared<ed2k::PacketStream>(std::move(*dial.socket), std::move(dial.early_bytes));
  auto hello = co_await ed2k::exchange_hellos(*out.stream, me, timeout);
  if (!hello) {
    out.error = std::move(hello.error);
    co_return out;
  }
  out.their_hello = std::move(*hello.value);
  const ed2k::Packet ask{kProtoEmule, OP_FWCHECKUDPREQ, encode_fwcheck_udp_req_payload(request)};
  out.error = co_await out.stream->write(ask, timeout);
  out.sent = out.error.empty();
  co_return out;
}

}  // namespace mulenet::kad
