#pragma once
// Router restarts seen through PCP's Epoch Time (RFC 6887 §8.5). Every
// response carries the server's epoch, reset to zero when it loses its
// mappings (restart, new external address). Unlike NAT-PMP's rule (see
// natpmp_epoch.hpp) the check is two-sided: the server's time may neither go
// back by more than 1 s nor run at a rate too different from ours:
//   client_delta + 2 < server_delta - server_delta/16   or
//   server_delta + 2 < client_delta - client_delta/16   => state lost.
// Integer seconds, as the RFC does it. Pure: local times are passed in.
#include <chrono>
#include <cstdint>
#include <optional>

namespace mulenet::portmap::pcp {

using Clock = std::chrono::steady_clock;

struct EpochSample {
  std::uint32_t epoch_seconds = 0;  // from the response
  Clock::time_point received_at{};  // local time it arrived
};

enum class EpochVerdict {
  first,       // nothing to compare with yet
  consistent,  // the server kept its state
  state_lost,  // the server restarted or lost its mappings: map everything again
};

// The comparison itself. A `current` that arrived before `previous` (local
// clock order) counts as zero elapsed time.
[[nodiscard]] EpochVerdict judge_epoch(const EpochSample& previous, const EpochSample& current);

// Remembers the last sample of one PCP server.
class EpochTracker {
 public:
  // Judges the new sample, then keeps it as the reference (after state_lost too).
  EpochVerdict observe(std::uint32_t epoch_seconds, Clock::time_point received_at);
  // Another server: the next sample is `first` again.
  void forget() { last_.reset(); }
  [[nodiscard]] const std::optional<EpochSample>& last() const { return last_; }

 private:
  std::optional<EpochSample> last_;
};

[[nodiscard]] const char* verdict_name(EpochVerdict v);

}  // namespace mulenet::portmap::pcp
