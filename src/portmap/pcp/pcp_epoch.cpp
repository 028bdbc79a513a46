#include "portmap/pcp/pcp_epoch.hpp"

namespace mulenet::portmap::pcp {

EpochVerdict judge_epoch(const EpochSample& previous, const EpochSample& current)
{
  const std::int64_t prev_server = previous.epoch_seconds;
  const std::int64_t curr_server = current.epoch_seconds;
  // Time going backwards by up to one second is packet reordering, not a restart.
  if (curr_server + 1 < prev_server) return EpochVerdict::state_lost;
  std::int64_t client_delta =
      std::chrono::duration_cast<std::chrono::seconds>(current.received_at - previous.received_at).count();
  if (client_delta < 0) client_delta = 0;
  const std::int64_t server_delta = curr_server > prev_server ? curr_server - prev_server : 0;
  const bool invalid = client_delta + 2 < server_delta - server_delta / 16 ||
                       server_delta + 2 < client_delta - client_delta / 16;
  return invalid ? EpochVerdict::state_lost : EpochVerdict::consistent;
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

}  // namespace mulenet::portmap::pcp
