// eD2k tag lists (ed2k/tag.hpp read_tags, write_tag), old and compact layout.
// The first input byte is the tag count. Properties: never reads past the
// input; a failure says why; what parses re-encodes (old layout) to bytes
// that parse again to the same tags (types, names and values).
// ctest: -runs=300000 -max_len=2048
#include "ed2k/tag.hpp"
#include "fuzz_check.hpp"

using namespace mulenet::ed2k;

namespace {

bool same(const Tag& a, const Tag& b)
{
  const bool strings = a.is_string() && b.is_string();
  return (a.type == b.type || strings) && a.id == b.id && a.name == b.name && a.integer == b.integer &&
         a.text == b.text && a.hash == b.hash && a.blob == b.blob &&
         (a.real == b.real || (a.real != a.real && b.real != b.real));  // NaN == NaN here
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  if (size < 1) return 0;
  const std::uint32_t count = data[0];
  WireReader r(ByteView(data + 1, size - 1));
  std::string error;
  const auto tags = read_tags(r, count, &error);
  if (!tags) {
    FUZZ_CHECK(!error.empty(), "a failed read says why");
    return 0;
  }
  FUZZ_CHECK(tags->size() == count, "as many tags as announced");
  FUZZ_CHECK(r.position() <= size - 1, "never past the input");
  WireWriter w;
  for (const Tag& t : *tags) write_tag(w, t);
  WireReader again(w.data());
  const auto back = read_tags(again, count, &error);
  FUZZ_CHECK(back && back->size() == tags->size(), "re-encoded tags parse again");
  for (std::size_t i = 0; i < tags->size(); ++i) FUZZ_CHECK(same((*tags)[i], (*back)[i]), "the same tag after a round trip");
  FUZZ_CHECK(again.remaining() == 0, "nothing left over after the round trip");
  return 0;
}
