#pragma once
// The contract of every reply parser (proxy/parse_result.hpp): a pure
// function of all bytes received so far. Fed the input one byte more at a
// time, it must say need_more until the reply is decided, then decide once
// and for all: a complete reply exactly when its last byte arrives (and the
// same reply, of the same size, however many bytes follow), or a failure
// that more bytes cannot undo.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "fuzz_check.hpp"
#include "proxy/parse_result.hpp"

namespace mulenet::fuzz {

template <typename T>
void check_parsed_shape(const proxy::Parsed<T>& parsed, std::size_t input_size)
{
  switch (parsed.status) {
    case proxy::ParseStatus::complete:
      FUZZ_CHECK(parsed.consumed > 0, "a complete reply takes at least one byte");
      FUZZ_CHECK(parsed.consumed <= input_size, "a reply cannot take more bytes than were received");
      break;
    case proxy::ParseStatus::failed:
      FUZZ_CHECK(parsed.consumed == 0, "a failure consumes nothing");
      FUZZ_CHECK(static_cast<int>(parsed.error) != 0, "a failure has an error code");
      FUZZ_CHECK(!parsed.detail.empty(), "a failure says what is wrong");
      break;
    case proxy::ParseStatus::need_more: FUZZ_CHECK(parsed.consumed == 0, "need_more consumes nothing"); break;
  }
}

// `parse(ByteView)` -> Parsed<T>; `same(a, b)` compares two values.
// Prefixes are all checked for short inputs, a sample of them for long ones
// (the parsers are linear, all prefixes would be quadratic).
template <typename Parse, typename Same>
auto check_incremental(std::span<const std::uint8_t> in, Parse parse, Same same)
{
  const auto full = parse(in);
  check_parsed_shape(full, in.size());

  std::vector<std::size_t> lengths;
  if (in.size() <= 96) {
    for (std::size_t k = 0; k <= in.size(); ++k) lengths.push_back(k);
  } else {
    for (std::size_t k = 0; k <= 32; ++k) lengths.push_back(k);
    for (std::size_t step = 1; step <= 16; ++step) lengths.push_back(in.size() * step / 17);
    if (full.status == proxy::ParseStatus::complete) {
      lengths.push_back(full.consumed - 1);
      lengths.push_back(full.consumed);
      lengths.push_back(std::min(in.size(), full.consumed + 1));
    }
    lengths.push_back(in.size());
    std::sort(lengths.begin(), lengths.end());
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  }

  bool decided = false;
  std::size_t decided_at = 0;
  decltype(parse(in)) first{};
  for (const std::size_t k : lengths) {
    auto prefix = parse(in.first(k));
    check_parsed_shape(prefix, k);
    if (!decided) {
      if (prefix.status == proxy::ParseStatus::need_more) continue;
      decided = true;
      decided_at = k;
      first = std::move(prefix);
      continue;
    }
    FUZZ_CHECK(prefix.status == first.status, "once decided, more bytes must not change the decision");
    if (first.status == proxy::ParseStatus::complete) {
      FUZZ_CHECK(prefix.consumed == first.consumed, "more bytes must not change the size of a complete reply");
      FUZZ_CHECK(same(prefix.value, first.value), "more bytes must not change a complete reply");
    } else {
      FUZZ_CHECK(prefix.error == first.error, "more bytes must not change the error of a failed reply");
    }
  }
  if (decided && first.status == proxy::ParseStatus::complete) {
    // Sampled lengths may skip the exact one; then only "not before" holds.
    FUZZ_CHECK(decided_at >= first.consumed, "a reply cannot be complete before its last byte arrived");
    if (std::find(lengths.begin(), lengths.end(), first.consumed) != lengths.end())
      FUZZ_CHECK(decided_at == first.consumed, "a reply is complete as soon as its last byte arrived");
  }
  FUZZ_CHECK(decided == (full.status != proxy::ParseStatus::need_more), "the whole input decides like its prefixes");
  return full;
}

}  // namespace mulenet::fuzz
