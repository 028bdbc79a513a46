// The inbound verdict from `iptables-save` (firewall/inbound_verdict.hpp).
// Arbitrary text must give a verdict with a reason, never a crash, an
// exception or a hang (the walk has a step budget; -timeout catches hangs),
// for TCP and UDP probes. And for rules it can read, a first INPUT rule
// "-j DROP" must make the verdict "blocked", and "-j ACCEPT" "allowed".
// dict/iptables_verdict.dict helps the fuzzer write iptables-save's words.
// ctest: -runs=5000 -max_len=4096
#include <string>
#include <string_view>
#include <utility>

#include "firewall/inbound_verdict.hpp"
#include "fuzz_check.hpp"

using namespace mulenet;

namespace {

// The text with `rule` as the first line after "*filter", or "" without one.
std::string with_first_rule(std::string_view text, std::string_view rule)
{
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line == "*filter") {
      if (end == text.size()) return {};
      return std::string(text.substr(0, end + 1)) + std::string(rule) + "\n" + std::string(text.substr(end + 1));
    }
    start = end + 1;
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = fuzz::text(data, size);
  for (const auto& [protocol, port] : {std::pair{config::Protocol::tcp, std::uint16_t{4662}},
                                       std::pair{config::Protocol::udp, std::uint16_t{4672}}}) {
    const auto verdict = firewall::iptables_inbound_verdict(text, protocol, port);
    FUZZ_CHECK(!verdict.reason.empty(), "every verdict has a reason");
    const std::string_view name = firewall::to_string(verdict.verdict);
    FUZZ_CHECK(name == "allowed" || name == "blocked" || name == "unknown", "the verdict is one of the three");
    if (verdict.reason.starts_with("cannot ")) continue;  // not rules it can read

    for (const auto& [rule, expected] : {std::pair{"-A INPUT -j DROP", firewall::Verdict::blocked},
                                         std::pair{"-A INPUT -j ACCEPT", firewall::Verdict::allowed}}) {
      const std::string changed = with_first_rule(text, rule);
      if (changed.empty()) continue;
      const auto decided = firewall::iptables_inbound_verdict(changed, protocol, port);
      if (decided.reason.starts_with("cannot ") || decided.reason.starts_with("no iptables") ||
          decided.reason.starts_with("the iptables filter table has no INPUT"))
        continue;
      FUZZ_CHECK(decided.verdict == expected, "a first INPUT rule that accepts or drops everything decides");
    }
  }
  return 0;
}
