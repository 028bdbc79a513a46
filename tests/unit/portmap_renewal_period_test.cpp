// How often the Mapper asks again for its mappings: the check period, never
// more than half the lease, never a busy loop.
#include <gtest/gtest.h>

#include "portmap/mapper_service.hpp"

namespace mulenet::portmap {
namespace {

using std::chrono::seconds;

seconds period(seconds check, std::uint32_t lease)
{
  KeepOptions keep;
  keep.check_period = check;
  MapperOptions options;
  options.lease_seconds = lease;
  return renewal_period(keep, options);
}

TEST(RenewalPeriod, TheCheckPeriodWhenItIsShorterThanHalfTheLease)
{
  EXPECT_EQ(period(seconds(5), 3600), seconds(5));
}

TEST(RenewalPeriod, HalfTheLeaseAtTheLatest)
{
  EXPECT_EQ(period(seconds(3600), 600), seconds(300));
  EXPECT_EQ(period(seconds(5), 4), seconds(2));
}

TEST(RenewalPeriod, NeverABusyLoop)
{
  EXPECT_EQ(period(seconds(0), 3600), seconds(1));
  EXPECT_EQ(period(seconds(5), 1), seconds(1));
  EXPECT_EQ(period(seconds(-3), 3600), seconds(1));
}

TEST(RenewalPeriod, APermanentUpnpLeaseKeepsTheCheckPeriod)
{
  EXPECT_EQ(period(seconds(5), 0), seconds(5));
  EXPECT_EQ(period(seconds(3600), 0), seconds(3600));
}

}  // namespace
}  // namespace mulenet::portmap
