#pragma once
// The Kad verdicts from what the checkers did, and only from evidence that
// can tell (a wrong "open" is the worst answer we can give):
//   TCP open        2 checkers that had not checked us within the re-check
//                   window connected to our TCP port and acknowledged (aMule's rule);
//   TCP firewalled  2 or more such checkers said they would try
//                   (FIREWALLED_RES) and none got through in time;
//   UDP open        a KADEMLIA2_FIREWALLUDP for our port from a checker that
//                   had no UDP flow with our port (so no firewall or NAT state
//                   let it in) arrived;
//   UDP firewalled  such checkers took the request and nothing at all came
//                   back from them (an "I know you" answer would have come in);
//   otherwise unknown, with the reason in words, and when known, after how
//   many seconds a new check can decide.
// Pure: counts in, verdicts out.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mulenet::kad {

enum class Verdict : std::uint8_t { open, firewalled, unknown };
[[nodiscard]] const char* to_string(Verdict v);  // "open" | "firewalled" | "unknown" (JSON)

struct VerdictWithReason {
  Verdict verdict = Verdict::unknown;
  std::string reason;                         // in plain words, for every verdict
  std::optional<std::int64_t> retry_after_s;  // unknown: a check after this many seconds can decide
};

struct TcpCheckEvidence {
  std::size_t asked = 0;     // fit checkers sent FIREWALLED(2)_REQ
  std::size_t answered = 0;  // of them, said they would try (FIREWALLED_RES)
  std::size_t acked = 0;     // of them, reached our TCP port (connected in with a Hello, or acknowledged)
  std::size_t checked_recently = 0;  // known nodes left out: they checked us within the window
  std::chrono::seconds recheck_window{300};
  std::optional<std::int64_t> enough_fit_in_s;  // when 2 known nodes are fit again
  bool port_lost = false;  // our Kad UDP port went away during the check (answers lost)
  bool listening = true;   // false: another program holds our TCP port (the ACKs go to it)
};

struct UdpCheckEvidence {
  std::size_t fit = 0;        // known nodes fit for the test (no recent flow, no recent check)
  std::size_t chosen = 0;     // of them, asked (the TCP test has first claim on a node fit for both)
  std::size_t delivered = 0;  // fit checkers that took the request
  std::size_t arrived = 0;    // FIREWALLUDP for our internal or external port came in
  std::size_t declined = 0;   // FIREWALLUDP "I already know your IP" came in (test not run)
  std::size_t flow_recent = 0;       // known nodes left out: UDP exchanged with our port within the window
  std::size_t checked_recently = 0;  // known nodes left out: they checked us within the re-check window
  std::chrono::seconds flow_window{600};
  std::chrono::seconds recheck_window{300};
  std::optional<std::int64_t> enough_fit_in_s;  // when a known node is fit again
  bool port_lost = false;
  // The request went through a proxy while Kad UDP does not: the nodes send
  // their test datagram to the proxy's address, never to us.
  bool request_via_proxy = false;
  bool spoiled = false;  // a checker's datagram came after we had sent to it during the check
};

// aMule's UDP_FIREWALLTEST_CLIENTSTOASK: one node's test datagram arriving
// makes UDP open, but firewalled takes this many silent ones (a single amuled
// sometimes sends nothing: its silence alone cannot tell).
inline constexpr std::size_t kMinSilentUdpCheckers = 2;

[[nodiscard]] VerdictWithReason decide_tcp(const TcpCheckEvidence& e);
[[nodiscard]] VerdictWithReason decide_udp(const UdpCheckEvidence& e);

}  // namespace mulenet::kad
