// EC frames (ec/ec_packet.hpp parse_frame_header, decode_body; the readers of
// ec/amule_state.hpp on whatever packet comes out; the EC server's login and
// answers, ec/ec_server_login.hpp and ec/ec_answers.hpp).
// Properties: a frame is refused with a reason or decoded; the body never
// inflates past its limit; nesting and tag count stay within their bounds; a
// decoded packet re-encodes, in its own number framing, to bytes that decode
// to the same packet; read_stats and read_server_list either read or say why.
// ctest: -runs=300000 -max_len=4096
#include "ec/amule_state.hpp"
#include "ec/ec_answers.hpp"
#include "ec/ec_packet.hpp"
#include "ec/ec_server_login.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::ec;

namespace {

std::size_t depth_of(const std::vector<Tag>& tags)
{
  std::size_t d = 0;
  for (const Tag& t : tags) d = std::max(d, 1 + depth_of(t.children));
  return d;
}

bool same(const std::vector<Tag>& a, const std::vector<Tag>& b)
{
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].type != b[i].type || a[i].data != b[i].data) return false;
    if (!same(a[i].children, b[i].children)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::span<const std::uint8_t> in(data, size);
  std::string error;
  const auto header = parse_frame_header(in, error);
  if (!header) {
    FUZZ_CHECK(!error.empty(), "a refused header says why");
    return 0;
  }
  // The body is what follows (the announced length is the stream's business).
  DecodeLimits limits;
  limits.max_body = 64 * 1024;
  limits.max_depth = 8;
  limits.max_tags = 2000;
  const Decoded d = decode_body(header->flags, in.subspan(kFrameHeaderSize), limits);
  if (!d.packet) {
    FUZZ_CHECK(!d.error.empty(), "a refused body says why");
    return 0;
  }
  FUZZ_CHECK(d.error.empty(), "a decoded body has no error");
  FUZZ_CHECK(depth_of(d.packet->tags) <= limits.max_depth, "nesting within its bound");
  const std::uint32_t flags = kFlagBase | (header->flags & kFlagUtf8Numbers);
  const Bytes again = encode_frame(*d.packet, flags);
  const Decoded back = decode_body(flags, std::span(again).subspan(kFrameHeaderSize));
  FUZZ_CHECK(back.packet && back.packet->opcode == d.packet->opcode && same(back.packet->tags, d.packet->tags),
             "a decoded packet survives re-encoding");
  std::string why;
  const auto stats = read_stats(*d.packet, why);
  FUZZ_CHECK(stats || !why.empty(), "read_stats reads or says why");
  why.clear();
  const auto servers = read_server_list(*d.packet, why);
  FUZZ_CHECK(servers || !why.empty(), "read_server_list reads or says why");
  // What our EC server says back: what it read, our answer says again.
  if (stats) {
    std::string again_why;
    const auto reread = read_stats(stats_answer(*stats), again_why);
    FUZZ_CHECK(reread && reread->ed2k == stats->ed2k && reread->kad == stats->kad &&
                   reread->ed2k_id == stats->ed2k_id,
               "stats_answer says what read_stats read");
  }
  // The server's login, fresh and after a good AUTH_REQ: a hostile packet is
  // a salt, or a refusal; never a login (the hash cannot match by chance).
  ServerLogin fresh("5ebe2294ecd0e0f08eab7690d2a6ee69", 0x0ECB0C8A2F1D3E4DULL, "fuzz");
  const Packet first = fresh.answer(*d.packet);
  FUZZ_CHECK(first.opcode == Op::auth_salt || first.opcode == Op::auth_fail, "a first packet gets a salt or a refusal");
  FUZZ_CHECK(fresh.step() != LoginStep::logged_in, "no login without a password");
  ServerLogin asked("5ebe2294ecd0e0f08eab7690d2a6ee69", 0x0ECB0C8A2F1D3E4DULL, "fuzz");
  (void)asked.answer(Packet{Op::auth_req, {Tag::u16(tag::protocol_version, kProtocolVersion)}});
  (void)asked.answer(*d.packet);
  FUZZ_CHECK(asked.step() != LoginStep::logged_in, "no login with a made-up hash");
  return 0;
}
