#include "portmap/natpmp/natpmp_epoch.hpp"

namespace mulenet::portmap::natpmp {

EpochVerdict judge_epoch(const EpochSample& previous, const EpochSample& current,
                         std::chrono::milliseconds tolerance)
{
  using std::chrono::milliseconds;
  using std::chrono::duration_cast;
  auto elapsed = duration_cast<milliseconds>(current.received_at - previous.received_at);
  if (elapsed.count() < 0) elapsed = milliseconds{0};
  // All in milliseconds, in 64 bits: epochs are at most 2^32 s.
  const std::int64_t expected = std::int64_t{previous.epoch_seconds} * 1000 + elapsed.count() * 7 / 8;
  const std::int64_t got = std::int64_t{current.epoch_seconds} * 1000;
  return got + tolerance.count() < expected ? EpochVerdict::state_lost : EpochVerdict::consistent;
}

EpochVerdict EpochTracker::observe(std::uint32_t epoch_seconds, Clock::time_point received_at)
{
  const EpochSample sample{epoch_seconds, received_at};
  const EpochVerdict verdict = last_ ? judge_epoch(*last_, sample) : EpochVerdict::first;
  last_ = sample;
  return verdict;
}

const char* verdict_name(EpochVerdict v)
{
  switch (v) {
    case EpochVerdict::first: return "first";
    case EpochVerdict::consistent: return "consistent";
    case EpochVerdict::state_lost: return "state_lost";
  }
  return "unknown";
}

}  // namespace mulenet::portmap::natpmp
