#pragma once
// Router restarts seen through NAT-PMP's "seconds since start of epoch"
// (RFC 6886 §3.6). Every response carries the router's epoch; a router that
// reboots or loses its mapping table starts counting again from zero. Given
// the previous (epoch, local time it arrived) and a new one, the client
// expects at least old epoch + 7/8 of the local time elapsed (1/8 for clock
// drift); a new epoch below that by more than 2 s means the router lost its
// mappings, and every mapping must be requested again at once.
//
// Pure: local times are passed in (steady_clock), nothing reads a clock.
#include <chrono>
#include <cstdint>
#include <optional>

namespace mulenet::portmap::natpmp {

using Clock = std::chrono::steady_clock;

struct EpochSample {
  std::uint32_t epoch_seconds = 0;  // from the response
  Clock::time_point received_at{};  // local time the response arrived
};

enum class EpochVerdict {
  first,       // nothing to compare with yet
  consistent,  // the router kept its state
  state_lost,  // the router restarted or lost its table: map everything again
};

inline constexpr std::chrono::seconds kEpochTolerance{2};  // RFC 6886 §3.6

// The comparison itself. A `current` that arrived before `previous` (local
// clock order) is judged with zero elapsed time.
[[nodiscard]] EpochVerdict judge_epoch(const EpochSample& previous, const EpochSample& current,
                                       std::chrono::milliseconds tolerance = kEpochTolerance);

// Remembers the last sample of one router (one gateway address).
class EpochTracker {
 public:
  // Judges the new sample against the last one, then keeps it as the last
  // one (also after state_lost: the new epoch is the new reference).
  EpochVerdict observe(std::uint32_t epoch_seconds, Clock::time_point received_at);
  // Another router (the gateway changed): the next sample is `first` again.
  void forget() { last_.reset(); }
  [[nodiscard]] const std::optional<EpochSample>& last() const { return last_; }

 private:
  std::optional<EpochSample> last_;
};

[[nodiscard]] const char* verdict_name(EpochVerdict v);

}  // namespace mulenet::portmap::natpmp
