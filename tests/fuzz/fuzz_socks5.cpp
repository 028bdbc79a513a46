// SOCKS5 replies (proxy/socks5_codec.hpp): the method reply, the login reply,
// the CONNECT and UDP ASSOCIATE replies and the UDP relay header, all read
// from the same bytes. Properties: the incremental contract of every reply
// parser (incremental.hpp); a complete reply has the size its address type
// says and re-encodes to the bytes it came from; an unwrapped datagram is
// the whole input and wrap_udp gives the input back.
// ctest: -runs=25000 -max_len=300
#include <algorithm>
#include <string>
#include <variant>

#include "fuzz_check.hpp"
#include "incremental.hpp"
#include "proxy/socks5_codec.hpp"

namespace {

using namespace mulenet::proxy;
using mulenet::fuzz::check_incremental;

bool same_target(const Target& a, const Target& b) { return a.host == b.host && a.port == b.port; }

std::size_t address_size(const Target& t)
{
  if (std::holds_alternative<Ipv4>(t.host)) return 1 + 4 + 2;
  if (std::holds_alternative<Ipv6>(t.host)) return 1 + 16 + 2;
  return 1 + 1 + std::get<std::string>(t.host).size() + 2;
}

void check_reply(socks5::ByteView in, socks5::Command cmd)
{
  const auto reply = check_incremental(
      in, [cmd](socks5::ByteView b) { return socks5::parse_reply(b, cmd); },
      [](const socks5::Reply& a, const socks5::Reply& b) { return same_target(a.bound, b.bound); });
  if (reply.status != ParseStatus::complete) return;
  FUZZ_CHECK(in[0] == 0x05 && in[1] == 0x00, "a complete reply is version 5, code 0");
  FUZZ_CHECK(reply.consumed == 3 + address_size(reply.value.bound), "the reply is as long as its address");
  // The address re-encodes to the bytes it was read from.
  const socks5::Bytes encoded = socks5::encode_request(cmd, reply.value.bound);
  FUZZ_CHECK(encoded.size() == reply.consumed, "encoding the bound address gives a reply-sized message");
  FUZZ_CHECK(std::equal(encoded.begin() + 3, encoded.end(), in.begin() + 3),
             "the bound address re-encodes to the received bytes");
}

void check_udp(socks5::ByteView in)
{
  const auto datagram = socks5::unwrap_udp(in);
  if (!datagram) return;
  FUZZ_CHECK(in.size() >= 4 && in[0] == 0 && in[1] == 0 && in[2] == 0, "only unfragmented datagrams unwrap");
  const std::size_t header = 3 + address_size(datagram->source);
  FUZZ_CHECK(datagram->payload.data() == in.data() + header, "the payload starts right after the header");
  FUZZ_CHECK(header + datagram->payload.size() == in.size(), "the payload runs to the end of the datagram");
  const socks5::Bytes wrapped = socks5::wrap_udp(datagram->source, datagram->payload);
  FUZZ_CHECK(wrapped.size() == in.size() && std::equal(wrapped.begin(), wrapped.end(), in.begin()),
             "wrap_udp(unwrap_udp(d)) == d");
  const auto again = socks5::unwrap_udp(wrapped);
  FUZZ_CHECK(again && same_target(again->source, datagram->source) && again->payload.size() == datagram->payload.size(),
             "a wrapped datagram unwraps to the same source and payload");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const socks5::ByteView in = mulenet::fuzz::bytes(data, size);

  for (const bool offered : {false, true}) {
    const auto method = check_incremental(
        in, [offered](socks5::ByteView b) { return socks5::parse_method_reply(b, offered); },
        [](std::uint8_t a, std::uint8_t b) { return a == b; });
    if (method.status == ParseStatus::complete) {
      FUZZ_CHECK(method.consumed == 2, "a method reply is two bytes");
      FUZZ_CHECK(method.value == socks5::kMethodNoAuth || (offered && method.value == socks5::kMethodUserPass),
                 "the chosen method is one we offered");
    }
  }

  const auto login = check_incremental(in, [](socks5::ByteView b) { return socks5::parse_login_reply(b); },
                                       [](bool a, bool b) { return a == b; });
  if (login.status == ParseStatus::complete) {
    FUZZ_CHECK(login.consumed == 2 && login.value, "a login reply is two bytes and says success");
    FUZZ_CHECK(in[1] == 0x00, "only status 0 is success");
  }

  check_reply(in, socks5::Command::connect);
  check_reply(in, socks5::Command::udp_associate);
  check_udp(in);
  return 0;
}
