#include "kad/udp_check_request.hpp"

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
  const ed2k::Packet hello = ed2k::encode_hello(ed2k::make_hello(me));
  out.error = co_await out.stream->write(hello, timeout);
  if (!out.error.empty()) co_return out;
  for (int i = 0; i < 4; ++i) {
    ed2k::ReadOutcome in = co_await out.stream->read(timeout, 256 * 1024, ed2k::kProtoEmule);
    if (!in.packet) {
      out.error = "no Hello answer: " + in.error;
      co_return out;
    }
    if (in.packet->protocol == ed2k::kProtoEdonkey && in.packet->opcode == ed2k::OP_HELLOANSWER) {
      auto h = ed2k::decode_hello(*in.packet);
      if (!h) {
        out.error = "a broken Hello answer: " + h.error;
        co_return out;
      }
      out.their_hello = std::move(*h.value);
      break;
    }
  }
  if (!out.their_hello) {
    out.error = "no Hello answer among the first packets";
    co_return out;
  }
  const ed2k::Packet ask{kProtoEmule, OP_FWCHECKUDPREQ, encode_fwcheck_udp_req_payload(request)};
  out.error = co_await out.stream->write(ask, timeout);
  out.sent = out.error.empty();
  co_return out;
}

}  // namespace mulenet::kad
