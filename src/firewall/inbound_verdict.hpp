#pragma once
// Would the host's own firewall let a NEW inbound IPv4 packet reach a local
// port? The caller runs the tool (`nft -j list ruleset`, `iptables-save`)
// and hands over its output; these functions only read text. Anything they
// cannot be sure about, including malformed input, yields Verdict::unknown
// with a reason -- never an exception.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/port_plan.hpp"

namespace mulenet::firewall {

enum class Verdict { allowed, blocked, unknown };

[[nodiscard]] const char* to_string(Verdict verdict);

struct InboundVerdict {
  Verdict verdict = Verdict::unknown;
  // For humans: which table/chain/rule or policy decided, e.g.
  // "table inet filter, chain input: policy drop" or
  // "rule 'tcp dport 4662 drop' in table inet filter chain input".
  std::string reason;
};

// nft_json: the output of `nft -j list ruleset`. Every base chain on the
// input hook of the ip and inet families must accept the packet.
[[nodiscard]] InboundVerdict nft_inbound_verdict(std::string_view nft_json, config::Protocol protocol,
                                                 std::uint16_t port);

// iptables_save: the output of `iptables-save` or `iptables-legacy-save`;
// only the filter table's INPUT chain (and the chains it jumps to) counts.
[[nodiscard]] InboundVerdict iptables_inbound_verdict(std::string_view iptables_save, config::Protocol protocol,
                                                      std::uint16_t port);

}  // namespace mulenet::firewall
