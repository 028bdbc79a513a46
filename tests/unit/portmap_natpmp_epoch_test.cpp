// NAT-PMP epoch tracking (RFC 6886 §3.6): expected epoch = previous epoch +
// 7/8 of the local time elapsed; more than 2 s below it = router restarted.
#include <gtest/gtest.h>

#include "portmap/natpmp/natpmp_epoch.hpp"

using namespace mulenet::portmap::natpmp;
using namespace std::chrono_literals;

namespace {

Clock::time_point at(std::chrono::milliseconds t) { return Clock::time_point{} + t; }

EpochVerdict judge(std::uint32_t prev_epoch, std::chrono::milliseconds prev_at, std::uint32_t epoch,
                   std::chrono::milliseconds now)
{
  return judge_epoch({prev_epoch, at(prev_at)}, {epoch, at(now)});
}

}  // namespace

TEST(PortmapNatpmpEpoch, SteadyRouterIsConsistent)
{
  EXPECT_EQ(judge(100, 0s, 100, 0s), EpochVerdict::consistent);
  EXPECT_EQ(judge(100, 0s, 180, 80s), EpochVerdict::consistent);
  // Router clock 1/8 slow is within the margin.
  EXPECT_EQ(judge(100, 0s, 170, 80s), EpochVerdict::consistent);
  // A router clock running fast is no loss of state for NAT-PMP.
  EXPECT_EQ(judge(100, 0s, 100000, 80s), EpochVerdict::consistent);
}

TEST(PortmapNatpmpEpoch, BoundaryIsTwoSecondsBelowSevenEighths)
{
  // 80 s elapsed: expected 100 + 70 = 170; 168 is exactly 2 s below (kept), 167 is lost.
  EXPECT_EQ(judge(100, 0s, 168, 80s), EpochVerdict::consistent);
  EXPECT_EQ(judge(100, 0s, 167, 80s), EpochVerdict::state_lost);
  // Milliseconds count: 8 s elapsed -> 7 s expected; 105 is exactly 2 s below.
  EXPECT_EQ(judge(100, 0ms, 105, 8000ms), EpochVerdict::consistent);
  EXPECT_EQ(judge(100, 0ms, 105, 8009ms), EpochVerdict::state_lost);
  // A wider tolerance keeps it.
  EXPECT_EQ(judge_epoch({100, at(0s)}, {167, at(80s)}, 3s), EpochVerdict::consistent);
}

TEST(PortmapNatpmpEpoch, RestartIsStateLost)
{
  EXPECT_EQ(judge(86400, 0s, 5, 10s), EpochVerdict::state_lost);
  EXPECT_EQ(judge(3, 0s, 0, 0s), EpochVerdict::state_lost);  // back by 3 s at once
  EXPECT_EQ(judge(2, 0s, 0, 0s), EpochVerdict::consistent);  // back by 2 s: reordering margin
}

TEST(PortmapNatpmpEpoch, LocalTimeGoingBackCountsAsNoTime)
{
  EXPECT_EQ(judge(100, 50s, 100, 10s), EpochVerdict::consistent);
  EXPECT_EQ(judge(100, 50s, 97, 10s), EpochVerdict::state_lost);
}

TEST(PortmapNatpmpEpoch, LargeEpochsDoNotOverflow)
{
  EXPECT_EQ(judge(0xFFFFFFF0u, 0s, 0xFFFFFFFFu, 15s), EpochVerdict::consistent);
  EXPECT_EQ(judge(0xFFFFFFFFu, 0s, 0, 1s), EpochVerdict::state_lost);
  EXPECT_EQ(judge(0, 0s, 0xFFFFFFFFu, std::chrono::hours(24 * 365)), EpochVerdict::consistent);
}

TEST(PortmapNatpmpEpoch, TrackerKeepsTheLastSample)
{
  EpochTracker t;
  EXPECT_FALSE(t.last().has_value());
  EXPECT_EQ(t.observe(500, at(0s)), EpochVerdict::first);
  EXPECT_EQ(t.observe(560, at(60s)), EpochVerdict::consistent);
  EXPECT_EQ(t.observe(3, at(70s)), EpochVerdict::state_lost);
  // The restarted router's epoch is the new reference.
  EXPECT_EQ(t.observe(13, at(80s)), EpochVerdict::consistent);
  ASSERT_TRUE(t.last().has_value());
  EXPECT_EQ(t.last()->epoch_seconds, 13u);
  EXPECT_EQ(t.last()->received_at, at(80s));
  t.forget();
  EXPECT_EQ(t.observe(1, at(90s)), EpochVerdict::first);
}

TEST(PortmapNatpmpEpoch, VerdictNames)
{
  EXPECT_STREQ(verdict_name(EpochVerdict::first), "first");
  EXPECT_STREQ(verdict_name(EpochVerdict::consistent), "consistent");
  EXPECT_STREQ(verdict_name(EpochVerdict::state_lost), "state_lost");
}
