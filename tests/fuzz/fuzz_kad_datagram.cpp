// One received Kad datagram, as the UDP service will see it: de-obfuscation
// (kad/udp_obfuscation.hpp) with a fixed own ID and verify key, then
// decode_datagram and every message decoder (kad/kad_messages.hpp).
// Properties: never reads past the input; what de-obfuscates re-obfuscates
// (same key kind, keys and random part) to the same bytes; a failure says
// why; every decoded message re-encodes to a datagram that decodes to the
// same fields (BOOTSTRAP_RES and KADEMLIA2_RES byte for byte).
// ctest: -runs=300000 -max_len=2048
#include "fuzz_check.hpp"
#include "kad/kad_messages.hpp"
#include "kad/udp_obfuscation.hpp"

using namespace mulenet::kad;

namespace {

const KadId kOwn = *KadId::from_hex("00112233445566778899AABBCCDDEEFF");
constexpr std::uint32_t kOwnKey = 0x5A5A1234;

void decode_all(const Datagram& d)
{
  auto said = [](const auto& x) { FUZZ_CHECK(x || !x.error.empty(), "a decoder says why"); };
  if (auto b = decode_bootstrap_res(d)) {
    FUZZ_CHECK(encode_datagram(encode_bootstrap_res(*b.value)) == encode_datagram(d), "BOOTSTRAP_RES round trip");
  } else {
    said(b);
  }
  if (auto h = decode_hello(d)) {
    const auto again = decode_hello(encode_hello(*h.value, d.opcode == KADEMLIA2_HELLO_RES));
    FUZZ_CHECK(again && again.value->id == h.value->id && again.value->tags.size() == h.value->tags.size() &&
                   again.value->misc_options() == h.value->misc_options(),
               "HELLO round trip");
  }
  if (auto r = decode_kademlia2_res(d)) {
    FUZZ_CHECK(encode_datagram(encode_kademlia2_res(*r.value)) == encode_datagram(d), "KADEMLIA2_RES round trip");
  }
  if (auto q = decode_kademlia2_req(d)) {
    const auto again = decode_kademlia2_req(encode_kademlia2_req(*q.value));
    FUZZ_CHECK(again && again.value->target == q.value->target && again.value->type == q.value->type, "REQ round trip");
  }
  said(decode_hello_res_ack(d));
  said(decode_firewalled_req(d));
  said(decode_firewalled2_req(d));
  said(decode_firewalled_res(d));
  said(decode_pong(d));
  said(decode_firewall_udp(d));
  (void)is_firewalled_ack_res(d);
  (void)opcode_name(d.protocol, d.opcode);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const ByteView in(data, size);
  Bytes plain(in.begin(), in.end());
  if (!looks_plain(in)) {
    const auto d = deobfuscate(in, kOwn, kOwnKey);
    if (!d) return 0;
    ObfuscationParams p{d->receiver_verify_key, d->sender_verify_key, {in[1], in[2]}, in[0]};
    const ObfuscationKey key = d->with_node_id_key ? ObfuscationKey{kOwn} : ObfuscationKey{kOwnKey};
    const Bytes again = obfuscate(d->plain, key, p);
    // Padding is dropped on the way back: an input of the same size had none,
    // and (same marker) must come back byte for byte.
    if (again.size() == size && again[0] == data[0])
      FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin()), "re-obfuscation gives the same bytes");
    plain = d->plain;
  }
  const auto d = decode_datagram(plain);
  if (!d.datagram) {
    FUZZ_CHECK(!d.error.empty(), "a bad datagram says why");
    return 0;
  }
  decode_all(*d.datagram);
  return 0;
}
