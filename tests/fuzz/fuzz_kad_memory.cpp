// The memory of earlier Kad checks (kad/checker_memory.hpp
// parse_checker_memory, serialize_checker_memory, merge_memory). Properties:
// parsing never throws and explains what it ignores; every address read is
// non-zero, every time is one the file can hold (2001..2100), every outcome a
// known one, and no more than kMaxRememberedPeers nodes;
// serialize(parse(x)) parses back without a note to the same memory, and
// serializing that again gives the same text; merging a memory into itself
// changes nothing.
// ctest: -runs=40000 -max_len=2048
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "kad/checker_memory.hpp"

using namespace mulenet::kad;

namespace {

// The range of times the file can hold (checker_memory.cpp: kEarliest, kLatest).
constexpr UnixSeconds kEarliest = 978307200;
constexpr UnixSeconds kLatest = 4102444800;

bool time_ok(const std::optional<UnixSeconds>& t) { return !t || (*t >= kEarliest && *t <= kLatest); }

bool same(const PeerNotes& a, const PeerNotes& b)
{
  return a.udp_exchange == b.udp_exchange && a.tcp_check == b.tcp_check && a.udp_check == b.udp_check &&
         a.hello == b.hello && a.tcp_outcome == b.tcp_outcome && a.udp_outcome == b.udp_outcome;
}

bool same(const CheckerMemory& a, const CheckerMemory& b)
{
  if (a.nodes_dat_written != b.nodes_dat_written || a.peers.size() != b.peers.size()) return false;
  for (const auto& [ip, notes] : a.peers) {
    const auto it = b.peers.find(ip);
    if (it == b.peers.end() || !same(notes, it->second)) return false;
  }
  return true;
}

ParsedMemory parse_or_trap(std::string_view text)
{
  try {
    return parse_checker_memory(text);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threw: %s\n", e.what());
  } catch (...) {
  }
  FUZZ_CHECK(false, "parse_checker_memory never throws");
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view in = mulenet::fuzz::text(data, size);
  const ParsedMemory parsed = parse_or_trap(in);
  for (const std::string& note : parsed.notes) FUZZ_CHECK(!note.empty(), "a note says something");
  const CheckerMemory& memory = parsed.memory;
  FUZZ_CHECK(memory.peers.size() <= kMaxRememberedPeers, "the memory is bounded");
  FUZZ_CHECK(time_ok(memory.nodes_dat_written), "nodes.dat's time is in range");
  for (const auto& [ip, p] : memory.peers) {
    FUZZ_CHECK(ip != 0, "an address is never 0.0.0.0");
    FUZZ_CHECK(time_ok(p.udp_exchange) && time_ok(p.tcp_check) && time_ok(p.udp_check) && time_ok(p.hello),
               "every time read is in range");
    FUZZ_CHECK(p.udp_exchange || p.tcp_check || p.udp_check || p.hello, "a node read has a note");
    FUZZ_CHECK(parse_tcp_outcome(to_string(p.tcp_outcome)) == p.tcp_outcome, "a TCP outcome is a known one");
    FUZZ_CHECK(parse_udp_outcome(to_string(p.udp_outcome)) == p.udp_outcome, "a UDP outcome is a known one");
  }

  const std::string text = serialize_checker_memory(memory);
  if (mulenet::fuzz::verbose()) std::fprintf(stderr, "serialized: %s\n", mulenet::fuzz::quoted(text).c_str());
  const ParsedMemory again = parse_or_trap(text);
  FUZZ_CHECK(again.notes.empty(), "a serialized memory parses without a note");
  FUZZ_CHECK(same(again.memory, memory), "serialize then parse gives the same memory");
  FUZZ_CHECK(serialize_checker_memory(again.memory) == text, "serializing the memory read back gives the same text");

  CheckerMemory merged = memory;
  merge_memory(merged, memory);
  FUZZ_CHECK(same(merged, memory), "merging a memory into itself changes nothing");
  return 0;
}
