// PCP Epoch Time validation (RFC 6887 §8.5), in integer seconds.
#include <gtest/gtest.h>

#include "portmap/pcp/pcp_epoch.hpp"

using namespace mulenet::portmap::pcp;
using namespace std::chrono_literals;

namespace {

EpochVerdict judge(std::uint32_t prev_epoch, std::chrono::seconds prev_at, std::uint32_t epoch,
                   std::chrono::seconds now)
{
  return judge_epoch({prev_epoch, Clock::time_point{} + prev_at}, {epoch, Clock::time_point{} + now});
}

}  // namespace

TEST(PortmapPcpEpoch, SameRateIsConsistent)
{
  EXPECT_EQ(judge(100, 0s, 100, 0s), EpochVerdict::consistent);
  EXPECT_EQ(judge(100, 0s, 200, 100s), EpochVerdict::consistent);
  EXPECT_EQ(judge(0, 0s, 86400, 86400s), EpochVerdict::consistent);
}

TEST(PortmapPcpEpoch, BackwardsByMoreThanOneSecondIsLost)
{
  EXPECT_EQ(judge(100, 0s, 99, 0s), EpochVerdict::consistent);  // reordering
  EXPECT_EQ(judge(100, 0s, 98, 0s), EpochVerdict::state_lost);
  EXPECT_EQ(judge(457, 373s, 0, 375s), EpochVerdict::state_lost);  // miniupnpd restart in the lab
  EXPECT_EQ(judge(0, 0s, 0, 0s), EpochVerdict::consistent);       // no underflow at 0
}

TEST(PortmapPcpEpoch, ServerTooSlowIsLost)
{
  // client_delta 100: server_delta + 2 >= 100 - 100/16 = 94 holds down to 92.
  EXPECT_EQ(judge(1000, 0s, 1092, 100s), EpochVerdict::consistent);
  EXPECT_EQ(judge(1000, 0s, 1091, 100s), EpochVerdict::state_lost);
  // A restart long after the last response: the epoch went up, but too little.
  EXPECT_EQ(judge(1000, 0s, 1010, 3600s), EpochVerdict::state_lost);
}

TEST(PortmapPcpEpoch, ServerTooFastIsLost)
{
  // client_delta 100: client_delta + 2 >= server_delta - server_delta/16 holds up to 108.
  EXPECT_EQ(judge(1000, 0s, 1108, 100s), EpochVerdict::consistent);
  EXPECT_EQ(judge(1000, 0s, 1109, 100s), EpochVerdict::state_lost);
  EXPECT_EQ(judge(0, 0s, 0xFFFFFFFFu, 1s), EpochVerdict::state_lost);
}

TEST(PortmapPcpEpoch, SmallDeltasAllowTwoSeconds)
{
  EXPECT_EQ(judge(10, 0s, 12, 0s), EpochVerdict::consistent);
  EXPECT_EQ(judge(10, 0s, 13, 0s), EpochVerdict::state_lost);
  EXPECT_EQ(judge(10, 0s, 10, 2s), EpochVerdict::consistent);
  EXPECT_EQ(judge(10, 0s, 10, 3s), EpochVerdict::state_lost);
  EXPECT_EQ(judge(10, 5s, 10, 1s), EpochVerdict::consistent);  // local time went back: 0 elapsed
}

TEST(PortmapPcpEpoch, Tracker)
{
  EpochTracker t;
  const auto t0 = Clock::time_point{};
  EXPECT_EQ(t.observe(257, t0 + 173s), EpochVerdict::first);
  EXPECT_EQ(t.observe(457, t0 + 373s), EpochVerdict::consistent);
  EXPECT_EQ(t.observe(0, t0 + 375s), EpochVerdict::state_lost);
  EXPECT_EQ(t.observe(6, t0 + 381s), EpochVerdict::consistent);
  ASSERT_TRUE(t.last().has_value());
  EXPECT_EQ(t.last()->epoch_seconds, 6u);
  t.forget();
  EXPECT_FALSE(t.last().has_value());
  EXPECT_EQ(t.observe(0, t0 + 400s), EpochVerdict::first);
  EXPECT_STREQ(verdict_name(EpochVerdict::state_lost), "state_lost");
  EXPECT_STREQ(verdict_name(EpochVerdict::first), "first");
  EXPECT_STREQ(verdict_name(EpochVerdict::consistent), "consistent");
}
