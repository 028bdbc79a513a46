#include "ed2k/hello_probe.hpp"

#include <fmt/format.h>

#include "ed2k/packet_stream.hpp"

namespace mulenet::ed2k {

namespace asio = boost::asio;

asio::awaitable<Decoded<Hello>> exchange_hellos(PacketStream& stream, const Identity& me,
                                                std::chrono::milliseconds timeout)
{
  const Packet hello = encode_hello(make_hello(me));
  std::string error = co_await stream.write(hello, timeout);
  if (!error.empty()) co_return Decoded<Hello>{std::nullopt, std::move(error)};
  // The answer may follow other packets (OP_EMULEINFO); a few at most.
  for (int i = 0; i < 4; ++i) {
    ReadOutcome in = co_await stream.read(timeout, 256 * 1024, kProtoEmule);
    if (!in.packet) co_return Decoded<Hello>{std::nullopt, "no Hello answer: " + in.error};
    if (in.packet->protocol == kProtoEdonkey && in.packet->opcode == OP_HELLOANSWER) {
      auto decoded = decode_hello(*in.packet);
      if (!decoded) decoded.error = "a broken Hello answer: " + decoded.error;
      co_return decoded;
    }
  }
  co_return Decoded<Hello>{std::nullopt, "no Hello answer among the first packets"};
}

asio::awaitable<HelloProbe> say_hello(proxy::Dialer& dialer, proxy::Target peer, Identity me,
                                      std::chrono::milliseconds timeout)
{
  HelloProbe out;
  const auto t0 = std::chrono::steady_clock::now();
  auto finish = [&]() {
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    return out;
  };
  proxy::DialResult dial = co_await dialer.connect(peer, proxy::TrafficKind::client_tcp);
  if (!dial.ok()) {
    out.error = dial.detail.empty() ? dial.error.message() : dial.detail;
    co_return finish();
  }
  out.connected = true;
  PacketStream stream(std::move(*dial.socket), std::move(dial.early_bytes));
  auto answer = co_await exchange_hellos(stream, me, timeout);
  if (answer) out.answer = std::move(*answer.value);
  else out.error = std::move(answer.error);
  stream.close();
  co_return finish();
}

}  // namespace mulenet::ed2k
