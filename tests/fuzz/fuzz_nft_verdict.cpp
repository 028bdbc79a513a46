// The inbound verdict from `nft -j list ruleset` (firewall/inbound_verdict.hpp).
// Arbitrary text must give a verdict with a reason, never a crash, an
// exception or a hang (the walk has a step budget; -timeout catches hangs),
// for TCP and UDP probes. And for a ruleset it can read, one more base chain
// on the input hook with policy drop must make the verdict "blocked" (the
// packet has to pass every base chain). dict/nft_verdict.dict helps the
// fuzzer write nft's JSON vocabulary.
// ctest: -runs=8000 -max_len=16384
#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <utility>

#include "firewall/inbound_verdict.hpp"
#include "fuzz_check.hpp"

using namespace mulenet;

namespace {

// The ruleset with a dropping input chain added, or "" when it is not an
// nftables listing.
std::string with_dropping_chain(std::string_view text)
{
  boost::system::error_code error;
  boost::json::value document = boost::json::parse(boost::json::string_view(text.data(), text.size()), error);
  if (error || !document.is_object()) return {};
  auto* entries = document.get_object().if_contains("nftables");
  if (entries == nullptr || !entries->is_array()) return {};
  entries->get_array().push_back(boost::json::parse(
      R"({"chain": {"family": "inet", "table": "mulenet-fuzz", "name": "mulenet-fuzz-drop", "handle": 1,
                    "type": "filter", "hook": "input", "prio": 10, "policy": "drop"}})"));
  return boost::json::serialize(document);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = fuzz::text(data, size);
  for (const auto& [protocol, port] : {std::pair{config::Protocol::tcp, std::uint16_t{4662}},
                                       std::pair{config::Protocol::udp, std::uint16_t{4672}}}) {
    const auto verdict = firewall::nft_inbound_verdict(text, protocol, port);
    FUZZ_CHECK(!verdict.reason.empty(), "every verdict has a reason");
    const std::string_view name = firewall::to_string(verdict.verdict);
    FUZZ_CHECK(name == "allowed" || name == "blocked" || name == "unknown", "the verdict is one of the three");
    if (verdict.reason.starts_with("cannot ")) continue;  // not a ruleset it can read

    const std::string dropping = with_dropping_chain(text);
    if (dropping.empty()) continue;
    const auto blocked = firewall::nft_inbound_verdict(dropping, protocol, port);
    if (blocked.reason.starts_with("cannot ") || blocked.reason.find("too large") != std::string::npos) continue;
    FUZZ_CHECK(blocked.verdict == firewall::Verdict::blocked, "a base chain that drops everything blocks");
  }
  return 0;
}
