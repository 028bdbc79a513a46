// eD2k TCP packets (ed2k/packet.hpp parse_frame, unpack; the decoders of
// server_messages.hpp and hello.hpp on whatever packet comes out).
// Properties: parse_frame never reads past the input, "complete" consumes
// exactly header + length bytes and the packet re-encodes to those bytes;
// "need_more" only on a prefix shorter than the frame it announces; unpack
// never yields more than its limit; every decoder either succeeds or says
// why, and a decoded Hello or login re-encodes to a packet that decodes to
// the same fields.
// ctest: -runs=300000 -max_len=4096
#include "ed2k/hello.hpp"
#include "ed2k/packet.hpp"
#include "ed2k/server_messages.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::ed2k;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const ByteView in(data, size);
  const Frame f = parse_frame(in);
  if (f.status == FrameStatus::failed) {
    FUZZ_CHECK(!f.error.empty(), "a failed frame says why");
    return 0;
  }
  if (f.status == FrameStatus::need_more) return 0;
  FUZZ_CHECK(f.consumed >= kHeaderSize && f.consumed <= size, "consumed within the input");
  FUZZ_CHECK(f.consumed == kHeaderSize + f.packet.payload.size(), "consumed = header + payload");
  const Bytes again = encode_packet(f.packet);
  FUZZ_CHECK(again.size() == f.consumed && std::equal(again.begin(), again.end(), in.begin()),
             "a complete packet re-encodes to its bytes");

  Packet p = f.packet;
  if (p.protocol == kProtoPacked) {
    const Unpacked u = unpack(p, kProtoEdonkey, 64 * 1024);
    if (!u.ok) {
      FUZZ_CHECK(!u.error.empty(), "a failed unpack says why");
      return 0;
    }
    FUZZ_CHECK(u.packet.payload.size() <= 64 * 1024, "unpack stays within its limit");
    p = u.packet;
  }
  auto check = [](const auto& decoded) { FUZZ_CHECK(decoded || !decoded.error.empty(), "a decoder says why"); };
  check(decode_id_change(p));
  check(decode_server_message(p));
  check(decode_server_status(p));
  check(decode_server_ident(p));
  check(decode_server_list(p));
  if (auto login = decode_login(Packet{p.protocol, OP_LOGINREQUEST, p.payload})) {
    const auto back = decode_login(encode_login(*login.value));
    FUZZ_CHECK(back && back.value->user_hash == login.value->user_hash && back.value->tcp_port == login.value->tcp_port,
               "a decoded login survives re-encoding");
  }
  const auto hello = decode_hello(p);
  check(hello);
  if (hello) {
    const Packet re = p.opcode == OP_HELLO ? encode_hello(*hello.value) : encode_hello_answer(*hello.value);
    const auto back = decode_hello(re);
    FUZZ_CHECK(back, "a re-encoded Hello decodes");
    FUZZ_CHECK(back.value->user_hash == hello.value->user_hash && back.value->tcp_port == hello.value->tcp_port &&
                   back.value->tags.size() == hello.value->tags.size() && back.value->server_ip == hello.value->server_ip,
               "a Hello survives re-encoding");
  }
  return 0;
}
